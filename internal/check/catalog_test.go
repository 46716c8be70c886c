package check

import (
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/clusterwall/clusterwall/internal/assemble"
	"github.com/clusterwall/clusterwall/internal/knowledge"
	"github.com/clusterwall/clusterwall/internal/model"
	"github.com/clusterwall/clusterwall/internal/netset"
	"github.com/clusterwall/clusterwall/internal/reach"
	"github.com/clusterwall/clusterwall/internal/srcpos"
)

// Every catalog entry is tested here against a small cluster built for
// it: the flow it names is taken away (a requirement must then be
// reported blocked) or opened to the internet (an exposure must then be
// reported), and a cluster without that change must not report it.

var vpcCIDR = netip.MustParsePrefix("10.0.0.0/16")

// cluster builds an EKS cluster whose groups cp, node, lb and mon allow
// each other everything except what open() withholds, and egress
// everything; extra rules may be added to the node group's ingress.
func cluster(platform model.Platform, withhold func(from, to string) netset.Services, extra ...model.Rule) *model.Estate {
	e := model.NewEstate()
	provider := model.AWS
	if platform == model.TKE {
		provider = model.Tencent
	}
	names := []string{"cp", "node", "lb", "mon", "pod"}
	for _, g := range names {
		grp := &model.Group{ID: g, Name: g, Provider: provider, Origin: srcpos.Location{File: "sg.tf", Line: 1, Address: g}}
		for _, from := range names {
			svcs := netset.AllServices()
			if withhold != nil {
				svcs = svcs.Minus(withhold(from, g))
			}
			grp.Rules = append(grp.Rules, model.Rule{Direction: model.Ingress, Services: svcs, Peer: model.Peer{Kind: model.PeerGroup, Group: from}, Description: "test"})
		}
		egress := netset.AllServices()
		if withhold != nil {
			egress = egress.Minus(withhold(g, model.RoleInternet))
		}
		grp.Rules = append(grp.Rules,
			model.Rule{Direction: model.Egress, Services: egress, Peer: model.Peer{Kind: model.PeerCIDR, Prefix: vpcCIDR}, Description: "test"},
			model.Rule{Direction: model.Egress, Services: netset.Ports(netset.TCP, 443, 443).Intersect(egress),
				Peer: model.Peer{Kind: model.PeerCIDR, Prefix: netip.MustParsePrefix("0.0.0.0/0")}, Description: "test"})
		if g == "node" {
			grp.Rules = append(grp.Rules, extra...)
		}
		e.Groups[g] = grp
	}
	c := &model.Cluster{Name: "t", Platform: platform, Networks: model.Networks{VPC: []netip.Prefix{vpcCIDR}},
		Endpoint: model.Endpoint{Public: model.No},
		Members: []*model.Member{
			{Role: model.RoleControlPlane, Groups: []string{"cp"}},
			{Role: model.RoleNodes, Name: "ng", Groups: []string{"node"}},
			{Role: model.RoleLoadBalancer, Name: "alb", Groups: []string{"lb"}},
			{Role: model.RoleMonitoring, Name: "prom", Groups: []string{"mon"}},
			{Role: model.RolePods, Name: "sgp", Groups: []string{"pod"}},
		}}
	e.Clusters = []*model.Cluster{c}
	return e
}

func run(t *testing.T, e *model.Estate, level int, addons ...model.AddOn) Result {
	t.Helper()
	cat := knowledge.MustLoad()
	if err := assemble.Apply(e, cat, assemble.Options{AddOns: addons}); err != nil {
		t.Fatal(err)
	}
	return Run(e, cat, reach.New(e, reach.Options{}), Options{Level: level})
}

func ids(res Result) []string {
	var out []string
	for _, f := range res.Findings {
		out = append(out, f.ID+":"+f.Kind)
	}
	return out
}

// groupOf is the test cluster's group for a role.
func groupOf(role string) string {
	switch role = strings.Split(role, "|")[0]; role {
	case model.RoleControlPlane:
		return "cp"
	case model.RoleLoadBalancer:
		return "lb"
	case model.RoleMonitoring:
		return "mon"
	case model.RolePods:
		return "pod"
	case model.RoleInternet + "+" + model.RoleVPC, model.RoleInternet:
		return model.RoleInternet
	}
	return "node"
}

func TestEveryRequirementIsReportedWhenBlocked(t *testing.T) {
	cat := knowledge.MustLoad()
	type entry struct {
		id    string
		req   *knowledge.Requirement
		addon *model.AddOn
	}
	var entries []entry
	for _, p := range cat.Platforms {
		if p.Platform != string(model.EKS) {
			continue
		}
		for i := range p.Requirements {
			entries = append(entries, entry{p.Requirements[i].ID, &p.Requirements[i], nil})
		}
	}
	for _, a := range cat.AddOns {
		if !slices.Contains(a.Platforms, string(model.EKS)) {
			continue
		}
		for i := range a.Requirements {
			r := &a.Requirements[i]
			inst := &model.AddOn{Name: a.Name, Source: "--addons"}
			switch {
			case slices.Contains(r.When.Source, knowledge.SourceEKSAddOn):
				inst.Source = "aws_eks_addon"
			case strings.HasPrefix(r.When.Version, "<"):
				inst.Version = "0.1.0"
			}
			entries = append(entries, entry{"EKS-" + r.ID, r, inst})
		}
	}
	if len(entries) < 20 {
		t.Fatalf("only %d requirements in the catalog", len(entries))
	}
	for _, en := range entries {
		t.Run(en.id, func(t *testing.T) {
			var addons []model.AddOn
			if en.addon != nil {
				addons = []model.AddOn{*en.addon}
			}
			open := run(t, cluster(model.EKS, nil), 3, addons...)
			if slices.Contains(ids(open), en.id+":blocked") {
				t.Fatalf("reported on a cluster that allows everything: %v", ids(open))
			}
			from, to := groupOf(en.req.From), groupOf(en.req.To)
			blocked := run(t, cluster(model.EKS, func(f, g string) netset.Services {
				if f == from && g == to {
					return en.req.Svcs
				}
				return netset.Services{}
			}), 3, addons...)
			if !slices.Contains(ids(blocked), en.id+":blocked") {
				t.Fatalf("not reported when %s → %s %s is withheld: %v", from, to, en.req.Svcs, ids(blocked))
			}
			for _, f := range blocked.Findings {
				if f.ID == en.id && (f.Fix == "" || len(f.References) == 0 || len(f.Locations) == 0) {
					t.Errorf("finding lacks a fix, references or locations: %+v", f)
				}
			}
		})
	}
}

func TestEveryExposureIsReportedWhenOpen(t *testing.T) {
	cat := knowledge.MustLoad()
	p := cat.Platforms[string(model.EKS)]
	for i := range p.Exposures {
		x := &p.Exposures[i]
		t.Run(x.ID, func(t *testing.T) {
			id := "EKS-" + x.ID
			closed := run(t, cluster(model.EKS, nil), 3)
			if slices.Contains(ids(closed), id+":exposed") {
				t.Fatalf("reported on a cluster closed to the internet: %v", ids(closed))
			}
			// open adds rules for the entry's services on the role end, with
			// the range end's peer.
			open := func(peer string) *model.Estate {
				e := cluster(model.EKS, nil)
				dir, role := model.Ingress, x.To[0]
				if x.To[0] == model.RoleInternet {
					dir, role = model.Egress, x.From[0]
				}
				g := e.Groups[groupOf(role)]
				for _, part := range x.Svcs.Parts() {
					g.Rules = append(g.Rules, model.Rule{Direction: dir, Services: part.Services(),
						Peer: model.Peer{Kind: model.PeerCIDR, Prefix: netip.MustParsePrefix(peer)}, Description: "open"})
				}
				return e
			}
			wide, narrow := "0.0.0.0/0", "52.1.2.3/32"
			if x.From[0] == model.RoleVPC {
				wide, narrow = vpcCIDR.String(), "10.0.1.0/24"
			}
			if res := run(t, open(wide), 3); !slices.Contains(ids(res), id+":exposed") {
				t.Fatalf("not reported when %s is open to %s: %v", x.Svcs, wide, ids(res))
			}
			if res := run(t, open(narrow), 3); slices.Contains(ids(res), id+":exposed") {
				t.Fatalf("%s was taken for the whole range: %v", narrow, ids(res))
			}
			if x.Level > 1 {
				if res := run(t, open(wide), x.Level-1); slices.Contains(ids(res), id+":exposed") {
					t.Fatalf("reported below level %d: %v", x.Level, ids(res))
				}
			}
		})
	}
}

func TestDocumentationAndPrivateRangesAreNotTheInternet(t *testing.T) {
	ssh := func(src string) []Finding {
		e := cluster(model.EKS, nil)
		e.Groups["node"].Rules = append(e.Groups["node"].Rules, model.Rule{Direction: model.Ingress,
			Services: netset.Ports(netset.TCP, 22, 22), Peer: model.Peer{Kind: model.PeerCIDR, Prefix: netip.MustParsePrefix(src)}})
		var out []Finding
		for _, f := range run(t, e, 1).Findings {
			if f.ID == "EKS-EXP-SSH" {
				out = append(out, f)
			}
		}
		return out
	}
	for _, src := range []string{"10.0.0.0/8", "192.168.0.0/16", "203.0.113.0/24", "100.64.0.0/10", "fd00::/8", "2001:db8::/32"} {
		if fs := ssh(src); len(fs) != 0 {
			t.Errorf("SSH from %s: %+v", src, fs)
		}
	}
	// A /12 of public space is not all of the internet: one step lower.
	if fs := ssh("52.0.0.0/12"); len(fs) != 1 || fs[0].Severity != "medium" {
		t.Errorf("SSH from 52.0.0.0/12: %+v", fs)
	}
	if fs := ssh("0.0.0.0/0"); len(fs) != 1 || fs[0].Severity != "high" {
		t.Errorf("SSH from 0.0.0.0/0: %+v", fs)
	}
}

// With only the public endpoint, nodes reach the API from their NAT
// gateway's addresses: whether publicAccessCidrs holds them is unknown,
// unless it is open to everyone.
func TestPublicEndpointThroughNAT(t *testing.T) {
	for _, tc := range []struct {
		cidr    string
		private model.Tri
		want    string
	}{
		{"52.1.2.3/32", model.No, "unverified"},
		{"0.0.0.0/0", model.No, "allowed"},
		{"52.1.2.3/32", model.Yes, "blocked"},
	} {
		e := cluster(model.EKS, func(from, to string) netset.Services {
			if to == "cp" {
				return netset.Ports(netset.TCP, 443, 443) // the private endpoint's group says no
			}
			return netset.Services{}
		})
		c := e.Clusters[0]
		c.Endpoint = model.Endpoint{Public: model.Yes, Private: tc.private, PublicCIDRs: []netip.Prefix{netip.MustParsePrefix(tc.cidr)}}
		c.Origin = srcpos.Location{File: "eks.tf", Line: 3}
		res := run(t, e, 1)
		got := "allowed"
		if slices.Contains(ids(res), "EKS-REQ-API:blocked") {
			got = "blocked"
		}
		for _, u := range res.Unverified {
			if u.ID == "EKS-REQ-API" {
				got = "unverified"
			}
		}
		if got != tc.want {
			t.Errorf("public %s, private %v: %s, want %s (%v)", tc.cidr, tc.private, got, tc.want, ids(res))
		}
	}
}

func TestEveryWiderReviewIsReported(t *testing.T) {
	cat := knowledge.MustLoad()
	for _, w := range cat.Platforms[string(model.EKS)].Wider {
		t.Run(w.ID, func(t *testing.T) {
			id := "EKS-" + w.ID
			only := func(keep netset.Services) func(from, to string) netset.Services {
				return func(from, to string) netset.Services {
					if from == groupOf(w.From) && to == groupOf(w.To[0]) {
						return netset.AllServices().Minus(keep)
					}
					return netset.Services{}
				}
			}
			narrow := netset.Ports(netset.TCP, 10250, 10250).Union(netset.Ports(netset.TCP, 443, 443)).Union(netset.Ports(netset.TCP, 9443, 9443))
			if res := run(t, cluster(model.EKS, only(narrow)), 1); slices.Contains(ids(res), id+":exposed") {
				t.Fatalf("reported for a few deliberate ports: %v", ids(res))
			}
			if res := run(t, cluster(model.EKS, only(netset.Ports(netset.TCP, 1025, 65535))), 1); !slices.Contains(ids(res), id+":exposed") {
				t.Fatalf("not reported for 1025-65535: %v", ids(res))
			}
		})
	}
}
