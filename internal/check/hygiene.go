package check

import (
	"slices"
	"strings"

	"github.com/clusterwall/clusterwall/internal/model"
	"github.com/clusterwall/clusterwall/internal/srcpos"
)

// The hygiene checks look at the groups the cluster's members use; an
// account's other groups are not the cluster's concern.

// clusterGroups returns the groups the cluster's members have, in the
// order first seen, leaving out what the platform runs (the public API
// endpoint) and groups the input does not describe.
func (ctx *Context) clusterGroups() []*model.Group {
	var out []*model.Group
	seen := map[string]bool{}
	for _, m := range ctx.Cluster.Members {
		if m.IsAPIEndpoint() {
			continue
		}
		for _, id := range m.Groups {
			g := ctx.Estate.Groups[id]
			if seen[id] || g == nil || g.RulesUnknown != "" {
				continue
			}
			seen[id] = true
			out = append(out, g)
		}
	}
	return out
}

// roleGroups returns the keys of the groups the members of a role have.
func (ctx *Context) roleGroups(role string) []string {
	var out []string
	for _, m := range ctx.Cluster.MembersOf(role) {
		if m.IsAPIEndpoint() {
			continue
		}
		for _, id := range m.Groups {
			if !slices.Contains(out, id) {
				out = append(out, id)
			}
		}
	}
	return out
}

// ruleLocation is where a rule is, or its group when the rule has no
// place of its own.
func ruleLocation(g *model.Group, r *model.Rule) srcpos.Location {
	if !r.Origin.IsZero() {
		return r.Origin
	}
	return g.Origin
}

// platformMade reports rules the user did not write and would see put
// back if removed: the platform's own group's, AWS's default allow-all
// egress, what Kubernetes controllers manage (the Load Balancer
// Controller's groups and rules, the in-tree service controller's
// "kubernetes.io/rule/…" rules), and registry modules' rules.
func (ctx *Context) platformMade(g *model.Group, r *model.Rule) bool {
	if g.Implicit || g.ID == ctx.Cluster.ClusterGroup || controllerGroup(g) {
		return true
	}
	if controllerDescription(r) || inModule(r) {
		return true
	}
	return r.Direction == model.Egress && r.Services.IsAll() && r.Peer.Kind == model.PeerCIDR && r.Peer.Prefix.Bits() == 0
}

// controllerGroup reports groups a Kubernetes load-balancer controller
// created for itself.
func controllerGroup(g *model.Group) bool {
	for k := range g.Tags {
		if strings.HasPrefix(k, "elbv2.k8s.aws/") || strings.HasPrefix(k, "service.k8s.aws/") || strings.HasPrefix(k, "ingress.k8s.aws/") {
			return true
		}
	}
	return strings.HasPrefix(g.Name, "k8s-elb-")
}

// controllerDescription reports a rule a Kubernetes load-balancer
// controller wrote, by its description: the in-tree service controller's
// "kubernetes.io/rule/…", the AWS Load Balancer Controller's
// "elbv2.k8s.aws/…".
func controllerDescription(r *model.Rule) bool {
	return strings.HasPrefix(r.Description, "kubernetes.io/rule/") || strings.HasPrefix(r.Description, "elbv2.k8s.aws/")
}

// inModule reports a rule written in a registry module's code, not the
// user's: the module's inputs are what the user can change.
func inModule(r *model.Rule) bool { return strings.Contains(r.Origin.File, ".terraform/modules/") }
