package check

import (
	"fmt"

	"github.com/clusterwall/clusterwall/internal/model"
	"github.com/clusterwall/clusterwall/internal/srcpos"
)

// mixedRules reports a group whose own declaration owns its whole rule set
// (Terraform inline ingress/egress, a Tencent rule set) while other
// resources add rules to it:
// each apply removes what the other declared, so the rules flap.
type mixedRules struct{}

func (mixedRules) Run(ctx *Context, out *Result) {
	for _, g := range ctx.clusterGroups() {
		if !g.ExclusiveRules {
			continue
		}
		locs := []srcpos.Location{g.Origin}
		n := 0
		for i := range g.Rules {
			if r := &g.Rules[i]; r.Standalone {
				n++
				locs = append(locs, ruleLocation(g, r))
			}
		}
		if n == 0 {
			continue
		}
		out.Findings = append(out.Findings, Finding{
			ID: ctx.platformID("HYG-MIXED-RULES"), Kind: Hygiene, Severity: "medium", Cluster: ctx.Cluster.Name,
			Title: "inline rules mixed with separate rule resources on one group",
			Message: fmt.Sprintf("%s's rules are owned by one declaration, and %s add more to it. That declaration owns the whole rule set, so every apply removes the separate rules and the next adds them back: the group's rules flap and plans never settle.",
				g.Label(), plural(n, "separate rule resource", "separate rule resources")),
			Locations: locs,
			Fix:       mixedFix(g),
			References: []string{
				"https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/security_group",
				"https://registry.terraform.io/providers/tencentcloudstack/tencentcloud/latest/docs/resources/security_group_rule_set",
			},
		})
	}
}

func mixedFix(g *model.Group) string {
	if g.Provider == model.Tencent {
		return "Put every rule of the group in its tencentcloud_security_group_rule_set (\"must exclusive in one security group\"), in the order they must match, and remove the separate rule resources."
	}
	return "Declare all of the group's rules one way: move the inline ingress/egress blocks into aws_vpc_security_group_ingress_rule / _egress_rule resources (the current practice), or the separate rules into inline blocks."
}
