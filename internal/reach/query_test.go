package reach_test

import (
	"net/netip"
	"testing"

	"github.com/clusterwall/clusterwall/internal/model"
	"github.com/clusterwall/clusterwall/internal/reach"
)

// Regression: with from Some and to Every, each destination address may be
// reached from a different source host. The engine used to decide each
// pair of classes on its own (∀ to-class ∃ from-class ∀ to-address),
// which said denied here although every address of "to" is reached.
func TestAskMixedQuantifiersEachAddressItsOwnPeer(t *testing.T) {
	e := reach.New(estateOf(model.AWS,
		&model.Group{ID: "f1", Rules: []model.Rule{out(cidr("10.0.0.1/32"), svc(t, "tcp/443"))}},
		&model.Group{ID: "f2", Rules: []model.Rule{out(cidr("10.0.0.2/32"), svc(t, "tcp/443"))}},
	), reach.Options{})
	from := some("from", exact("a", gs("f1"), "10.0.1.1"), exact("b", gs("f2"), "10.0.1.2"))
	to := exact("to", nil, "10.0.0.1", "10.0.0.2")
	ans := e.Ask(from, every("to", to), svc(t, "tcp/443"))
	if ans.Verdict != reach.Allowed {
		t.Fatalf("every address of to is reached by some from host, got %v: %v", ans.Verdict, ans.Because)
	}
	// Both allowing rules are the reason.
	var ids []string
	for _, r := range ans.Because {
		if r.Rule != nil {
			ids = append(ids, r.Group)
		}
	}
	if len(ids) != 2 {
		t.Errorf("reasons %v, want the egress rules of f1 and f2", ans.Because)
	}
	// No pair on its own is allowed, and the pairs say so.
	for _, p := range ans.Pairs {
		if p.Verdict != reach.Denied {
			t.Errorf("pair %s→%s = %v, want denied", p.From, p.To, p.Verdict)
		}
	}
	// Same with the roles swapped: every source reaches some destination.
	e2 := reach.New(estateOf(model.AWS,
		&model.Group{ID: "t1", Rules: []model.Rule{in(cidr("10.0.1.1/32"), svc(t, "tcp/443"))}},
		&model.Group{ID: "t2", Rules: []model.Rule{in(cidr("10.0.1.2/32"), svc(t, "tcp/443"))}},
	), reach.Options{})
	src := exact("src", nil, "10.0.1.1", "10.0.1.2")
	ans = e2.Ask(every("from", src), some("to", exact("x", gs("t1"), "10.0.0.1"), exact("y", gs("t2"), "10.0.0.2")), svc(t, "tcp/443"))
	if ans.Verdict != reach.Allowed {
		t.Fatalf("every source reaches some destination, got %v: %v", ans.Verdict, ans.Because)
	}
	// But not when one source reaches none.
	src = exact("src", nil, "10.0.1.1", "10.0.1.3")
	ans = e2.Ask(every("from", src), some("to", exact("x", gs("t1"), "10.0.0.1"), exact("y", gs("t2"), "10.0.0.2")), svc(t, "tcp/443"))
	if ans.Verdict != reach.Denied {
		t.Fatalf("10.0.1.3 reaches nothing, got %v", ans.Verdict)
	}
}

// An exact class is a set of hosts, so the answer must not depend on how
// hosts are grouped into classes. Each connection carries one service, so
// "tcp/1-2" is allowed when tcp/1 is and tcp/2 is, through whichever
// addresses; this is also what Flows says.
func TestAskEachServiceOnItsOwn(t *testing.T) {
	for _, p := range []model.Provider{model.AWS, model.Tencent} {
		t.Run(string(p), func(t *testing.T) {
			e := reach.New(estateOf(p,
				&model.Group{ID: "src", Rules: []model.Rule{
					out(cidr("10.0.0.1/32"), svc(t, "tcp/1")),
					out(cidr("10.0.0.2/32"), svc(t, "tcp/2")),
				}},
			), reach.Options{})
			src := exact("src", gs("src"), "10.0.1.1")
			one := exact("to", nil, "10.0.0.1", "10.0.0.2")
			for _, to := range []reach.Endpoint{
				some("to", one),
				some("to", exact("to1", nil, "10.0.0.1"), exact("to2", nil, "10.0.0.2")),
			} {
				if v := e.Ask(some("from", src), to, svc(t, "tcp/1-2")).Verdict; v != reach.Allowed {
					t.Errorf("%d classes: tcp/1-2 = %v, want allowed", len(to.Hosts), v)
				}
				if v := e.Ask(some("from", src), to, svc(t, "tcp/1-3")).Verdict; v != reach.Denied {
					t.Errorf("%d classes: tcp/1-3 = %v, want denied", len(to.Hosts), v)
				}
			}
			if f := e.Flows(&src, &one); f.Allowed.String() != "tcp/1-2" {
				t.Errorf("Flows = %v, want tcp/1-2", f.Allowed)
			}
			// Every address of to must take every service: .1 does not take
			// tcp/2.
			if v := e.Ask(some("from", src), every("to", one), svc(t, "tcp/1-2")).Verdict; v != reach.Denied {
				t.Errorf("every to: tcp/1-2 = %v, want denied", v)
			}
			// The pair's addresses are those in some allowed connection.
			ans := e.Ask(some("from", src), some("to", one), svc(t, "tcp/2"))
			if ans.Verdict != reach.Allowed || len(ans.Pairs) != 1 {
				t.Fatalf("tcp/2 = %v", ans.Verdict)
			}
			if to := ans.Pairs[0].ToAddrs; to.Contains(netip.MustParseAddr("10.0.0.1")) || !to.Contains(netip.MustParseAddr("10.0.0.2")) {
				t.Errorf("ToAddrs = %v, want 10.0.0.2 only", to.Prefixes())
			}
		})
	}
}

// Regression: Ask and Flows used to write AllAddrs (and Exact=false) into
// the caller's hosts that had no addresses.
func TestAskDoesNotModifyEndpoints(t *testing.T) {
	e := reach.New(estateOf(model.AWS, &model.Group{ID: "g", Rules: []model.Rule{
		in(cidr("0.0.0.0/0"), svc(t, "tcp/22")), in(cidr("::/0"), svc(t, "tcp/22")),
	}}), reach.Options{})
	from := some("internet", reach.Host{Label: "internet", Exact: true})
	to := some("g", exact("g", gs("g"), "10.0.0.1"))
	if v := e.Ask(from, to, svc(t, "tcp/22")).Verdict; v != reach.Allowed {
		t.Errorf("internet → g tcp/22 = %v", v)
	}
	if h := from.Hosts[0]; h.Addrs != nil || !h.Exact {
		t.Errorf("Ask changed the caller's host: %+v", h)
	}
	h := reach.Host{Label: "anywhere", Exact: true}
	e.Flows(&h, &to.Hosts[0])
	if h.Addrs != nil || !h.Exact {
		t.Errorf("Flows changed the caller's host: %+v", h)
	}
}

// AskSome: one service of svcs suffices, each decided as in Ask.
func TestAskSome(t *testing.T) {
	e := reach.New(estateOf(model.AWS,
		&model.Group{ID: "nodes", Rules: []model.Rule{in(cidr("10.0.0.0/24"), svc(t, "tcp/30080"))}},
	), reach.Options{})
	lb, nodes := some("lb", exact("lb", nil, "10.0.0.5")), some("nodes", exact("ng", gs("nodes"), "10.0.1.1"))
	for _, c := range []struct {
		svcs     string
		ask, any reach.Verdict
	}{
		{"tcp/30000-32767", reach.Denied, reach.Allowed},
		{"tcp/30080", reach.Allowed, reach.Allowed},
		{"tcp/80", reach.Denied, reach.Denied},
	} {
		if v := e.Ask(lb, nodes, svc(t, c.svcs)).Verdict; v != c.ask {
			t.Errorf("Ask %s = %v, want %v", c.svcs, v, c.ask)
		}
		ans := e.AskSome(lb, nodes, svc(t, c.svcs))
		if ans.Verdict != c.any || ans.Pairs[0].Verdict != c.any {
			t.Errorf("AskSome %s = %v (pair %v), want %v", c.svcs, ans.Verdict, ans.Pairs[0].Verdict, c.any)
		}
	}
	// The reason is the rule that allows (the balancer has no groups).
	if v := e.AskSome(lb, nodes, svc(t, "tcp/30000-32767")); len(v.Because) != 1 || v.Because[0].Group != "nodes" {
		t.Errorf("AskSome reasons %v, want the rule of nodes", v.Because)
	}
}
