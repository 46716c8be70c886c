package check

import (
	"fmt"

	"github.com/clusterwall/clusterwall/internal/model"
	"github.com/clusterwall/clusterwall/internal/remedy"
	"github.com/clusterwall/clusterwall/internal/srcpos"
)

// redundantRules reports rules of an AWS group that another rule of the
// same group already covers: the same peer (or a wider CIDR) and the same
// services or more. They change nothing but cost rule quota and review.
// (Tencent groups are ordered; their shadowed rules are another check.)
type redundantRules struct{}

func (redundantRules) Run(ctx *Context, out *Result) {
	// A rule that an exposure finding removes is not a reason to remove the
	// narrower rules it covers: they are what stays (the kubelet rule under
	// the legacy 1025-65535, the HTTPS rule beside an allow-all egress).
	removed := map[string]bool{}
	for _, f := range out.Findings {
		if f.Cluster == ctx.Cluster.Name && f.Kind == Exposed {
			for _, c := range f.Changes {
				if c.Remove {
					removed[c.Key()] = true
				}
			}
		}
	}
	for _, g := range ctx.clusterGroups() {
		if g.Provider != model.AWS || g.Implicit {
			continue
		}
		for i := range g.Rules {
			r := &g.Rules[i]
			for j := range g.Rules {
				o := &g.Rules[j]
				if i == j || !r.Known() || !o.Known() || r.Direction != o.Direction || ctx.platformMade(g, r) || inModule(o) || !covers(o, r) {
					continue
				}
				if removed[remedy.Change{Remove: true, Group: g.ID, Rule: *o}.Key()] {
					continue
				}
				same := covers(r, o)
				if same && j > i {
					continue // report the later of two identical rules, once
				}
				id, title, what := "HYG-REDUNDANT-RULE", "rule covered by another rule of its group", "covers it"
				if same {
					id, title, what = "HYG-DUPLICATE-RULE", "duplicate rule", "is the same rule"
				}
				out.Findings = append(out.Findings, Finding{
					ID: ctx.platformID(id), Kind: Hygiene, Severity: "low", Cluster: ctx.Cluster.Name, Title: title,
					Message: fmt.Sprintf("%s %s allows %s %s %s: another rule allowing %s %s %s, at %s, %s.", g.Label(), r.Direction, r.Services, prep(r.Direction), r.Peer,
						o.Services, prep(o.Direction), o.Peer, ruleLocation(g, o), what),
					Locations:  []srcpos.Location{ruleLocation(g, r), ruleLocation(g, o)},
					Fix:        fmt.Sprintf("Remove the rule at %s; it allows nothing the other does not.", ruleLocation(g, r)),
					References: []string{"https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html"},
				})
				break
			}
		}
	}
}

func prep(d model.Direction) string {
	if d == model.Egress {
		return "to"
	}
	return "from"
}

// covers reports whether rule o matches everything rule r matches.
func covers(o, r *model.Rule) bool {
	if o.Action != r.Action || !o.Services.ContainsAll(r.Services) || o.Peer.Kind != r.Peer.Kind || len(o.Peer.Except) > 0 || o.Peer.Maybe != "" {
		return false
	}
	switch r.Peer.Kind {
	case model.PeerCIDR:
		return len(r.Peer.Except) == 0 && o.Peer.Prefix.Bits() <= r.Peer.Prefix.Bits() && o.Peer.Prefix.Contains(r.Peer.Prefix.Addr())
	case model.PeerGroup:
		return o.Peer.Group == r.Peer.Group
	case model.PeerAddressSet:
		return o.Peer.Set == r.Peer.Set
	}
	return false
}
