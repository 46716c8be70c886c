package check

import (
	"fmt"
	"strings"

	"github.com/clusterwall/clusterwall/internal/model"
	"github.com/clusterwall/clusterwall/internal/srcpos"
)

// clusterTag reports nodes that have more than one group tagged
// kubernetes.io/cluster/<name>. The AWS Load Balancer Controller (and the
// legacy in-tree service controller) need exactly one such group on a
// node's interface to add load-balancer rules to, and fail with "expected
// exactly one securityGroup tagged with kubernetes.io/cluster/<name>".
type clusterTag struct{}

var clusterTagReferences = []string{
	"https://github.com/kubernetes-sigs/aws-load-balancer-controller/blob/main/pkg/networking/networking_manager.go",
	"https://github.com/terraform-aws-modules/terraform-aws-eks/blob/master/docs/faq.md",
	"https://docs.aws.amazon.com/eks/latest/userguide/sec-group-reqs.html",
}

func (clusterTag) Run(ctx *Context, out *Result) {
	c := ctx.Cluster
	if c.Platform != model.EKS {
		return
	}
	key := "kubernetes.io/cluster/" + c.Name
	for _, m := range c.MembersOf(model.RoleNodes) {
		if len(m.Groups) < 2 || m.GroupsUnknown != "" {
			continue
		}
		var tagged []string
		var locs []srcpos.Location
		for _, id := range m.Groups {
			if g := ctx.Estate.Groups[id]; g != nil && g.Tags[key] != "" {
				tagged = append(tagged, ctx.groupLabel(id))
				locs = append(locs, g.Origin)
			}
		}
		if len(tagged) < 2 {
			continue
		}
		ctx.explainControllerBlocked(m, key, len(tagged), out)
		out.Findings = append(out.Findings, Finding{
			ID: "EKS-HYG-CLUSTER-TAG", Kind: Hygiene, Severity: "medium", Cluster: c.Name,
			Title:      fmt.Sprintf("more than one security group of a node is tagged %s", key),
			Message:    fmt.Sprintf("The interfaces of %s have %s tagged %s: %s. The AWS Load Balancer Controller needs exactly one, and fails to add load-balancer rules with \"expected exactly one securityGroup tagged with %s\".", m.Qualified(), plural(len(tagged), "group", "groups"), key, strings.Join(tagged, ", "), key),
			Locations:  locs,
			Fix:        fmt.Sprintf("Keep the tag %s on one group of the node (the node security group) and remove it from the others; with terraform-aws-eks, do not combine attach_cluster_primary_security_group = true with the module's node security group.", key),
			References: clusterTagReferences,
		})
	}
}

// explainControllerBlocked says, in the blocked findings from a load
// balancer the AWS Load Balancer Controller manages to a node member, why
// the controller did not open the flow itself: it adds the rule to the one
// group of the node's interface tagged for the cluster, and there is more
// than one.
func (ctx *Context) explainControllerBlocked(m *model.Member, key string, n int, out *Result) {
	c := ctx.Cluster
	for i := range out.Findings {
		f := &out.Findings[i]
		if f.Cluster != c.Name || f.Kind != Blocked || f.Flow == nil || f.Flow.From != model.RoleLoadBalancer || f.Flow.To != model.RoleNodes ||
			!strings.Contains(f.Message, "→ "+m.Qualified()+":") && !strings.Contains(f.Message, "→ "+m.Qualified()+";") || !ctx.controllerBalancer(f.Message) {
			continue
		}
		f.Message += fmt.Sprintf(" The AWS Load Balancer Controller opens this itself on the one group of the nodes tagged %s, but %s has %d such groups, so it opens nothing (EKS-HYG-CLUSTER-TAG).", key, m.Qualified(), n)
		f.Fix = fmt.Sprintf("Keep the tag %s on one group of %s so that the controller adds its rule, or open the flow yourself. %s", key, m.Qualified(), f.Fix)
	}
}

// controllerBalancer reports whether a message names a load balancer whose
// group a load-balancer controller made.
func (ctx *Context) controllerBalancer(msg string) bool {
	for _, lb := range ctx.Cluster.MembersOf(model.RoleLoadBalancer) {
		if !strings.Contains(msg, lb.Qualified()+" → ") {
			continue
		}
		for _, id := range lb.Groups {
			if g := ctx.Estate.Groups[id]; g != nil && controllerGroup(g) {
				return true
			}
		}
	}
	return false
}
