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
