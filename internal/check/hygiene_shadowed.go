package check

import (
	"fmt"

	"github.com/clusterwall/clusterwall/internal/model"
	"github.com/clusterwall/clusterwall/internal/srcpos"
)

// shadowedRules reports rules of ordered (Tencent) groups that can never
// match because an earlier rule — in the same group, or in a group bound
// before it on the same instances — already matches everything they do.
// An ACCEPT behind a DROP (or a DROP behind an ACCEPT) does not do what it
// says: the traffic it names is decided the other way.
type shadowedRules struct{}

type orderedRule struct {
	g *model.Group
	r *model.Rule
}

func (shadowedRules) Run(ctx *Context, out *Result) {
	reported := map[srcpos.Location]bool{}
	for _, m := range ctx.Cluster.Members {
		for _, dir := range []model.Direction{model.Ingress, model.Egress} {
			var seen []orderedRule
			for _, id := range m.Groups {
				g := ctx.Estate.Groups[id]
				if g == nil || g.Provider != model.Tencent || g.RulesUnknown != "" {
					seen = nil // an unknown group in between: nothing after it is decided
					break
				}
				for _, r := range g.RulesOf(dir) {
					if !r.Known() {
						seen = append(seen, orderedRule{g, r})
						continue
					}
					for _, earlier := range seen {
						if !earlier.r.Known() || !coversIgnoringAction(earlier.r, r) {
							continue
						}
						loc := ruleLocation(g, r)
						if !reported[loc] {
							reported[loc] = true
							out.Findings = append(out.Findings, ctx.shadowFinding(m, orderedRule{g, r}, earlier))
						}
						break
					}
					seen = append(seen, orderedRule{g, r})
				}
			}
		}
	}
}

func coversIgnoringAction(o, r *model.Rule) bool {
	oo := *o
	oo.Action = r.Action
	return covers(&oo, r)
}

func (ctx *Context) shadowFinding(m *model.Member, late, early orderedRule) Finding {
	sev, effect := "low", "it changes nothing and may go"
	if late.r.Action != early.r.Action {
		sev = "medium"
		effect = fmt.Sprintf("the traffic it would %s is %s by the earlier rule: the rule does not do what it says", actionVerb(late.r.Action), actionPast(early.r.Action))
	}
	where := "its group"
	if late.g != early.g {
		where = fmt.Sprintf("%s, bound before %s on %s", early.g.Label(), late.g.Label(), m.Qualified())
	}
	title := "rule can never match"
	if early.r.Action == model.Drop && late.r.Action == model.Accept {
		title = "ACCEPT after a DROP that already matches it"
	}
	return Finding{
		ID: ctx.platformID("HYG-SHADOWED-RULE"), Kind: Hygiene, Severity: sev, Cluster: ctx.Cluster.Name, Title: title,
		Message: fmt.Sprintf("%s %s %s %s %s %s can never match: the earlier %s %s %s %s in %s matches all of it first, and the first match wins; %s.",
			late.g.Label(), late.r.Direction, late.r.Action, late.r.Services, prep(late.r.Direction), late.r.Peer,
			early.r.Action, early.r.Services, prep(early.r.Direction), early.r.Peer, where, effect),
		Locations:  []srcpos.Location{ruleLocation(late.g, late.r), ruleLocation(early.g, early.r)},
		Fix:        fmt.Sprintf("Move the rule at %s above the rule at %s, or remove it.", ruleLocation(late.g, late.r), ruleLocation(early.g, early.r)),
		References: []string{"https://www.tencentcloud.com/document/product/213/12452"},
	}
}

func actionVerb(a model.Action) string {
	if a == model.Drop {
		return "drop"
	}
	return "accept"
}

func actionPast(a model.Action) string {
	if a == model.Drop {
		return "dropped"
	}
	return "accepted"
}
