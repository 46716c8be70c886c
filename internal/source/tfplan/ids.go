package tfplan

import (
	"regexp"
	"slices"
	"strings"

	"github.com/zclconf/go-cty/cty"

	"github.com/clusterwall/clusterwall/internal/model"
	"github.com/clusterwall/clusterwall/internal/source/tfinst"
	"github.com/clusterwall/clusterwall/internal/source/tfmap"
)

// awsID matches the ids AWS gives objects (sg-0123456789abcdef0,
// subnet-…, lt-…, vpc-…): only such values, and ARNs, are read as
// references, so that names and other strings stay what they are.
var awsID = regexp.MustCompile(`^[a-z]+(-[a-z]+)*-[0-9a-f]{8,17}$`)

func idLike(s string) bool { return awsID.MatchString(s) || strings.HasPrefix(s, "arn:") }

// idAttrs lists the attributes of an instance whose known values name it
// for other resources: its id and arn, and the computed attributes a
// mapper follows (the cluster security group of an EKS cluster), with
// their values.
func idAttrs(x *rec) map[string]string {
	out := map[string]string{}
	if tfmap.IDAttribute(x.res.Type) == "" {
		for _, a := range []string{"id", "arn"} {
			if s, ok := x.values[a].(string); ok && idLike(s) {
				out[a] = s
			}
		}
	}
	for _, p := range tfmap.References(x.res.Type) {
		if s, ok := lookup(x.values, p); ok && idLike(s) {
			out[p] = s
		}
	}
	return out
}

// lookup reads a string at an attribute path of JSON values.
func lookup(v map[string]any, attr string) (string, bool) {
	steps, ok := parseTraversal(attr)
	if !ok {
		return "", false
	}
	var cur any = v
	for _, s := range steps {
		switch c := cur.(type) {
		case map[string]any:
			if s.index != cty.NilVal {
				return "", false
			}
			cur = c[s.name]
		case []any:
			if s.index == cty.NilVal || s.index.Type() != cty.Number {
				return "", false
			}
			i, acc := s.index.AsBigFloat().Int64()
			if acc != 0 || i < 0 || i >= int64(len(c)) {
				return "", false
			}
			cur = c[i]
		default:
			return "", false
		}
	}
	s, ok := cur.(string)
	return s, ok
}

// linkIDs turns every known id that names a managed resource of the file
// into a reference to it, as the HCL reader sees references: a rule in
// state whose security_group_id is "sg-0123…" then belongs to the group
// keyed by its address. Tags keep their values.
func (r *reader) linkIDs() {
	refs := map[string]string{} // id → reference
	owner := map[string]string{}
	ambiguous := map[string]bool{}
	for _, x := range r.recs {
		if x.mode != tfinst.Managed || x.expansion != "" {
			continue
		}
		for attr, id := range idAttrs(x) {
			ref := tfinst.Ref(x.addr, attr)
			if old, ok := refs[id]; ok && old != ref {
				ambiguous[id] = true
			}
			refs[id], owner[id] = ref, x.addr
		}
	}
	for id := range ambiguous {
		delete(refs, id)
	}
	if len(refs) == 0 {
		return
	}
	for _, x := range r.recs {
		v, _ := x.inst.Values.Unmark()
		if !v.IsKnown() || v.IsNull() || !v.Type().IsObjectType() {
			continue
		}
		attrs := x.inst.Values.AsValueMap()
		changed := false
		for name, a := range attrs {
			if name == "tags" || name == "tags_all" {
				continue
			}
			if n, ok := link(a, refs, owner, x.addr); ok {
				attrs[name] = n
				changed = true
			}
		}
		if changed {
			x.inst.Values = cty.ObjectVal(attrs)
		}
	}
}

// link replaces ids inside a value; it reports whether it changed any.
func link(v cty.Value, refs, owner map[string]string, self string) (cty.Value, bool) {
	if v.IsMarked() || !v.IsKnown() || v.IsNull() {
		return v, false
	}
	t := v.Type()
	switch {
	case t == cty.String:
		s := v.AsString()
		if ref, ok := refs[s]; ok && owner[s] != self {
			return cty.StringVal(ref), true
		}
	case t.IsTupleType() || t.IsListType() || t.IsSetType():
		elems := v.AsValueSlice()
		changed := false
		for i, e := range elems {
			if n, ok := link(e, refs, owner, self); ok {
				elems[i], changed = n, true
			}
		}
		if changed {
			return cty.TupleVal(elems), true
		}
	case t.IsObjectType() || t.IsMapType():
		attrs := v.AsValueMap()
		changed := false
		for k, e := range attrs {
			if n, ok := link(e, refs, owner, self); ok {
				attrs[k], changed = n, true
			}
		}
		if changed {
			return cty.ObjectVal(attrs), true
		}
	}
	return v, false
}

// finish completes the estate the mappers made: the real ids of groups
// become aliases, and in state the rules a group lists that a rule
// resource declares are kept once, from the resource.
func (r *reader) finish(e *model.Estate) {
	for _, x := range r.recs {
		if x.mode != tfinst.Managed || x.expansion != "" {
			continue
		}
		for attr, id := range idAttrs(x) {
			key := r.prefix + x.addr
			if attr != "id" {
				key += "." + attr
			}
			if g := e.Groups[key]; g != nil && g.ID != id && !slices.Contains(g.Aliases, id) {
				g.Aliases = append(g.Aliases, id)
			}
		}
	}
	if r.d.state != nil {
		for _, g := range e.SortedGroups() {
			dedupe(g)
		}
	}
	e.Notes = append(e.Notes, r.d.notes...)
	e.Notes = append(e.Notes, r.notes...)
}

// dedupe drops the rules a group lists (its ingress and egress in state,
// read from AWS) that a rule resource of the group also declares.
func dedupe(g *model.Group) {
	var standalone []model.Rule
	for _, rl := range g.Rules {
		if rl.Standalone {
			standalone = append(standalone, rl)
		}
	}
	if len(standalone) == 0 {
		return
	}
	// Rule resources and the group's own rules do not mix in one
	// configuration; the group's remaining rules exist in AWS, made
	// outside it.
	g.ExclusiveRules = false
	out := g.Rules[:0]
	for _, rl := range g.Rules {
		if !rl.Standalone && slices.ContainsFunc(standalone, func(s model.Rule) bool { return sameRule(s, rl) }) {
			continue
		}
		out = append(out, rl)
	}
	g.Rules = out
}

func sameRule(a, b model.Rule) bool {
	return a.Direction == b.Direction && a.Action == b.Action && a.Services.Equal(b.Services) &&
		a.PortsUnknown == b.PortsUnknown && a.Peer.Kind == b.Peer.Kind && a.Peer.Prefix == b.Peer.Prefix &&
		a.Peer.Group == b.Peer.Group && a.Peer.Set == b.Peer.Set && a.Peer.Why == b.Peer.Why
}
