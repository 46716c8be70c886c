package reach_test

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/clusterwall/clusterwall/internal/model"
	"github.com/clusterwall/clusterwall/internal/netset"
	"github.com/clusterwall/clusterwall/internal/reach"
	"github.com/clusterwall/clusterwall/internal/srcpos"
)

// reasonString prints a reason as "direction group effect: text" for
// comparison; the group is "-" when the reason names none.
func reasonString(r reach.Reason) string {
	g := r.Group
	if g == "" {
		g = "-"
	}
	return fmt.Sprintf("%s %s %s: %s", r.Direction, g, r.Effect, r.Text)
}

type askCase struct {
	name     string
	provider model.Provider
	groups   []*model.Group
	sets     []*model.AddressSet
	opts     reach.Options
	from, to reach.Endpoint
	svcs     string
	want     reach.Verdict
	// reasons, each "direction group effect: text"; a trailing "…" makes
	// the text a prefix. Every reason of the answer must be listed.
	reasons []string
}

func (c *askCase) run(t *testing.T) {
	t.Helper()
	p := c.provider
	if p == "" {
		p = model.AWS
	}
	est := estateOf(p, c.groups...)
	for _, s := range c.sets {
		est.AddressSets[s.ID] = s
	}
	e := reach.New(est, c.opts)
	ans := e.Ask(c.from, c.to, svc(t, c.svcs))
	var got []string
	for _, r := range ans.Because {
		got = append(got, reasonString(r))
	}
	if ans.Verdict != c.want {
		t.Errorf("verdict %v, want %v; reasons:\n  %s", ans.Verdict, c.want, strings.Join(got, "\n  "))
		return
	}
	if c.reasons == nil {
		return
	}
	match := func(want, got string) bool {
		if w, ok := strings.CutSuffix(want, "…"); ok {
			return strings.HasPrefix(got, w)
		}
		return want == got
	}
	for _, w := range c.reasons {
		if !slices.ContainsFunc(got, func(g string) bool { return match(w, g) }) {
			t.Errorf("missing reason %q; got:\n  %s", w, strings.Join(got, "\n  "))
		}
	}
	for _, g := range got {
		if !slices.ContainsFunc(c.reasons, func(w string) bool { return match(w, g) }) {
			t.Errorf("unexpected reason %q", g)
		}
	}
}

func TestAskAWS(t *testing.T) {
	tcp443 := netset.Ports(netset.TCP, 443, 443)
	web := exact("web", gs("web"), "10.0.1.10")
	db := exact("db", gs("db"), "10.0.2.20")
	webOut := &model.Group{ID: "web", Rules: []model.Rule{out(cidr("0.0.0.0/0"), netset.AllServices())}}
	cases := []askCase{
		{
			name: "allowed by a group reference",
			groups: []*model.Group{webOut, {ID: "db", Rules: []model.Rule{
				{Direction: model.Ingress, Services: netset.Ports(netset.TCP, 5432, 5432), Peer: grp("web"), Description: "postgres"},
			}}},
			from: some("web", web), to: some("db", db), svcs: "tcp/5432", want: reach.Allowed,
			reasons: []string{
				"egress web allowed: web egress allows all to 0.0.0.0/0",
				`ingress db allowed: db ingress allows tcp/5432 from web ("postgres")`,
			},
		},
		{
			name: "allowed by a self reference",
			groups: []*model.Group{{ID: "nodes", Rules: []model.Rule{
				in(grp("nodes"), netset.AllServices()), out(cidr("0.0.0.0/0"), netset.AllServices()),
			}}},
			from: some("a", exact("a", gs("nodes"), "10.0.0.1")), to: some("b", exact("b", gs("nodes"), "10.0.0.2")),
			svcs: "udp/53", want: reach.Allowed,
		},
		{
			name: "allowed by a CIDR containing the source",
			groups: []*model.Group{webOut, {ID: "db", Rules: []model.Rule{
				in(cidr("10.0.0.0/16"), tcp443),
			}}},
			from: some("web", web), to: some("db", db), svcs: "tcp/443", want: reach.Allowed,
		},
		{
			name: "denied: a CIDR beside the source",
			groups: []*model.Group{webOut, {ID: "db", Rules: []model.Rule{
				in(cidr("10.1.0.0/16"), tcp443),
			}}},
			from: some("web", web), to: some("db", db), svcs: "tcp/443", want: reach.Denied,
			reasons: []string{"ingress db denied: no ingress rule of db allows tcp/443 from web"},
		},
		{
			name: "allowed by an address set",
			groups: []*model.Group{webOut, {ID: "db", Rules: []model.Rule{
				in(model.Peer{Kind: model.PeerAddressSet, Set: "pl-1"}, tcp443),
			}}},
			sets: []*model.AddressSet{{ID: "pl-1", Prefixes: []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24"), netip.MustParsePrefix("10.0.1.0/24")}}},
			from: some("web", web), to: some("db", db), svcs: "tcp/443", want: reach.Allowed,
			reasons: []string{
				"egress web allowed: web egress allows all to 0.0.0.0/0",
				"ingress db allowed: db ingress allows tcp/443 from pl-1",
			},
		},
		{
			name: "the groups of an interface add up",
			groups: []*model.Group{
				{ID: "web", Rules: []model.Rule{out(cidr("10.0.2.0/24"), netset.Ports(netset.TCP, 443, 443))}},
				{ID: "extra", Rules: []model.Rule{out(cidr("10.0.2.0/24"), netset.Ports(netset.TCP, 5432, 5432))}},
				{ID: "db", Rules: []model.Rule{in(grp("web"), netset.Protocol(netset.TCP))}},
			},
			from: some("web", exact("web", gs("web", "extra"), "10.0.1.10")), to: some("db", db),
			svcs: "tcp/443,5432", want: reach.Allowed,
			reasons: []string{
				"egress web allowed: web egress allows tcp/443 to 10.0.2.0/24",
				"egress extra allowed: extra egress allows tcp/5432 to 10.0.2.0/24",
				"ingress db allowed: db ingress allows tcp from web",
			},
		},
		{
			name:   "denied on both sides lists both blockers",
			groups: []*model.Group{{ID: "web"}, {ID: "db"}},
			from:   some("web", web), to: some("db", db), svcs: "tcp/443", want: reach.Denied,
			reasons: []string{
				"egress web denied: no egress rule of web allows tcp/443 to db",
				"ingress db denied: no ingress rule of db allows tcp/443 from web",
			},
		},
		{
			name: "denied lists every group of the blocking side",
			groups: []*model.Group{webOut, {ID: "db"}, {ID: "db-extra", Rules: []model.Rule{
				in(grp("web"), netset.Ports(netset.TCP, 22, 22)),
			}}},
			from: some("web", web), to: some("db", exact("db", gs("db", "db-extra"), "10.0.2.20")), svcs: "tcp/443", want: reach.Denied,
			reasons: []string{
				"ingress db denied: no ingress rule of db allows tcp/443 from web",
				"ingress db-extra denied: no ingress rule of db-extra allows tcp/443 from web",
			},
		},
		{
			name: "one service of several denied",
			groups: []*model.Group{webOut, {ID: "db", Rules: []model.Rule{
				in(grp("web"), netset.Ports(netset.TCP, 443, 443)),
			}}},
			from: some("web", web), to: some("db", db), svcs: "tcp/443,444", want: reach.Denied,
			reasons: []string{"ingress db denied: no ingress rule of db allows tcp/444 from web"},
		},
		{
			name:   "a host without groups filters nothing",
			groups: []*model.Group{webOut},
			from:   some("web", web), to: some("lambda", exact("lambda", nil, "10.0.9.9")), svcs: "all", want: reach.Allowed,
		},
		{
			name:   "egress to the Amazon DNS server is not filtered",
			groups: []*model.Group{{ID: "locked"}},
			opts:   unfilteredAll("169.254.169.253/32"),
			from:   some("app", exact("app", gs("locked"), "10.0.0.5")), to: some("dns", exact("dns", nil, "169.254.169.253")),
			svcs: "udp/53", want: reach.Allowed,
			reasons: []string{"egress - allowed: security groups do not filter traffic to 169.254.169.253/32 (Amazon DNS, instance metadata, time sync)"},
		},
		{
			name:   "the unfiltered exemption is for those addresses only",
			groups: []*model.Group{{ID: "locked"}},
			opts:   unfilteredAll("169.254.169.253/32"),
			from:   some("app", exact("app", gs("locked"), "10.0.0.5")), to: every("dns", exact("dns", nil, "169.254.169.252/31")),
			svcs: "udp/53", want: reach.Denied,
			reasons: []string{"egress locked denied: no egress rule of locked allows udp/53 to dns"},
		},
		{
			name:   "an unfiltered destination is unfiltered only for what it serves",
			groups: []*model.Group{{ID: "locked"}},
			opts: reach.Options{Unfiltered: []reach.UnfilteredService{
				{Addrs: netset.SetOf(netip.MustParsePrefix("10.0.0.2/32")), Name: "Amazon DNS server", Services: mustServices("udp/53 tcp/53")}}},
			from: some("app", exact("app", gs("locked"), "10.0.0.5")), to: some("vpc", exact("vpc", nil, "10.0.0.0/16")),
			svcs: "tcp/443", want: reach.Denied,
			reasons: []string{"egress locked denied: no egress rule of locked allows tcp/443 to vpc"},
		},
		{
			name:   "an unfiltered destination serves its own services",
			groups: []*model.Group{{ID: "locked"}},
			opts: reach.Options{Unfiltered: []reach.UnfilteredService{
				{Addrs: netset.SetOf(netip.MustParsePrefix("10.0.0.2/32")), Name: "Amazon DNS server", Services: mustServices("udp/53 tcp/53")}}},
			from: some("app", exact("app", gs("locked"), "10.0.0.5")), to: some("vpc", exact("vpc", nil, "10.0.0.0/16")),
			svcs: "udp/53", want: reach.Allowed,
			reasons: []string{"egress - allowed: security groups do not filter traffic to 10.0.0.2/32 (Amazon DNS server)"},
		},
		{
			// Adjacent destinations make one prefix of the union (10.0.0.2/31);
			// the atoms must still be cut at each destination.
			name:   "adjacent unfiltered destinations serve their own services",
			groups: []*model.Group{{ID: "locked"}},
			opts: reach.Options{Unfiltered: []reach.UnfilteredService{
				{Addrs: netset.SetOf(netip.MustParsePrefix("10.0.0.2/32")), Name: "Amazon DNS server", Services: mustServices("udp/53 tcp/53")},
				{Addrs: netset.SetOf(netip.MustParsePrefix("10.0.0.3/32")), Name: "another service", Services: mustServices("udp/67")}}},
			from: some("app", exact("app", gs("locked"), "10.0.0.5")), to: some("vpc", exact("vpc", nil, "10.0.0.0/16")),
			svcs: "udp/53", want: reach.Allowed,
			reasons: []string{"egress - allowed: security groups do not filter traffic to 10.0.0.2/32 (Amazon DNS server)"},
		},
		{
			name:   "a host that may have more groups is allowed by those it has",
			groups: []*model.Group{{ID: "cluster", Rules: []model.Rule{out(cidr("0.0.0.0/0"), netset.AllServices()), in(grp("cluster"), netset.AllServices())}}},
			from:   some("cp", reach.Host{Label: "cp", Groups: gs("cluster"), GroupsMore: "more groups", Addrs: addrs("10.0.1.1"), Exact: true}),
			to:     some("node", exact("node", gs("cluster"), "10.0.2.2")), svcs: "tcp/10250", want: reach.Allowed,
		},
		{
			name: "a host that may have more groups may match a rule naming another group",
			groups: []*model.Group{{ID: "cluster", Rules: []model.Rule{out(cidr("0.0.0.0/0"), netset.AllServices())}},
				{ID: "node", Rules: []model.Rule{in(grp("extra"), netset.Ports(netset.TCP, 10250, 10250))}}},
			from: some("cp", reach.Host{Label: "cp", Groups: gs("cluster"), GroupsMore: "more groups", Addrs: addrs("10.0.1.1"), Exact: true}),
			to:   some("node", exact("node", gs("node"), "10.0.2.2")), svcs: "tcp/10250", want: reach.Unknown,
		},
		{
			name:   "a host that may have more groups is not denied by those it has",
			groups: []*model.Group{{ID: "cluster"}, {ID: "node", Rules: []model.Rule{in(cidr("0.0.0.0/0"), netset.AllServices())}}},
			from:   some("cp", reach.Host{Label: "cp", Groups: gs("cluster"), GroupsMore: "more groups", Addrs: addrs("10.0.1.1"), Exact: true}),
			to:     some("node", exact("node", gs("node"), "10.0.2.2")), svcs: "tcp/10250", want: reach.Unknown,
		},
		{
			name:   "the unfiltered exemption is for egress only",
			groups: []*model.Group{{ID: "locked"}},
			opts:   unfilteredAll("169.254.169.253/32"),
			from:   some("dns", exact("dns", nil, "169.254.169.253")), to: some("app", exact("app", gs("locked"), "10.0.0.5")),
			svcs: "udp/53", want: reach.Denied,
		},
		{
			name: "an IPv4 rule does not match an IPv6 peer",
			groups: []*model.Group{webOut, {ID: "db", Rules: []model.Rule{
				in(cidr("0.0.0.0/0"), tcp443),
			}}},
			from: some("v6", exact("v6", nil, "2001:db8::1")), to: some("db", db), svcs: "tcp/443", want: reach.Denied,
		},
		{
			name: "an unknown peer leaves the answer open",
			groups: []*model.Group{webOut, {ID: "db", Rules: []model.Rule{
				named(in(model.Peer{Kind: model.PeerUnknown, Why: "var.allowed_cidrs is known only after apply"}, tcp443), "r1"),
			}}},
			from: some("web", web), to: some("db", db), svcs: "tcp/443", want: reach.Unknown,
			reasons: []string{"ingress db unknown: db ingress allows tcp/443 from (unknown): var.allowed_cidrs is known only after apply"},
		},
		{
			name: "an unknown peer of another service does not matter",
			groups: []*model.Group{webOut, {ID: "db", Rules: []model.Rule{
				in(model.Peer{Kind: model.PeerUnknown, Why: "unknown"}, netset.Ports(netset.TCP, 22, 22)),
			}}},
			from: some("web", web), to: some("db", db), svcs: "tcp/443", want: reach.Denied,
		},
		{
			// Regression: source_security_group_id = data.….id made
			// "internet → nodes tcp/22" unknown.
			name: "an unknown group admits no address outside every group",
			groups: []*model.Group{{ID: "db", Rules: []model.Rule{
				in(model.Peer{Kind: model.PeerUnknown, Why: "the bastion's id", SomeGroup: true}, netset.Ports(netset.TCP, 22, 22)),
			}}},
			from: some("internet", exact("internet", nil, "81.2.69.1")), to: some("db", db), svcs: "tcp/22", want: reach.Denied,
		},
		{
			name: "an unknown group may be an interface's",
			groups: []*model.Group{webOut, {ID: "db", Rules: []model.Rule{
				in(model.Peer{Kind: model.PeerUnknown, Why: "the bastion's id", SomeGroup: true}, netset.Ports(netset.TCP, 22, 22)),
			}}},
			from: some("web", web), to: some("db", db), svcs: "tcp/22", want: reach.Unknown,
		},
		{
			name: "a known rule decides despite an unknown one",
			groups: []*model.Group{webOut, {ID: "db", Rules: []model.Rule{
				in(model.Peer{Kind: model.PeerUnknown, Why: "unknown"}, tcp443),
				in(grp("web"), tcp443),
			}}},
			from: some("web", web), to: some("db", db), svcs: "tcp/443", want: reach.Allowed,
			reasons: []string{
				"egress web allowed: web egress allows all to 0.0.0.0/0",
				"ingress db allowed: db ingress allows tcp/443 from web",
			},
		},
		{
			name: "unknown ports leave the answer open within their bound",
			groups: []*model.Group{webOut, {ID: "db", Rules: []model.Rule{
				{Direction: model.Ingress, Services: netset.Protocol(netset.TCP), PortsUnknown: "from_port is var.port", Peer: grp("web")},
			}}},
			from: some("web", web), to: some("db", db), svcs: "tcp/443", want: reach.Unknown,
			reasons: []string{"ingress db unknown: db ingress allows tcp from web: from_port is var.port"},
		},
		{
			name: "unknown ports do not reach outside their bound",
			groups: []*model.Group{webOut, {ID: "db", Rules: []model.Rule{
				{Direction: model.Ingress, Services: netset.Protocol(netset.TCP), PortsUnknown: "from_port is var.port", Peer: grp("web")},
			}}},
			from: some("web", web), to: some("db", db), svcs: "udp/53", want: reach.Denied,
		},
		{
			name:   "a group missing from the input has unknown rules",
			groups: []*model.Group{webOut},
			from:   some("web", web), to: some("db", exact("db", gs("sg-missing"), "10.0.2.20")), svcs: "tcp/443", want: reach.Unknown,
			reasons: []string{"ingress sg-missing unknown: sg-missing is not in the input, so its rules are unknown"},
		},
		{
			name:   "a group whose rules are not all known",
			groups: []*model.Group{webOut, {ID: "db", RulesUnknown: "for_each over var.rules"}},
			from:   some("web", web), to: some("db", db), svcs: "tcp/443", want: reach.Unknown,
			reasons: []string{"ingress db unknown: the rules of db are not all known: for_each over var.rules"},
		},
		{
			name: "a missing address set is unknown",
			groups: []*model.Group{webOut, {ID: "db", Rules: []model.Rule{
				in(model.Peer{Kind: model.PeerAddressSet, Set: "pl-gone"}, tcp443),
			}}},
			from: some("web", web), to: some("db", db), svcs: "tcp/443", want: reach.Unknown,
			reasons: []string{"ingress db unknown: db ingress allows tcp/443 from pl-gone: the entries of pl-gone are not in the input"},
		},
		{
			name: "an address set with unknown entries is unknown",
			groups: []*model.Group{webOut, {ID: "db", Rules: []model.Rule{
				in(model.Peer{Kind: model.PeerAddressSet, Set: "pl-1"}, tcp443),
			}}},
			sets: []*model.AddressSet{{ID: "pl-1", Unknown: "entries are computed"}},
			from: some("web", web), to: some("db", db), svcs: "tcp/443", want: reach.Unknown,
			reasons: []string{"ingress db unknown: db ingress allows tcp/443 from pl-1: entries are computed"},
		},
		{
			name: "unknown groups of the peer leave a group rule open",
			groups: []*model.Group{{ID: "db", Rules: []model.Rule{
				in(grp("web"), tcp443),
			}}},
			from: some("web", reach.Host{Label: "web", GroupsUnknown: "launch template is unknown", Addrs: addrs("10.0.1.10"), Exact: true}),
			to:   some("db", db), svcs: "tcp/443", want: reach.Unknown,
			reasons: []string{
				"egress - unknown: web: launch template is unknown",
				"ingress db unknown: db ingress allows tcp/443 from web",
			},
		},
		{
			name:   "an endpoint that stands for no host",
			groups: []*model.Group{webOut},
			from:   some("web", web), to: some("nothing"), svcs: "tcp/443", want: reach.Denied,
			reasons: []string{"ingress - denied: web or nothing stands for no host"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, c.run)
	}
}

func TestAskTencent(t *testing.T) {
	tcp22 := netset.Ports(netset.TCP, 22, 22)
	src := exact("ops", nil, "10.0.0.5")
	cases := []askCase{
		{
			name: "DROP before ACCEPT drops",
			groups: []*model.Group{{ID: "sg-a", Rules: []model.Rule{
				drop(in(cidr("10.0.0.0/24"), tcp22)),
				in(cidr("0.0.0.0/0"), tcp22),
			}}},
			from: some("ops", src), to: some("vm", exact("vm", gs("sg-a"), "10.0.1.1")), svcs: "tcp/22", want: reach.Denied,
			reasons: []string{"ingress sg-a denied: sg-a ingress drops tcp/22 from 10.0.0.0/24"},
		},
		{
			name: "ACCEPT before DROP accepts",
			groups: []*model.Group{{ID: "sg-a", Rules: []model.Rule{
				in(cidr("10.0.0.0/24"), tcp22),
				drop(in(cidr("0.0.0.0/0"), netset.AllServices())),
			}}},
			from: some("ops", src), to: some("vm", exact("vm", gs("sg-a"), "10.0.1.1")), svcs: "tcp/22", want: reach.Allowed,
			reasons: []string{"ingress sg-a allowed: sg-a ingress allows tcp/22 from 10.0.0.0/24"},
		},
		{
			name: "a DROP that does not match is passed over",
			groups: []*model.Group{{ID: "sg-a", Rules: []model.Rule{
				drop(in(cidr("10.9.0.0/16"), tcp22)),
				drop(in(cidr("10.0.0.0/24"), netset.Ports(netset.TCP, 23, 23))),
				in(cidr("0.0.0.0/0"), tcp22),
			}}},
			from: some("ops", src), to: some("vm", exact("vm", gs("sg-a"), "10.0.1.1")), svcs: "tcp/22", want: reach.Allowed,
		},
		{
			name: "groups are matched in binding order: DROP group first",
			groups: []*model.Group{
				{ID: "sg-deny", Rules: []model.Rule{drop(in(cidr("0.0.0.0/0"), netset.AllServices()))}},
				{ID: "sg-allow", Rules: []model.Rule{in(cidr("0.0.0.0/0"), netset.AllServices())}},
			},
			from: some("ops", src), to: some("vm", exact("vm", gs("sg-deny", "sg-allow"), "10.0.1.1")), svcs: "tcp/22", want: reach.Denied,
			reasons: []string{"ingress sg-deny denied: sg-deny ingress drops all from 0.0.0.0/0"},
		},
		{
			name: "groups are matched in binding order: ACCEPT group first",
			groups: []*model.Group{
				{ID: "sg-deny", Rules: []model.Rule{drop(in(cidr("0.0.0.0/0"), netset.AllServices()))}},
				{ID: "sg-allow", Rules: []model.Rule{in(cidr("0.0.0.0/0"), netset.AllServices())}},
			},
			from: some("ops", src), to: some("vm", exact("vm", gs("sg-allow", "sg-deny"), "10.0.1.1")), svcs: "tcp/22", want: reach.Allowed,
			reasons: []string{"ingress sg-allow allowed: sg-allow ingress allows all from 0.0.0.0/0"},
		},
		{
			name: "unmatched traffic is dropped",
			groups: []*model.Group{
				{ID: "sg-a", Rules: []model.Rule{in(cidr("10.9.0.0/16"), tcp22)}},
				{ID: "sg-b"},
			},
			from: some("ops", src), to: some("vm", exact("vm", gs("sg-a", "sg-b"), "10.0.1.1")), svcs: "tcp/22", want: reach.Denied,
			reasons: []string{
				"ingress sg-a denied: no ingress rule of sg-a matches tcp/22 from ops; unmatched traffic is dropped",
				"ingress sg-b denied: no ingress rule of sg-b matches tcp/22 from ops; unmatched traffic is dropped",
			},
		},
		{
			name:   "egress is filtered too, and both blockers are listed",
			groups: []*model.Group{{ID: "sg-a"}, {ID: "sg-b"}},
			from:   some("a", exact("a", gs("sg-a"), "10.0.0.1")), to: some("b", exact("b", gs("sg-b"), "10.0.0.2")), svcs: "tcp/22", want: reach.Denied,
			reasons: []string{
				"egress sg-a denied: no egress rule of sg-a matches tcp/22 to b; unmatched traffic is dropped",
				"ingress sg-b denied: no ingress rule of sg-b matches tcp/22 from a; unmatched traffic is dropped",
			},
		},
		{
			name: "Tencent ignores the AWS unfiltered addresses",
			groups: []*model.Group{
				{ID: "sg-a"},
			},
			opts: unfilteredAll("169.254.169.253/32"),
			from: some("a", exact("a", gs("sg-a"), "10.0.0.1")), to: some("dns", exact("dns", nil, "169.254.169.253")), svcs: "udp/53", want: reach.Denied,
		},
		{
			// Regression: a missing group used to be evaluated with AWS
			// semantics, so the AWS exemption let this through.
			name:   "a host whose only group is missing is not exempted by the AWS unfiltered addresses",
			groups: []*model.Group{{ID: "sg-a"}},
			opts:   unfilteredAll("169.254.169.253/32"),
			from:   some("a", exact("a", gs("sg-gone"), "10.0.0.1")), to: some("dns", exact("dns", nil, "169.254.169.253")), svcs: "udp/53", want: reach.Unknown,
			reasons: []string{"egress sg-gone unknown: sg-gone is not in the input, so its rules are unknown"},
		},
		{
			name: "an unknown ACCEPT before a known ACCEPT still accepts",
			groups: []*model.Group{{ID: "sg-a", Rules: []model.Rule{
				in(model.Peer{Kind: model.PeerUnknown, Why: "unknown"}, tcp22),
				in(cidr("0.0.0.0/0"), tcp22),
			}}},
			from: some("ops", src), to: some("vm", exact("vm", gs("sg-a"), "10.0.1.1")), svcs: "tcp/22", want: reach.Allowed,
		},
		{
			name: "an unknown DROP before a known ACCEPT is unknown",
			groups: []*model.Group{{ID: "sg-a", Rules: []model.Rule{
				drop(in(model.Peer{Kind: model.PeerUnknown, Why: "the template is not known"}, tcp22)),
				in(cidr("0.0.0.0/0"), tcp22),
			}}},
			from: some("ops", src), to: some("vm", exact("vm", gs("sg-a"), "10.0.1.1")), svcs: "tcp/22", want: reach.Unknown,
			reasons: []string{
				"ingress sg-a unknown: sg-a ingress drops tcp/22 from (unknown): the template is not known",
				"ingress sg-a unknown: sg-a ingress allows tcp/22 from 0.0.0.0/0",
			},
		},
		{
			name: "an unknown DROP before the default drop is denied",
			groups: []*model.Group{{ID: "sg-a", Rules: []model.Rule{
				drop(in(model.Peer{Kind: model.PeerUnknown, Why: "unknown"}, tcp22)),
			}}},
			from: some("ops", src), to: some("vm", exact("vm", gs("sg-a"), "10.0.1.1")), svcs: "tcp/22", want: reach.Denied,
		},
		{
			name: "an unknown ACCEPT before the default drop is unknown",
			groups: []*model.Group{{ID: "sg-a", Rules: []model.Rule{
				{Direction: model.Ingress, Services: netset.Protocol(netset.TCP), PortsUnknown: "var.port", Peer: cidr("0.0.0.0/0")},
			}}},
			from: some("ops", src), to: some("vm", exact("vm", gs("sg-a"), "10.0.1.1")), svcs: "tcp/22", want: reach.Unknown,
			reasons: []string{"ingress sg-a unknown: sg-a ingress allows tcp from 0.0.0.0/0: var.port"},
		},
		{
			name: "a known DROP in an earlier group decides before a missing group",
			groups: []*model.Group{
				{ID: "sg-a", Rules: []model.Rule{drop(in(cidr("0.0.0.0/0"), tcp22))}},
			},
			from: some("ops", src), to: some("vm", exact("vm", gs("sg-a", "sg-gone"), "10.0.1.1")), svcs: "tcp/22", want: reach.Denied,
		},
		{
			name: "a missing group before a known ACCEPT is unknown",
			groups: []*model.Group{
				{ID: "sg-a", Rules: []model.Rule{in(cidr("0.0.0.0/0"), tcp22)}},
			},
			from: some("ops", src), to: some("vm", exact("vm", gs("sg-gone", "sg-a"), "10.0.1.1")), svcs: "tcp/22", want: reach.Unknown,
			reasons: []string{
				"ingress sg-gone unknown: sg-gone is not in the input, so its rules are unknown",
				"ingress sg-a unknown: sg-a ingress allows tcp/22 from 0.0.0.0/0",
			},
		},
	}
	for _, c := range cases {
		c.provider = model.Tencent
		t.Run(c.name, c.run)
	}
}

// Quantifiers and address bounds.
func TestAskQuantifiersAndBounds(t *testing.T) {
	// cp accepts tcp/443 from 10.0.0.0/25 only; the nodes span 10.0.0.0/24.
	groups := func() []*model.Group {
		return []*model.Group{
			{ID: "cp", Rules: []model.Rule{in(cidr("10.0.0.0/25"), netset.Ports(netset.TCP, 443, 443))}},
		}
	}
	cp := exact("cp", gs("cp"), "10.1.0.1", "10.1.0.2")
	inside := "10.0.0.10"
	outside := "10.0.0.200"
	cases := []askCase{
		{name: "exact, some: one node inside is enough", from: some("nodes", exact("nodes", nil, inside, outside)), to: some("cp", cp), want: reach.Allowed},
		{name: "exact, every: one node outside fails", from: every("nodes", exact("nodes", nil, inside, outside)), to: some("cp", cp), want: reach.Denied,
			reasons: []string{"ingress cp denied: no ingress rule of cp allows tcp/443 from nodes"}},
		{name: "exact, every: all inside", from: every("nodes", exact("nodes", nil, inside, "10.0.0.11")), to: some("cp", cp), want: reach.Allowed},
		{name: "bound inside the rule: allowed for any real subset", from: some("nodes", bound("nodes", nil, "10.0.0.0/26")), to: some("cp", cp), want: reach.Allowed},
		{name: "bound outside the rule: denied for any real subset", from: every("nodes", bound("nodes", nil, "10.0.0.128/26")), to: some("cp", cp), want: reach.Denied},
		{name: "bound straddling the rule, some: unknown", from: some("nodes", bound("nodes", nil, "10.0.0.0/24")), to: some("cp", cp), want: reach.Unknown,
			reasons: []string{
				"ingress cp allowed: cp ingress allows tcp/443 from 10.0.0.0/25",
				"ingress cp denied: no ingress rule of cp allows tcp/443 from nodes",
				"ingress - unknown: the answer differs between parts of 10.0.0.0/24, and the input does not say which addresses nodes has",
			}},
		{name: "bound straddling the rule, every: unknown", from: every("nodes", bound("nodes", nil, "10.0.0.0/24")), to: some("cp", cp), want: reach.Unknown},
		{name: "no addresses at all: any address, IPv6 too", from: some("anyone", reach.Host{Label: "anyone"}), to: some("cp", cp), want: reach.Unknown},
		{name: "every from, some to: each node may use a different class",
			from: every("nodes", exact("nodes", nil, inside, outside)),
			to:   some("cp", cp, exact("cp-wide", gs("cp-wide"), "10.1.0.3")), want: reach.Allowed,
			reasons: []string{
				"ingress cp allowed: cp ingress allows tcp/443 from 10.0.0.0/25",
				"ingress cp-wide allowed: cp-wide ingress allows tcp/443 from 10.0.0.0/24",
			}},
		{name: "some from, every to: every class must be reached",
			from: some("nodes", exact("nodes", nil, inside)),
			to:   every("cp", cp, exact("cp-narrow", gs("cp-narrow"), "10.1.0.3")), want: reach.Denied,
			reasons: []string{"ingress cp-narrow denied: no ingress rule of cp-narrow allows tcp/443 from nodes"}},
	}
	for _, c := range cases {
		c.groups = append(groups(),
			&model.Group{ID: "cp-wide", Rules: []model.Rule{in(cidr("10.0.0.0/24"), netset.Ports(netset.TCP, 443, 443))}},
			&model.Group{ID: "cp-narrow", Rules: []model.Rule{in(cidr("10.0.0.0/30"), netset.Ports(netset.TCP, 443, 443))}},
		)
		c.svcs = "tcp/443"
		t.Run(c.name, c.run)
	}
}

func TestAskPairs(t *testing.T) {
	e := reach.New(estateOf(model.AWS,
		&model.Group{ID: "cp", Rules: []model.Rule{in(cidr("10.0.0.0/25"), netset.Ports(netset.TCP, 443, 443))}},
	), reach.Options{})
	ans := e.Ask(some("nodes", exact("ng-1", nil, "10.0.0.10", "10.0.0.200"), exact("ng-2", nil, "10.0.0.201")),
		some("cp", exact("cp", gs("cp"), "10.1.0.1")), netset.Ports(netset.TCP, 443, 443))
	if ans.Verdict != reach.Allowed || len(ans.Pairs) != 2 {
		t.Fatalf("got %v with %d pairs", ans.Verdict, len(ans.Pairs))
	}
	p1, p2 := ans.Pairs[0], ans.Pairs[1]
	if p1.From != "ng-1" || p1.To != "cp" || p1.Verdict != reach.Allowed {
		t.Errorf("pair 1 = %+v", p1)
	}
	if got := netset.Describe(p1.FromAddrs); got != "10.0.0.10/32" {
		t.Errorf("FromAddrs = %s, want 10.0.0.10/32", got)
	}
	if got := netset.Describe(p1.ToAddrs); got != "10.1.0.1/32" {
		t.Errorf("ToAddrs = %s, want 10.1.0.1/32", got)
	}
	if p2.From != "ng-2" || p2.Verdict != reach.Denied || p2.FromAddrs != nil {
		t.Errorf("pair 2 = %+v", p2)
	}
	// The answer's reasons are those of the allowing pair only.
	for _, r := range ans.Because {
		if r.Effect != reach.Allowed {
			t.Errorf("reason %q of an allowed answer", reasonString(r))
		}
	}
}

func TestAskEmptyServices(t *testing.T) {
	e := reach.New(estateOf(model.AWS), reach.Options{})
	if v := e.Ask(some("a", exact("a", nil, "10.0.0.1")), some("b", exact("b", nil, "10.0.0.2")), netset.Services{}).Verdict; v != reach.Denied {
		t.Errorf("no service = %v, want denied", v)
	}
}

func TestReasonLocations(t *testing.T) {
	gLoc := srcpos.Location{File: "main.tf", Line: 10, Address: "aws_security_group.db"}
	rLoc := srcpos.Location{File: "main.tf", Line: 20}
	e := reach.New(estateOf(model.AWS,
		&model.Group{ID: "db", Origin: gLoc, Rules: []model.Rule{
			{Direction: model.Ingress, Services: netset.Ports(netset.TCP, 5432, 5432), Peer: cidr("10.0.0.0/16"), Origin: rLoc},
			{Direction: model.Ingress, Services: netset.Ports(netset.TCP, 6432, 6432), Peer: cidr("10.0.0.0/16")},
		}},
	), reach.Options{})
	from, to := some("app", exact("app", nil, "10.0.0.1")), some("db", exact("db", gs("db"), "10.0.9.9"))
	for _, c := range []struct {
		svcs string
		want srcpos.Location
	}{
		{"tcp/5432", rLoc}, // the rule's own location
		{"tcp/6432", gLoc}, // a rule without one: its group's
		{"tcp/7432", gLoc}, // nothing allows: the group's
	} {
		ans := e.Ask(from, to, svc(t, c.svcs))
		if len(ans.Because) != 1 || ans.Because[0].Location != c.want {
			t.Errorf("%s: reasons %+v, want one at %v", c.svcs, ans.Because, c.want)
		}
	}
}

func TestFlows(t *testing.T) {
	cases := []struct {
		name     string
		provider model.Provider
		groups   []*model.Group
		from, to reach.Host
		allowed  string
		unknown  string
	}{
		{
			name: "AWS: union of both groups, cut by the peer's rules",
			groups: []*model.Group{
				{ID: "web", Rules: []model.Rule{out(cidr("0.0.0.0/0"), netset.AllServices())}},
				{ID: "db", Rules: []model.Rule{
					in(grp("web"), netset.Ports(netset.TCP, 5432, 5432)),
					in(cidr("10.0.0.0/8"), netset.Ports(netset.TCP, 443, 443)),
					in(cidr("10.0.0.0/8"), netset.Ports(netset.UDP, 53, 53)),
					in(cidr("10.0.0.0/8"), netset.ICMPType(netset.ICMP, 8, -1)),
					in(cidr("192.168.0.0/16"), netset.Ports(netset.TCP, 22, 22)),
				}},
			},
			from: exact("web", gs("web"), "10.0.1.1"), to: exact("db", gs("db"), "10.0.2.2"),
			allowed: "icmp/8 tcp/443,5432 udp/53", unknown: "none",
		},
		{
			name: "AWS: egress narrows",
			groups: []*model.Group{
				{ID: "web", Rules: []model.Rule{out(cidr("10.0.2.0/24"), netset.Ports(netset.TCP, 400, 500))}},
				{ID: "db", Rules: []model.Rule{in(grp("web"), netset.Protocol(netset.TCP))}},
			},
			from: exact("web", gs("web"), "10.0.1.1"), to: exact("db", gs("db"), "10.0.2.2"),
			allowed: "tcp/400-500", unknown: "none",
		},
		{
			name: "AWS: unknown ports",
			groups: []*model.Group{
				{ID: "db", Rules: []model.Rule{
					in(cidr("0.0.0.0/0"), netset.Ports(netset.TCP, 443, 443)),
					{Direction: model.Ingress, Services: netset.Ports(netset.TCP, 8000, 8999), PortsUnknown: "var.port", Peer: cidr("0.0.0.0/0")},
				}},
			},
			from: exact("lb", nil, "10.0.0.1"), to: exact("db", gs("db"), "10.0.2.2"),
			allowed: "tcp/443", unknown: "tcp/8000-8999",
		},
		{
			name:     "Tencent: a DROP carves a hole out of an ACCEPT",
			provider: model.Tencent,
			groups: []*model.Group{
				{ID: "sg-a", Rules: []model.Rule{
					drop(in(cidr("0.0.0.0/0"), netset.Ports(netset.TCP, 22, 22))),
					in(cidr("0.0.0.0/0"), netset.Ports(netset.TCP, 1, 1024)),
				}},
			},
			from: exact("ops", nil, "10.0.0.1"), to: exact("vm", gs("sg-a"), "10.0.2.2"),
			allowed: "tcp/1-21,23-1024", unknown: "none",
		},
		{
			name:     "Tencent: some address of a bound suffices per service when all agree",
			provider: model.Tencent,
			groups: []*model.Group{
				{ID: "sg-a", Rules: []model.Rule{
					in(cidr("10.0.0.0/25"), netset.Ports(netset.TCP, 22, 22)),
					in(cidr("10.0.0.0/24"), netset.Ports(netset.TCP, 80, 80)),
				}},
			},
			from: bound("ops", nil, "10.0.0.0/24"), to: exact("vm", gs("sg-a"), "10.0.2.2"),
			allowed: "tcp/80", unknown: "tcp/22",
		},
		{
			name: "no groups on either side: everything",
			from: exact("a", nil, "10.0.0.1"), to: exact("b", nil, "10.0.0.2"),
			allowed: "all", unknown: "none",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := c.provider
			if p == "" {
				p = model.AWS
			}
			e := reach.New(estateOf(p, c.groups...), reach.Options{})
			f := e.Flows(&c.from, &c.to)
			if f.From != c.from.Label || f.To != c.to.Label {
				t.Errorf("labels %q → %q", f.From, f.To)
			}
			if got := f.Allowed.String(); got != c.allowed {
				t.Errorf("allowed %s, want %s", got, c.allowed)
			}
			if got := f.Unknown.String(); got != c.unknown {
				t.Errorf("unknown %s, want %s", got, c.unknown)
			}
		})
	}
}

func TestVerdict(t *testing.T) {
	vs := []reach.Verdict{reach.Denied, reach.Unknown, reach.Allowed}
	for _, a := range vs {
		for _, b := range vs {
			if got := reach.And(a, b); got != min(a, b) {
				t.Errorf("And(%v, %v) = %v", a, b, got)
			}
			if got := reach.Or(a, b); got != max(a, b) {
				t.Errorf("Or(%v, %v) = %v", a, b, got)
			}
		}
	}
	for v, want := range map[reach.Verdict]string{reach.Allowed: `"allowed"`, reach.Denied: `"denied"`, reach.Unknown: `"unknown"`} {
		b, err := v.MarshalJSON()
		if err != nil || string(b) != want {
			t.Errorf("%v.MarshalJSON() = %s, %v", v, b, err)
		}
	}
	if reach.Some.String() != "some" || reach.Every.String() != "every" {
		t.Errorf("quantifier names %s, %s", reach.Some, reach.Every)
	}
}

func TestEngineGroup(t *testing.T) {
	e := reach.New(estateOf(model.AWS, &model.Group{ID: "g", Name: "web"}), reach.Options{})
	if g := e.Group("g"); g == nil || g.Name != "web" {
		t.Errorf("Group(g) = %+v", g)
	}
	if g := e.Group("missing"); g != nil {
		t.Errorf("Group(missing) = %+v, want nil", g)
	}
}
