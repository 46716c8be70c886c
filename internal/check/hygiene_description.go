package check

import (
	"fmt"

	"github.com/clusterwall/clusterwall/internal/srcpos"
)

// missingDescriptions reports the cluster's groups whose rules say nothing
// of why they exist; rules the platform made are left out.
type missingDescriptions struct{}

func (missingDescriptions) Run(ctx *Context, out *Result) {
	for _, g := range ctx.clusterGroups() {
		var locs []srcpos.Location
		for i := range g.Rules {
			r := &g.Rules[i]
			if r.Description == "" && !ctx.platformMade(g, r) {
				locs = append(locs, ruleLocation(g, r))
			}
		}
		if len(locs) == 0 {
			continue
		}
		out.Findings = append(out.Findings, Finding{
			ID: ctx.platformID("HYG-NO-DESCRIPTION"), Kind: Hygiene, Severity: "low", Cluster: ctx.Cluster.Name,
			Title:      "security group rules without descriptions",
			Message:    fmt.Sprintf("%s of %s %s no description: the next reviewer cannot tell why it exists or whether it may go.", plural(len(locs), "rule", "rules"), g.Label(), verbHas(len(locs))),
			Locations:  locs,
			Fix:        "Give each rule a description that says what needs it (\"kubelet from the control plane\", \"ALB to NodePorts\").",
			References: []string{"https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html"},
		})
	}
}

func verbHas(n int) string {
	if n == 1 {
		return "has"
	}
	return "have"
}
