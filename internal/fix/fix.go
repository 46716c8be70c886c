// Package fix finds the smallest set of rule changes that clears the
// blocked and exposed findings of an estate: it applies the changes each
// finding asks for to a copy of the estate, checks again — removing an
// exposing rule may block a flow the rule also carried, which then asks
// for a narrower rule — and stops when nothing is left or nothing more
// can be done.
package fix

import (
	"cmp"
	"maps"
	"slices"

	"github.com/clusterwall/clusterwall/internal/check"
	"github.com/clusterwall/clusterwall/internal/knowledge"
	"github.com/clusterwall/clusterwall/internal/model"
	"github.com/clusterwall/clusterwall/internal/reach"
	"github.com/clusterwall/clusterwall/internal/remedy"
	"github.com/clusterwall/clusterwall/internal/srcpos"
)

// Plan is what to change.
type Plan struct {
	Changes []Step
	// Cleared are the findings the changes clear.
	Cleared []check.Finding
	// Left are blocked and exposed findings no rule change clears (a
	// public API endpoint is a setting; an unknown group cannot be edited),
	// or that remain after the last round.
	Left []check.Finding
}

// Step is one change and the findings that ask for it.
type Step struct {
	remedy.Change
	For []string
}

// rounds bounds the search; each round only adds rules that a finding of
// the previous one asked for, so it ends quickly in practice.
const rounds = 6

// Compute plans the changes for an estate that assemble has completed.
func Compute(e *model.Estate, cat *knowledge.Catalog, eopts reach.Options, copts check.Options) Plan {
	var plan Plan
	work := clone(e)
	cleared := map[string]check.Finding{}
	for range rounds {
		res := check.Run(work, cat, reach.New(work, eopts), copts)
		var todo []check.Finding
		for _, f := range res.Findings {
			if f.Kind == check.Blocked || f.Kind == check.Exposed {
				todo = append(todo, f)
			}
		}
		plan.Left = nil
		progress := false
		for _, f := range todo {
			if len(f.Changes) == 0 {
				plan.Left = append(plan.Left, f)
				continue
			}
			cleared[f.ID+"|"+f.Cluster] = f
			for _, c := range f.Changes {
				if plan.add(c, f.ID) {
					apply(work, c)
					progress = true
				}
			}
		}
		if !progress {
			break
		}
	}
	for _, f := range plan.Left {
		delete(cleared, f.ID+"|"+f.Cluster)
	}
	// Additions first; removals of a group from its last rule up, so that
	// positional ids (Tencent policy indexes) stay right as rules go.
	slices.SortStableFunc(plan.Changes, func(a, b Step) int {
		switch {
		case a.Remove != b.Remove && a.Remove:
			return 1
		case a.Remove != b.Remove:
			return -1
		case !a.Remove:
			return 0
		}
		return cmp.Or(cmp.Compare(a.Group, b.Group), cmp.Compare(a.Rule.Direction, b.Rule.Direction), -srcpos.Compare(a.Rule.Origin, b.Rule.Origin))
	})
	for _, k := range slices.Sorted(maps.Keys(cleared)) {
		plan.Cleared = append(plan.Cleared, cleared[k])
	}
	return plan
}

// add records a change, merging it with one already planned; it reports
// whether the change is new.
func (p *Plan) add(c remedy.Change, id string) bool {
	for i := range p.Changes {
		if p.Changes[i].Key() == c.Key() {
			if !slices.Contains(p.Changes[i].For, id) {
				p.Changes[i].For = append(p.Changes[i].For, id)
			}
			return false
		}
	}
	p.Changes = append(p.Changes, Step{Change: c, For: []string{id}})
	return true
}

// clone copies what changes touch: the groups and their rules.
func clone(e *model.Estate) *model.Estate {
	c := *e
	c.Groups = make(map[string]*model.Group, len(e.Groups))
	for k, g := range e.Groups {
		cg := *g
		cg.Rules = slices.Clone(g.Rules)
		c.Groups[k] = &cg
	}
	return &c
}

// apply makes a change in an estate.
func apply(e *model.Estate, c remedy.Change) {
	g := e.Groups[c.Group]
	if g == nil {
		return
	}
	if c.Remove {
		g.Rules = slices.DeleteFunc(g.Rules, func(r model.Rule) bool {
			return r.Direction == c.Rule.Direction && r.Origin == c.Rule.Origin && r.Services.Equal(c.Rule.Services) && r.Peer.String() == c.Rule.Peer.String()
		})
		return
	}
	r := c.Rule
	r.Description = remedy.AWSDescription(r.Description)
	if c.First {
		i := slices.IndexFunc(g.Rules, func(o model.Rule) bool { return o.Direction == r.Direction })
		if i < 0 {
			i = len(g.Rules)
		}
		g.Rules = slices.Insert(g.Rules, i, r)
		return
	}
	g.Rules = append(g.Rules, r)
}
