package check

import (
	"fmt"
	"slices"
	"strings"

	"github.com/clusterwall/clusterwall/internal/model"
	"github.com/clusterwall/clusterwall/internal/srcpos"
)

// sharedControlPlane reports a control-plane group that other clusters'
// control planes use too: "Amazon EKS strongly recommends that you use a
// dedicated security group for each control plane"; rules added for one
// cluster open or break the others.
type sharedControlPlane struct{}

func (sharedControlPlane) Run(ctx *Context, out *Result) {
	for _, id := range ctx.roleGroups(model.RoleControlPlane) {
		g := ctx.Estate.Groups[id]
		if g == nil || g.Implicit {
			continue
		}
		var others []string
		for _, c := range ctx.Estate.Clusters {
			if c == ctx.Cluster {
				continue
			}
			for _, m := range c.MembersOf(model.RoleControlPlane) {
				if slices.Contains(m.Groups, id) && !slices.Contains(others, c.Name) {
					others = append(others, c.Name)
				}
			}
		}
		if len(others) == 0 {
			continue
		}
		out.Findings = append(out.Findings, Finding{
			ID: ctx.platformID("HYG-SHARED-CONTROL-PLANE-GROUP"), Kind: Hygiene, Severity: "medium", Cluster: ctx.Cluster.Name,
			Title:      "control-plane security group shared between clusters",
			Message:    fmt.Sprintf("%s is on the control plane of %s and of %s: a rule added for one cluster's nodes or clients opens (or a rule removed breaks) the others.", g.Label(), ctx.Cluster.Name, strings.Join(others, ", ")),
			Locations:  []srcpos.Location{g.Origin},
			Fix:        "Give each cluster's control plane a security group of its own.",
			References: []string{"https://docs.aws.amazon.com/eks/latest/userguide/sec-group-reqs.html"},
		})
	}
}
