package check

import (
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/clusterwall/clusterwall/internal/knowledge"
	"github.com/clusterwall/clusterwall/internal/model"
	"github.com/clusterwall/clusterwall/internal/netset"
	"github.com/clusterwall/clusterwall/internal/srcpos"
)

var (
	tkeVPC  = netip.MustParsePrefix("10.0.0.0/16")
	tkePods = netip.MustParsePrefix("172.16.0.0/16")
	anyIPv4 = netip.MustParsePrefix("0.0.0.0/0")
	clbHC   = netip.MustParsePrefix("100.64.0.0/10")
)

func tkeRule(dir model.Direction, act model.Action, svcs string, peer netip.Prefix) model.Rule {
	s, err := netset.ParseServices(svcs)
	if err != nil {
		panic(err)
	}
	return model.Rule{Direction: dir, Action: act, Services: s, Peer: model.Peer{Kind: model.PeerCIDR, Prefix: peer},
		Description: "default", Origin: srcpos.Location{File: "sg.json", Line: 3}}
}

// tkeCluster is a GR cluster with TKE's default worker group (seed 004,
// §6.2), an independent master group (§6.3) and a CLB without groups.
func tkeCluster() *model.Estate {
	e := model.NewEstate()
	in, out := model.Ingress, model.Egress
	acc := model.Accept
	worker := &model.Group{ID: "sg-worker", Name: "tke-worker-security-for-cls-1", Provider: model.Tencent, Origin: srcpos.Location{File: "sg.json", Line: 1}, Rules: []model.Rule{
		tkeRule(in, acc, "all", tkePods),
		tkeRule(in, acc, "all", tkeVPC),
		tkeRule(in, acc, "tcp/22", anyIPv4),
		tkeRule(in, acc, "tcp/30000-32768", anyIPv4),
		tkeRule(in, acc, "udp/30000-32768", anyIPv4),
		tkeRule(in, acc, "icmp", anyIPv4),
		tkeRule(out, acc, "all", anyIPv4),
	}}
	master := &model.Group{ID: "sg-master", Name: "tke-master", Provider: model.Tencent, Origin: srcpos.Location{File: "sg.json", Line: 20}, Rules: []model.Rule{
		tkeRule(in, acc, "icmp", anyIPv4),
		tkeRule(in, acc, "tcp/30000-32768", tkeVPC),
		tkeRule(in, acc, "udp/30000-32768", tkeVPC),
		tkeRule(in, acc, "tcp/60001,60002,10250,2380,2379,53,17443,50055,443,61678", tkeVPC),
		tkeRule(in, acc, "tcp/60001,60002,10250,2380,2379,53,17443", tkePods),
		tkeRule(in, acc, "tcp/30000-32768", tkePods),
		tkeRule(in, acc, "udp/30000-32768", tkePods),
		tkeRule(in, acc, "udp/53", tkePods),
		tkeRule(in, acc, "udp/53", tkeVPC),
		tkeRule(out, acc, "all", anyIPv4),
	}}
	e.Groups[worker.ID], e.Groups[master.ID] = worker, master
	c := &model.Cluster{Name: "cls-1", Platform: model.TKE, Independent: true,
		Networks: model.Networks{VPC: []netip.Prefix{tkeVPC}, Pods: []netip.Prefix{tkePods}},
		Members: []*model.Member{
			{Role: model.RoleNodes, Name: "pool", Groups: []string{"sg-worker"}, Addrs: []netip.Prefix{netip.MustParsePrefix("10.0.1.0/24")}},
			{Role: model.RoleControlPlane, Name: "masters", Groups: []string{"sg-master"}, Addrs: []netip.Prefix{netip.MustParsePrefix("10.0.2.0/24")}},
			{Role: model.RoleLoadBalancer, Name: "clb", Addrs: []netip.Prefix{netip.MustParsePrefix("10.0.3.0/24")}},
		}}
	e.Clusters = []*model.Cluster{c}
	return e
}

func TestTKEDefaultsWorkButAreExposed(t *testing.T) {
	res := run(t, tkeCluster(), 1)
	got := ids(res)
	for _, id := range got {
		if strings.HasSuffix(id, ":blocked") {
			t.Errorf("the TKE defaults block a required flow: %v", got)
		}
	}
	for _, want := range []string{"TKE-EXP-SSH:exposed", "TKE-EXP-NODEPORT:exposed", "TKE-EXP-ICMP:exposed"} {
		if !slices.Contains(got, want) {
			t.Errorf("missing %s in %v", want, got)
		}
	}
	if len(res.Unverified) != 0 {
		t.Errorf("unverified: %+v", res.Unverified)
	}
}

// TestEveryTKERequirementIsReportedWhenBlocked drops each requirement's
// services first in the destination group (or the source's egress for a
// destination outside every group): ordered groups make that one rule.
func TestEveryTKERequirementIsReportedWhenBlocked(t *testing.T) {
	cat := knowledge.MustLoad()
	p := cat.Platforms[string(model.TKE)]
	if len(p.Requirements) < 8 {
		t.Fatalf("only %d TKE requirements", len(p.Requirements))
	}
	sources := map[string]netip.Prefix{
		model.RoleNodes: netip.MustParsePrefix("10.0.1.0/24"), model.RolePods: tkePods,
		model.RoleLoadBalancer: netip.MustParsePrefix("10.0.3.0/24"), "100.64.0.0/10": clbHC,
	}
	for _, req := range p.Requirements {
		t.Run(req.ID, func(t *testing.T) {
			e := tkeCluster()
			from := strings.Split(req.From, "|")
			group, dir, peer := "sg-worker", model.Ingress, sources[from[len(from)-1]]
			switch req.To {
			case model.RoleControlPlane:
				group = "sg-master"
			case model.RoleVPC:
				dir, peer = model.Egress, tkeVPC
			}
			g := e.Groups[group]
			for _, part := range req.Svcs.Parts() {
				drop := model.Rule{Direction: dir, Action: model.Drop, Services: part.Services(),
					Peer: model.Peer{Kind: model.PeerCIDR, Prefix: peer}, Origin: srcpos.Location{File: "sg.json", Line: 2}}
				g.Rules = append([]model.Rule{drop}, g.Rules...)
			}
			got := ids(run(t, e, 3))
			if !slices.Contains(got, req.ID+":blocked") {
				t.Fatalf("not reported when %s drops %s from %s first: %v", group, req.Svcs, peer, got)
			}
		})
	}
}

// A DROP before the defaults closes the exposures; an ACCEPT after a
// catch-all DROP never matches.
func TestTKEOrderDecidesExposure(t *testing.T) {
	e := tkeCluster()
	w := e.Groups["sg-worker"]
	// Keep the cluster's own networks and the CLB's health checks first,
	// then drop the internet: the narrower group that keeps TKE working.
	narrower := append(slices.Clone(w.Rules[:2]),
		tkeRule(model.Ingress, model.Accept, "tcp/30000-32768", clbHC),
		tkeRule(model.Ingress, model.Drop, "all", anyIPv4))
	w.Rules = append(narrower, w.Rules[2:]...)
	res := run(t, e, 1)
	for _, f := range res.Findings {
		if f.Kind == Blocked || f.Kind == Exposed && f.Flow.To == model.RoleNodes {
			t.Errorf("after the DROP: %s %+v", f.ID, f.Flow)
		}
	}
	// Without the health-check rule the DROP breaks the CLB.
	e = tkeCluster()
	w = e.Groups["sg-worker"]
	w.Rules = append(append(slices.Clone(w.Rules[:2]), tkeRule(model.Ingress, model.Drop, "all", anyIPv4)), w.Rules[2:]...)
	if got := ids(run(t, e, 1)); !slices.Contains(got, "TKE-REQ-CLB-HEALTH:blocked") {
		t.Errorf("dropping the internet before the CLB's health checks: %v", got)
	}
}

// closedTKE is the default cluster without anything open to the internet
// and with egress only to the cluster's networks.
func closedTKE() *model.Estate {
	e := tkeCluster()
	for _, g := range e.Groups {
		var keep []model.Rule
		for _, r := range g.Rules {
			if r.Peer.Prefix != anyIPv4 {
				keep = append(keep, r)
			}
		}
		g.Rules = append(keep,
			tkeRule(model.Egress, model.Accept, "all", tkeVPC),
			tkeRule(model.Egress, model.Accept, "all", tkePods),
			tkeRule(model.Egress, model.Accept, "tcp/443", anyIPv4))
	}
	// The nodes accept the node subnet rather than the whole VPC, the
	// CLB's subnet and health checks on the node ports.
	w := e.Groups["sg-worker"]
	for i := range w.Rules {
		if w.Rules[i].Peer.Prefix == tkeVPC && w.Rules[i].Direction == model.Ingress {
			w.Rules[i].Peer.Prefix = netip.MustParsePrefix("10.0.1.0/24")
		}
	}
	w.Rules = append([]model.Rule{
		tkeRule(model.Ingress, model.Accept, "tcp/30000-32768", clbHC),
		tkeRule(model.Ingress, model.Accept, "tcp/30000-32768", netip.MustParsePrefix("10.0.3.0/24")),
	}, w.Rules...)
	return e
}

func TestEveryTKEExposureIsReportedWhenOpen(t *testing.T) {
	cat := knowledge.MustLoad()
	closed := ids(run(t, closedTKE(), 3))
	for _, id := range closed {
		if strings.Contains(id, "-EXP-") || strings.HasSuffix(id, ":blocked") {
			t.Fatalf("the closed TKE cluster reports %v", closed)
		}
	}
	for _, x := range cat.Platforms[string(model.TKE)].Exposures {
		t.Run(x.ID, func(t *testing.T) {
			e := closedTKE()
			dir, role, peer := model.Ingress, x.To[0], anyIPv4
			switch {
			case x.To[0] == model.RoleInternet:
				dir, role = model.Egress, x.From[0]
			case x.From[0] == model.RoleVPC:
				peer = tkeVPC
			}
			group := "sg-worker"
			if role == model.RoleControlPlane {
				group = "sg-master"
			}
			g := e.Groups[group]
			for _, part := range x.Svcs.Parts() {
				open := tkeRule(dir, model.Accept, part.Protocol+"/"+part.Ports, peer)
				open.Services = part.Services()
				g.Rules = append([]model.Rule{open}, g.Rules...)
			}
			if got := ids(run(t, e, 3)); !slices.Contains(got, "TKE-"+x.ID+":exposed") {
				t.Fatalf("not reported when %s is opened first on %s: %v", x.Svcs, group, got)
			}
		})
	}
}

func TestShadowedRules(t *testing.T) {
	e := tkeCluster()
	w := e.Groups["sg-worker"]
	drop := tkeRule(model.Ingress, model.Drop, "all", anyIPv4)
	drop.Origin.Line = 2
	w.Rules = append([]model.Rule{drop}, w.Rules...)
	var shadowed []Finding
	for _, f := range run(t, e, 1).Findings {
		if f.ID == "TKE-HYG-SHADOWED-RULE" {
			shadowed = append(shadowed, f)
		}
	}
	// Every ACCEPT of the default ingress is behind the catch-all DROP; the
	// findings are per rule location, and the test rules share one line.
	if len(shadowed) != 1 || shadowed[0].Severity != "medium" || shadowed[0].Title != "ACCEPT after a DROP that already matches it" {
		t.Fatalf("shadowed = %+v", shadowed)
	}
	// Two groups in binding order: the second's rule is decided by the first.
	e = tkeCluster()
	e.Groups["sg-extra"] = &model.Group{ID: "sg-extra", Provider: model.Tencent, Rules: []model.Rule{
		{Direction: model.Ingress, Action: model.Drop, Services: netset.Ports(netset.TCP, 22, 22),
			Peer: model.Peer{Kind: model.PeerCIDR, Prefix: netip.MustParsePrefix("1.2.3.4/32")}, Origin: srcpos.Location{File: "extra.json", Line: 5}},
	}}
	e.Clusters[0].Members[0].Groups = []string{"sg-worker", "sg-extra"}
	var found bool
	for _, f := range run(t, e, 1).Findings {
		found = found || f.ID == "TKE-HYG-SHADOWED-RULE" && f.Locations[0].File == "extra.json"
	}
	if !found {
		t.Error("a DROP in a later-bound group behind an earlier ACCEPT was not reported")
	}
}
