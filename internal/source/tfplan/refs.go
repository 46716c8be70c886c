package tfplan

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/zclconf/go-cty/cty"

	"github.com/clusterwall/clusterwall/internal/source/tfinst"
	"github.com/clusterwall/clusterwall/internal/source/tfmap"
)

// step is one step of a reference or an address: an attribute (or
// first name), or an index.
type step struct {
	name  string
	index cty.Value // set for [KEY] steps
}

// parseTraversal reads a reference as plan JSON prints it:
// aws_security_group.node["a"].id, module.eks.node_security_group_id.
func parseTraversal(s string) ([]step, bool) {
	var out []step
	i := 0
	for i < len(s) {
		switch {
		case s[i] == '[':
			j := i + 1
			if j < len(s) && s[j] == '"' {
				k := j + 1
				for k < len(s) && s[k] != '"' {
					if s[k] == '\\' {
						k++
					}
					k++
				}
				if k+1 >= len(s) || s[k+1] != ']' {
					return nil, false
				}
				key, err := strconv.Unquote(s[j : k+1])
				if err != nil {
					return nil, false
				}
				out = append(out, step{index: cty.StringVal(key)})
				i = k + 2
				continue
			}
			k := strings.IndexByte(s[j:], ']')
			if k < 0 {
				return nil, false
			}
			n, err := strconv.ParseInt(s[j:j+k], 10, 64)
			if err != nil || n < 0 {
				return nil, false
			}
			out = append(out, step{index: cty.NumberIntVal(n)})
			i = j + k + 1
		case s[i] == '.':
			if len(out) == 0 {
				return nil, false
			}
			i++
			fallthrough
		default:
			if len(out) > 0 && i > 0 && s[i-1] != '.' {
				return nil, false
			}
			j := i
			for j < len(s) && s[j] != '.' && s[j] != '[' {
				j++
			}
			if j == i {
				return nil, false
			}
			out = append(out, step{name: s[i:j]})
			i = j
		}
	}
	return out, len(out) > 0
}

// attrPath prints steps as a mapper names a computed attribute:
// vpc_config[0].cluster_security_group_id.
func attrPath(steps []step) string {
	var b strings.Builder
	for _, s := range steps {
		if s.index != cty.NilVal {
			b.WriteString(tfinst.KeyString(s.index))
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(s.name)
	}
	return b.String()
}

// scope is where an expression is evaluated: its module instance and the
// key (each.key, count.index) of the instance it is evaluated for, with
// the keys of all of them.
type scope struct {
	mi  *modInst
	key cty.Value
	// keys identifies the set of keys of the instances the scope is one of
	// (see keySet).
	keys    string
	forEach *tfjson.Expression
}

// source is one thing an expression's value may come from.
type source struct {
	insts  []*rec // one instance, or all instances of a resource in key order
	attr   string // "" when the reference does not name one
	opaque string // a reference plan JSON does not explain
}

// resolution is what an expression's references come to.
type resolution struct {
	sources []source
	// known is set when something the plan knows (a variable, a constant
	// module input) also flows into the value.
	known bool
}

// Limits on following references: how deep, and how many expressions
// one value may visit (module inputs and outputs that refer to each other
// would otherwise be followed without end).
const (
	maxDepth  = 32
	maxVisits = 2000
)

// scopeOf is the scope of an instance's own expressions.
func (r *reader) scopeOf(x *rec) scope {
	sc := scope{mi: x.mi, key: x.key, keys: r.resKeys(resKey{x.mi.addr, x.mode, x.res.Type, x.res.Name})}
	if x.cfg != nil {
		sc.forEach = x.cfg.ForEachExpression
		if sc.forEach == nil {
			sc.forEach = x.cfg.CountExpression
		}
	}
	return sc
}

// callScope is the scope a module instance's inputs are evaluated in: its
// caller's module, with the module instance's key.
func callScope(mi *modInst) scope {
	sc := scope{mi: mi.parent, key: mi.key, keys: mi.parent.kidKeys(mi.name)}
	if mi.call != nil {
		sc.forEach = mi.call.ForEachExpression
	}
	return sc
}

// maximal drops the references that Terraform lists only as prefixes of
// a longer one ("aws_security_group.node" after
// "aws_security_group.node.id"), and repeats.
func maximal(refs []string) []string {
	var out []string
	for _, r := range refs {
		covered := false
		for _, o := range out {
			if o == r || strings.HasPrefix(o, r) && (o[len(r)] == '.' || o[len(r)] == '[') {
				covered = true
				break
			}
		}
		if !covered {
			out = append(out, r)
		}
	}
	return out
}

// resolve follows the references of an expression to the instance
// attributes they come from.
func (r *reader) resolve(e *tfjson.Expression, sc scope, depth int) resolution {
	var res resolution
	if e == nil || e.ExpressionData == nil {
		return res
	}
	if depth == 0 {
		r.visits = 0
	}
	r.visits++
	if depth > maxDepth || r.visits > maxVisits {
		res.sources = append(res.sources, source{opaque: "references nested too deep"})
		return res
	}
	if len(e.References) == 0 {
		res.known = true
		return res
	}
	for _, ref := range maximal(e.References) {
		steps, ok := parseTraversal(ref)
		if !ok || steps[0].name == "" {
			res.sources = append(res.sources, source{opaque: ref})
			continue
		}
		switch steps[0].name {
		case "var":
			if len(steps) < 2 || steps[1].name == "" {
				res.sources = append(res.sources, source{opaque: ref})
				continue
			}
			mi := sc.mi
			if mi.parent == nil {
				res.known = true // root module variables are known when planning
				continue
			}
			var ce *tfjson.Expression
			if mi.call != nil {
				ce = mi.call.Expressions[steps[1].name]
			}
			if ce == nil {
				res.known = true // the variable's default
				continue
			}
			res.merge(r.resolve(ce, callScope(mi), depth+1))
		case "each":
			if len(steps) >= 2 && steps[1].name == "value" {
				res.merge(r.eachValue(ref, steps[2:], sc, depth))
			}
			// each.key only picks an instance.
		case "count", "path", "terraform":
			// Known when planning.
		case "local":
			res.sources = append(res.sources, source{opaque: ref})
		case "module":
			res.merge(r.output(ref, steps[1:], sc, depth))
		case "data":
			if len(steps) < 3 || steps[1].name == "" || steps[2].name == "" {
				res.sources = append(res.sources, source{opaque: ref})
				continue
			}
			res.sources = append(res.sources, r.resource(ref, sc, tfinst.Data, steps[1].name, steps[2].name, steps[3:]))
		default:
			if len(steps) < 2 || steps[1].name == "" {
				res.sources = append(res.sources, source{opaque: ref})
				continue
			}
			res.sources = append(res.sources, r.resource(ref, sc, tfinst.Managed, steps[0].name, steps[1].name, steps[2:]))
		}
	}
	return res
}

func (res *resolution) merge(o resolution) {
	res.sources = append(res.sources, o.sources...)
	res.known = res.known || o.known
}

// eachValue follows each.value when for_each is a resource: each.value
// is then the instance with the same key (for_each =
// aws_security_group.ng). Otherwise each.value may hold anything.
func (r *reader) eachValue(ref string, rest []step, sc scope, depth int) resolution {
	if sc.forEach == nil {
		return resolution{sources: []source{{opaque: ref}}}
	}
	inner := sc
	inner.forEach = nil
	fe := r.resolve(sc.forEach, inner, depth+1)
	if fe.known || len(fe.sources) != 1 || fe.sources[0].opaque != "" || fe.sources[0].attr != "" {
		return resolution{sources: []source{{opaque: ref}}}
	}
	s := fe.sources[0]
	s.attr = attrPath(rest)
	return resolution{sources: []source{s}}
}

// output follows a reference to a module output to the output's
// expression.
func (r *reader) output(ref string, steps []step, sc scope, depth int) resolution {
	opaque := resolution{sources: []source{{opaque: ref}}}
	if len(steps) < 2 || steps[0].name == "" {
		return opaque
	}
	name := steps[0].name
	kids := sc.mi.kids[name]
	var child *modInst
	rest := steps[1:]
	switch {
	case rest[0].index != cty.NilVal:
		for _, k := range kids {
			if k.key != cty.NilVal && k.key.RawEquals(rest[0].index) {
				child = k
			}
		}
		rest = rest[1:]
	case len(kids) == 1 && kids[0].key == cty.NilVal:
		child = kids[0]
	case sc.key != cty.NilVal && sc.keys != "" && sc.mi.kidKeys(name) == sc.keys:
		for _, k := range kids {
			if k.key != cty.NilVal && k.key.RawEquals(sc.key) {
				child = k
			}
		}
	case len(kids) == 0 && sc.mi.cfg != nil && sc.mi.cfg.ModuleCalls[name] != nil:
		c := sc.mi.cfg.ModuleCalls[name]
		if c.CountExpression == nil && c.ForEachExpression == nil {
			child = r.child(sc.mi, name, cty.NilVal)
		}
	}
	if child == nil || child.cfg == nil || len(rest) == 0 || rest[0].name == "" {
		return opaque
	}
	out := child.cfg.Outputs[rest[0].name]
	if out == nil || out.Expression == nil {
		return opaque
	}
	return r.resolve(out.Expression, scope{mi: child}, depth+1)
}

// keySet identifies a set of instance keys: two resources (or module
// calls) have the same keys when their sets are equal. It is "" when
// there are no keys.
func keySet(keys []cty.Value) string {
	var ks []string
	for _, k := range keys {
		if k != cty.NilVal {
			ks = append(ks, tfinst.KeyString(k))
		}
	}
	if len(ks) == 0 {
		return ""
	}
	slices.Sort(ks)
	return strings.Join(ks, "\x00")
}

// resKeys is the key set of a resource's instances.
func (r *reader) resKeys(k resKey) string {
	if s, ok := r.keySets[k]; ok {
		return s
	}
	var keys []cty.Value
	for _, x := range r.byRes[k] {
		keys = append(keys, x.key)
	}
	s := keySet(keys)
	r.keySets[k] = s
	return s
}

// kidKeys is the key set of a module call's instances.
func (mi *modInst) kidKeys(name string) string {
	if s, ok := mi.kidSets[name]; ok {
		return s
	}
	var keys []cty.Value
	for _, k := range mi.kids[name] {
		keys = append(keys, k.key)
	}
	s := keySet(keys)
	if mi.kidSets == nil {
		mi.kidSets = map[string]string{}
	}
	mi.kidSets[name] = s
	return s
}

// resource is a reference to a resource: the instance it names, the one
// with the referring instance's key when the reference has no key and
// both have the same keys, or all of them.
func (r *reader) resource(ref string, sc scope, mode tfinst.Mode, typ, name string, rest []step) source {
	insts := r.byRes[resKey{sc.mi.addr, mode, typ, name}]
	if len(insts) == 0 {
		return source{opaque: ref + " (not in the plan)"}
	}
	if len(rest) > 0 && rest[0].index != cty.NilVal {
		for _, x := range insts {
			if x.key != cty.NilVal && x.key.RawEquals(rest[0].index) {
				return source{insts: []*rec{x}, attr: attrPath(rest[1:])}
			}
		}
		return source{opaque: ref + " (not in the plan)"}
	}
	attr := attrPath(rest)
	if len(insts) == 1 && insts[0].key == cty.NilVal {
		return source{insts: insts, attr: attr}
	}
	if sc.key != cty.NilVal && sc.keys != "" && r.resKeys(resKey{sc.mi.addr, mode, typ, name}) == sc.keys {
		if x := r.byAddr[tfinst.Address(sc.mi.addr, mode, typ, name, sc.key)]; x != nil {
			return source{insts: []*rec{x}, attr: attr}
		}
	}
	return source{insts: insts, attr: attr}
}

// candidate is one instance attribute an unknown value may be.
type candidate struct {
	x    *rec
	attr string
}

// candidates expands the sources into the instance attributes that the
// plan does not know (those it knows cannot be what is unknown), and
// lists the references it cannot follow.
func (r *reader) candidates(res resolution) (cands []candidate, opaque []string) {
	for _, s := range res.sources {
		if s.opaque != "" {
			if !slices.Contains(opaque, s.opaque) {
				opaque = append(opaque, s.opaque)
			}
			continue
		}
		attr := s.attr
		if attr == "" {
			attr = "id" // a whole instance, as in for s in aws_subnet.x : s.id
		}
		for _, x := range s.insts {
			if unknownAt(x, attr) {
				cands = append(cands, candidate{x, attr})
			}
		}
	}
	return cands, opaque
}

// unknownAt reports whether the plan leaves an attribute of an instance
// to apply time.
func unknownAt(x *rec, attr string) bool {
	if x.change == nil {
		return false
	}
	cur := x.change.AfterUnknown
	steps, ok := parseTraversal(attr)
	if !ok {
		return false
	}
	for _, s := range steps {
		if b, ok := cur.(bool); ok {
			return b
		}
		switch c := cur.(type) {
		case map[string]any:
			if s.index != cty.NilVal {
				if s.index.Type() != cty.String {
					return false
				}
				cur = c[s.index.AsString()]
			} else {
				cur = c[s.name]
			}
		case []any:
			if s.index == cty.NilVal || s.index.Type() != cty.Number {
				return false
			}
			i, acc := s.index.AsBigFloat().Int64()
			if acc != 0 || i < 0 || i >= int64(len(c)) {
				return false
			}
			cur = c[i]
		default:
			return false
		}
	}
	b, _ := cur.(bool)
	return b
}

// value is what a reference to an instance attribute evaluates to, as the
// HCL reader evaluates it: a reference for ids and the attributes that
// mappers follow, the configured value an id equals, or unknown.
func (r *reader) value(c candidate) cty.Value {
	typ := c.x.res.Type
	if c.x.mode == tfinst.Data {
		return tfinst.Unknown(fmt.Sprintf("%s is read at apply time", c.x.addr))
	}
	if c.attr == "id" {
		if a := tfmap.IDAttribute(typ); a != "" {
			if s, ok := c.x.values[a].(string); ok {
				return cty.StringVal(s)
			}
		}
	}
	if c.attr == "id" || c.attr == "arn" || slices.Contains(tfmap.References(typ), c.attr) {
		return tfinst.RefVal(c.x.addr, c.attr)
	}
	return tfinst.Unknown(fmt.Sprintf("%s.%s is known only after apply", c.x.addr, c.attr))
}

func names(cs []candidate) string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.x.addr + "." + c.attr
	}
	return strings.Join(out, ", ")
}

// unexplained says why the references do not tell the value, or, when
// they say nothing more, that apply computes it.
func unexplained(cands []candidate, opaque []string, known bool) string {
	switch {
	case len(opaque) > 0:
		return fmt.Sprintf("it is computed at apply time from %s, which plan JSON does not show", strings.Join(opaque, ", "))
	case known && len(cands) > 0:
		return fmt.Sprintf("it is computed at apply time from %s and other values, and plan JSON does not show how", names(cands))
	case len(cands) > 1:
		return fmt.Sprintf("it is one of %s, known only after apply, and plan JSON does not show which", names(cands))
	}
	return "known only after apply"
}

// scalar is an unknown single value: the one instance attribute its
// expression references and nothing else.
func (b *builder) scalar(e *tfjson.Expression) cty.Value {
	res := b.r.resolve(e, b.r.scopeOf(b.x), 0)
	cands, opaque := b.r.candidates(res)
	if len(cands) == 1 && len(opaque) == 0 && !res.known {
		return b.r.value(cands[0])
	}
	return tfinst.Unknown(unexplained(cands, opaque, res.known))
}

// listElems gives n unknown elements of a list whose length the plan
// knows: the instance attributes its expression references, in order,
// when they are exactly n (the elements the plan knows come from
// elsewhere).
func (b *builder) listElems(c cfgNode, n int) []cty.Value {
	out := make([]cty.Value, n)
	var cands []candidate
	var opaque []string
	if c.expr != nil {
		cands, opaque = b.r.candidates(b.r.resolve(c.expr, b.r.scopeOf(b.x), 0))
		if len(opaque) == 0 && len(cands) == n {
			for i, cd := range cands {
				out[i] = b.r.value(cd)
			}
			return out
		}
	}
	why := "known only after apply"
	if c.expr != nil {
		why = unexplained(cands, opaque, false)
		if len(opaque) == 0 && len(cands) != n && len(cands) > 0 {
			why = fmt.Sprintf("it is computed at apply time from %s, and plan JSON does not show how", names(cands))
		}
	}
	for i := range out {
		out[i] = tfinst.Unknown(why)
	}
	return out
}

// wholeList is a list (or set) of ids that the plan does not know at all:
// rebuilt from the references of its expression when they are all
// instance attributes.
func (b *builder) wholeList(p path, e *tfjson.Expression) cty.Value {
	res := b.r.resolve(e, b.r.scopeOf(b.x), 0)
	cands, opaque := b.r.candidates(res)
	if idList(p) && len(opaque) == 0 && !res.known && len(cands) > 0 {
		vals := make([]cty.Value, len(cands))
		for i, c := range cands {
			vals[i] = b.r.value(c)
		}
		return cty.TupleVal(vals)
	}
	return tfinst.Unknown(unexplained(cands, opaque, res.known))
}
