package check

import (
	"net/netip"
	"slices"
	"testing"

	"github.com/clusterwall/clusterwall/internal/model"
	"github.com/clusterwall/clusterwall/internal/netset"
	"github.com/clusterwall/clusterwall/internal/srcpos"
)

func rule(dir model.Direction, svcs, peer, desc string) model.Rule {
	s, err := netset.ParseServices(svcs)
	if err != nil {
		panic(err)
	}
	r := model.Rule{Direction: dir, Services: s, Description: desc, Origin: srcpos.Location{File: "sg.tf", Line: 9}}
	if p, err := netip.ParsePrefix(peer); err == nil {
		r.Peer = model.Peer{Kind: model.PeerCIDR, Prefix: p}
	} else {
		r.Peer = model.Peer{Kind: model.PeerGroup, Group: peer}
	}
	return r
}

func hygiene(t *testing.T, e *model.Estate) []string {
	t.Helper()
	var out []string
	for _, id := range ids(run(t, e, 1)) {
		if len(id) > 8 && id[4:8] == "HYG-" {
			out = append(out, id)
		}
	}
	return out
}

func TestHygiene(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(e *model.Estate)
		want  []string
	}{
		{"clean", func(e *model.Estate) {}, nil},
		{"mixed inline and standalone", func(e *model.Estate) {
			g := e.Groups["node"]
			g.ExclusiveRules = true
			r := rule(model.Ingress, "tcp/8080", "10.0.0.0/16", "app")
			r.Standalone = true
			g.Rules = append(g.Rules, r)
		}, []string{"EKS-HYG-MIXED-RULES:hygiene"}},
		{"exclusive without standalone", func(e *model.Estate) { e.Groups["node"].ExclusiveRules = true }, nil},
		{"no description", func(e *model.Estate) {
			e.Groups["node"].Rules = append(e.Groups["node"].Rules, rule(model.Ingress, "tcp/8080", "10.0.0.0/16", ""))
		}, []string{"EKS-HYG-NO-DESCRIPTION:hygiene"}},
		{"default egress needs no description", func(e *model.Estate) {
			e.Groups["node"].Rules = append(e.Groups["node"].Rules, rule(model.Egress, "all", "0.0.0.0/0", ""))
		}, []string{"EKS-HYG-REDUNDANT-RULE:hygiene", "EKS-HYG-REDUNDANT-RULE:hygiene"}}, // it covers the test cluster's egress rules
		{"controller rules need no description", func(e *model.Estate) {
			e.Groups["node"].Rules = append(e.Groups["node"].Rules, rule(model.Ingress, "tcp/31000", "10.0.0.0/16", "kubernetes.io/rule/nlb/health=a1"))
		}, nil},
		{"duplicate", func(e *model.Estate) {
			e.Groups["node"].Rules = append(e.Groups["node"].Rules, rule(model.Ingress, "tcp/8080", "10.0.0.0/16", "a"), rule(model.Ingress, "tcp/8080", "10.0.0.0/16", "b"))
		}, []string{"EKS-HYG-DUPLICATE-RULE:hygiene"}},
		{"covered by a wider rule", func(e *model.Estate) {
			e.Groups["node"].Rules = append(e.Groups["node"].Rules, rule(model.Ingress, "tcp/8080", "10.0.1.0/24", "a"), rule(model.Ingress, "tcp/8000-9000", "10.0.0.0/16", "b"))
		}, []string{"EKS-HYG-REDUNDANT-RULE:hygiene"}},
		{"overlapping but not covered", func(e *model.Estate) {
			e.Groups["node"].Rules = append(e.Groups["node"].Rules, rule(model.Ingress, "tcp/8080", "10.0.1.0/24", "a"), rule(model.Ingress, "tcp/8081", "10.0.0.0/16", "b"))
		}, nil},
		{"SSH to the control plane is unused", func(e *model.Estate) {
			e.Groups["cp"].Rules = append(e.Groups["cp"].Rules, rule(model.Ingress, "tcp/22", "10.0.5.0/24", "bastion"))
		}, []string{"EKS-HYG-UNUSED-RULE:hygiene"}},
		{"control plane to nodes on a port nothing uses", func(e *model.Estate) {
			e.Groups["node"].Rules = append(e.Groups["node"].Rules, rule(model.Ingress, "tcp/22", "cp", "ssh from cp"))
		}, []string{"EKS-HYG-UNUSED-RULE:hygiene"}},
		// The test cluster admits all from cp, which the review of wider
		// control plane → nodes flows removes: the rules under it stay.
		{"a common webhook port is not unused", func(e *model.Estate) {
			e.Groups["node"].Rules = append(e.Groups["node"].Rules, rule(model.Ingress, "tcp/9443", "cp", "webhooks"))
		}, nil},
		{"covered by a rule an exposure removes", func(e *model.Estate) {
			e.Groups["node"].Rules = append(e.Groups["node"].Rules, rule(model.Ingress, "tcp/22", "0.0.0.0/0", "ssh"), rule(model.Ingress, "tcp/22", "10.0.0.0/8", "ssh from the VPN"))
		}, nil},
		{"control plane group shared with another cluster", func(e *model.Estate) {
			e.Clusters = append(e.Clusters, &model.Cluster{Name: "other", Platform: model.EKS, Endpoint: model.Endpoint{Public: model.No},
				Members: []*model.Member{{Role: model.RoleControlPlane, Groups: []string{"cp"}}}})
		}, []string{"EKS-HYG-SHARED-CONTROL-PLANE-GROUP:hygiene", "EKS-HYG-SHARED-CONTROL-PLANE-GROUP:hygiene"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := cluster(model.EKS, nil)
			tc.setup(e)
			got := hygiene(t, e)
			slices.Sort(got)
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}
