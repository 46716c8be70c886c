package check

import (
	"fmt"
	"slices"
	"strings"

	"github.com/clusterwall/clusterwall/internal/model"
	"github.com/clusterwall/clusterwall/internal/netset"
	"github.com/clusterwall/clusterwall/internal/srcpos"
)

// unusedRules reports rules that allow nothing the cluster or its add-ons
// use, where that is known: ingress to a managed control plane on other
// ports than the API server's (the masters of an independent TKE cluster
// are the user's own instances, which admins log in to and agents
// scrape), and ingress to the nodes from the control plane on
// ports that neither a required flow nor any add-on of the catalog uses (a
// module's rule for a common webhook port is not flagged because the
// add-on was not declared). They are candidates for removal.
type unusedRules struct{}

func (unusedRules) Run(ctx *Context, out *Result) {
	cp := ctx.roleGroups(model.RoleControlPlane)
	nodes := ctx.roleGroups(model.RoleNodes)
	api := netset.Ports(netset.TCP, 443, 443)
	for _, a := range ctx.requirements() {
		if slices.Contains(strings.Split(a.Req.To, "|"), model.RoleControlPlane) {
			api = api.Union(a.Req.Svcs)
		}
	}
	toNodes := ctx.needed(model.RoleControlPlane, []string{model.RoleNodes, model.RolePods}).Union(netset.Ports(netset.TCP, 443, 443))
	for _, a := range ctx.Catalog.AddOns {
		for _, r := range a.Requirements {
			if r.From == model.RoleControlPlane {
				toNodes = toNodes.Union(r.Svcs)
			}
		}
	}
	for _, g := range ctx.clusterGroups() {
		if g.Implicit || g.ID == ctx.Cluster.ClusterGroup {
			continue
		}
		onCP, onNodes := slices.Contains(cp, g.ID), slices.Contains(nodes, g.ID)
		for i := range g.Rules {
			r := &g.Rules[i]
			if r.Direction != model.Ingress || !r.Known() || r.Action != model.Accept || ctx.platformMade(g, r) || onlyICMP(r.Services) {
				continue
			}
			var why string
			switch {
			case onCP && !onNodes && !ctx.Cluster.Independent && !r.Services.Overlaps(api) && !selfRule(g, r):
				why = fmt.Sprintf("the control plane serves only %s to the cluster", api)
			case onNodes && !onCP && r.Peer.Kind == model.PeerGroup && slices.Contains(cp, r.Peer.Group) && !slices.Contains(nodes, r.Peer.Group) && !r.Services.Overlaps(toNodes):
				why = fmt.Sprintf("the control plane uses only %s on the nodes (kubelet, extension API servers and the add-ons clusterwall knows)", toNodes)
			default:
				continue
			}
			out.Findings = append(out.Findings, Finding{
				ID: ctx.platformID("HYG-UNUSED-RULE"), Kind: Hygiene, Severity: "info", Cluster: ctx.Cluster.Name,
				Title:      "rule allows nothing the cluster uses",
				Message:    fmt.Sprintf("%s ingress allows %s from %s, but %s: a candidate for removal unless something outside the cluster needs it.", g.Label(), r.Services, r.Peer, why),
				Locations:  []srcpos.Location{ruleLocation(g, r)},
				Fix:        fmt.Sprintf("Remove the rule at %s, or declare the add-on that needs it with --addons.", ruleLocation(g, r)),
				References: []string{"https://docs.aws.amazon.com/eks/latest/userguide/sec-group-reqs.html"},
			})
		}
	}
}

func selfRule(g *model.Group, r *model.Rule) bool {
	return r.Peer.Kind == model.PeerGroup && r.Peer.Group == g.ID
}

// onlyICMP: ping and its errors are diagnostics, not services to remove
// (and ICMP open to the internet is an exposure finding of its own).
func onlyICMP(s netset.Services) bool {
	for _, p := range s.Protocols() {
		if !netset.IsICMP(p) {
			return false
		}
	}
	return !s.IsEmpty()
}
