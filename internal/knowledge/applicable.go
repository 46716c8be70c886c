package knowledge

import (
	"slices"
	"strings"

	"github.com/clusterwall/clusterwall/internal/model"
)

// Facts are what decides which requirements hold for a cluster.
type Facts struct {
	Platform    model.Platform
	Level       int
	Legacy      bool
	IPv6        bool
	Independent bool
	AddOns      []model.AddOn
	// HasRole reports whether the cluster has members of a role.
	HasRole func(role string) bool
}

// Applied is a requirement that holds for a cluster, with the id it is
// reported under and the installed add-on that brings it, if any.
type Applied struct {
	Req   *Requirement
	ID    string
	AddOn *model.AddOn
}

// Applies reports whether a condition holds.
func (f Facts) Applies(w Condition) bool {
	for _, role := range w.Roles {
		if f.HasRole == nil || !f.HasRole(role) {
			return false
		}
	}
	switch {
	case w.Level > f.Level:
		return false
	case w.Legacy != nil && *w.Legacy != f.Legacy:
		return false
	case w.IPv6 != nil && *w.IPv6 != f.IPv6:
		return false
	case w.Independent != nil && *w.Independent != f.Independent:
		return false
	}
	return true
}

// Requirements lists the platform's requirements and those of the
// installed add-ons that hold for a cluster. Add-on requirements are
// reported as PLATFORM-ID ("EKS-ADDON-ISTIO-WEBHOOK"); two names of one
// add-on (istio-base, istiod) count once.
func (c *Catalog) Requirements(f Facts) []Applied {
	var out []Applied
	if p := c.Platforms[string(f.Platform)]; p != nil {
		for i := range p.Requirements {
			if req := &p.Requirements[i]; f.Applies(req.When) {
				out = append(out, Applied{req, req.ID, nil})
			}
		}
	}
	done := map[*AddOn]bool{}
	for i := range f.AddOns {
		inst := &f.AddOns[i]
		a := c.AddOn(inst.Name)
		if a == nil || done[a] || !slices.Contains(a.Platforms, string(f.Platform)) {
			continue
		}
		done[a] = true
		for j := range a.Requirements {
			req := &a.Requirements[j]
			if f.Applies(req.When) && req.When.Matches(inst.Source, inst.Version) {
				out = append(out, Applied{req, strings.ToUpper(string(f.Platform)) + "-" + req.ID, inst})
			}
		}
	}
	return out
}
