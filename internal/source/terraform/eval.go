package terraform

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/dynblock"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/function"

	"github.com/clusterwall/clusterwall/internal/source/tfinst"
	"github.com/clusterwall/clusterwall/internal/source/tfmap"
	"github.com/clusterwall/clusterwall/internal/srcpos"
)

// Limits that keep a hostile or mistaken configuration from exhausting
// memory: Terraform itself has none, but no real cluster needs more.
const (
	maxModuleDepth = 32
	maxInstances   = 20000
	maxCount       = 4096
)

// evaluator evaluates one root module and its calls, lazily: a value is
// computed when something refers to it, once, in the order references
// demand (which is Terraform's dependency order).
type evaluator struct {
	l      *loader
	funcs  map[string]function.Function
	attrs  map[string]bool // attribute names that references use
	prefix string
	notes  []string
	out    []*tfinst.Instance
	count  int // instances made
}

type state uint8

const (
	todo state = iota
	busy
	done
)

type cell struct {
	st state
	v  cty.Value
}

// entry returns what a memo map holds for k (a cell, a resState, a
// callState), made on first use.
func entry[K comparable, V any](memo map[K]*V, k K) *V {
	e := memo[k]
	if e == nil {
		e = new(V)
		memo[k] = e
	}
	return e
}

// rootValue is a root variable's value from a variable file or --var.
type rootValue struct {
	v   cty.Value
	rng hcl.Range
}

// modInst is one instance of a module: the root, or one element of a
// module call's count or for_each.
type modInst struct {
	ev      *evaluator
	mod     *module
	path    string // module.eks, module.ng["a"]; "" for the root
	key     string // the modules.json key: "", "eks", "eks.node_group"
	rootDir string
	dirs    map[string]string // modules.json: key → directory
	parent  *modInst
	args    map[string]argument
	roots   map[string]rootValue
	depth   int

	vars    map[string]*cell
	locals  map[string]*cell
	outputs map[string]*cell
	res     map[*resource]*resState
	data    map[*resource]*cell
	calls   map[*call]*callState
}

type argument struct {
	expr  hcl.Expression
	scope *scope
}

type resState struct {
	st    state
	shape *shape
	insts []*tfinst.Instance
	// What references see, made on the first reference (most resources,
	// such as rules, are never referenced).
	kind    expansion
	keys    []cty.Value
	unknown string
	val     cty.Value
}

type expansion uint8

const (
	single expansion = iota
	counted
	keyed
)

type callState struct {
	st      state
	kind    expansion
	keys    []cty.Value
	insts   []*modInst
	unknown string // why the instances or the module itself are not known
}

func newModInst(ev *evaluator, mod *module, parent *modInst, path, key string) *modInst {
	m := &modInst{ev: ev, mod: mod, parent: parent, path: path, key: key,
		vars: map[string]*cell{}, locals: map[string]*cell{}, outputs: map[string]*cell{},
		res: map[*resource]*resState{}, data: map[*resource]*cell{}, calls: map[*call]*callState{}}
	if parent != nil {
		m.rootDir, m.dirs, m.depth = parent.rootDir, parent.dirs, parent.depth+1
	}
	return m
}

// addr prefixes a name with the module path.
func (m *modInst) addr(name string) string {
	if m.path == "" {
		return name
	}
	return m.path + "." + name
}

// scope is where an expression is evaluated: a module instance, and the
// count.index or each.key/each.value of the block it is in.
type scope struct {
	m         *modInst
	count     cty.Value
	eachKey   cty.Value
	eachValue cty.Value
}

func (s *scope) eval(expr hcl.Expression) (cty.Value, error) {
	ctx, err := s.ctx(expr.Variables(), nil)
	if err != nil {
		return cty.NilVal, err
	}
	v, diags := expr.Value(ctx)
	if diags.HasErrors() {
		return cty.NilVal, diagError(diags)
	}
	return v, nil
}

// attrName returns the attribute name at step i of a traversal.
func attrName(t hcl.Traversal, i int) (string, bool) {
	if len(t) <= i {
		return "", false
	}
	if a, ok := t[i].(hcl.TraverseAttr); ok {
		return a.Name, true
	}
	return "", false
}

// want is which outputs of a module call an expression reads.
type want struct {
	all   bool
	names map[string]bool
}

// ctx builds the evaluation context for the given references: only what
// they name is evaluated.
func (s *scope) ctx(trs []hcl.Traversal, iterators map[string]bool) (*hcl.EvalContext, error) {
	m := s.m
	vars := map[string]cty.Value{}
	varObj, localObj := map[string]cty.Value{}, map[string]cty.Value{}
	dataObj := map[string]map[string]map[string]cty.Value{}
	resObj := map[string]map[string]cty.Value{}
	wants := map[string]*want{}
	for _, t := range trs {
		root := t.RootName()
		rng := t.SourceRange()
		switch root {
		case "var", "local":
			name, ok := attrName(t, 1)
			if !ok {
				return nil, errAt(rng, "%s must be followed by a name", root)
			}
			var v cty.Value
			var err error
			if root == "var" {
				if _, seen := varObj[name]; seen {
					continue
				}
				v, err = m.variable(name, rng)
				varObj[name] = v
			} else {
				if _, seen := localObj[name]; seen {
					continue
				}
				v, err = m.local(name, rng)
				localObj[name] = v
			}
			if err != nil {
				return nil, err
			}
		case "module":
			name, ok := attrName(t, 1)
			if !ok {
				return nil, errAt(rng, "module must be followed by a module name")
			}
			w := wants[name]
			if w == nil {
				w = &want{names: map[string]bool{}}
				wants[name] = w
			}
			out, ok := attrName(t, 2)
			if !ok {
				if _, isIndex := stepAt(t, 2).(hcl.TraverseIndex); isIndex {
					out, ok = attrName(t, 3)
				}
			}
			if ok {
				w.names[out] = true
			} else {
				w.all = true
			}
		case "data", "ephemeral":
			typ, ok1 := attrName(t, 1)
			name, ok2 := attrName(t, 2)
			if !ok1 || !ok2 {
				return nil, errAt(rng, "%s must be followed by a type and a name", root)
			}
			key := root + "." + typ + "." + name
			if m.mod.byAddr[key] == nil {
				return nil, errAt(rng, "reference to undeclared %s %s", map[string]string{"data": "data source", "ephemeral": "ephemeral resource"}[root], key)
			}
			if dataObj[root] == nil {
				dataObj[root] = map[string]map[string]cty.Value{}
			}
			if dataObj[root][typ] == nil {
				dataObj[root][typ] = map[string]cty.Value{}
			}
			dataObj[root][typ][name] = m.dataValue(m.mod.byAddr[key], key)
		case "count":
			if s.count == cty.NilVal {
				return nil, errAt(rng, "count.index is only valid in a block that has count")
			}
			vars["count"] = cty.ObjectVal(map[string]cty.Value{"index": s.count})
		case "each":
			if s.eachKey == cty.NilVal {
				return nil, errAt(rng, "each.key and each.value are only valid in a block that has for_each")
			}
			vars["each"] = cty.ObjectVal(map[string]cty.Value{"key": s.eachKey, "value": s.eachValue})
		case "path":
			vars["path"] = cty.ObjectVal(map[string]cty.Value{
				"module": cty.StringVal(m.mod.dir), "root": cty.StringVal(m.rootDir), "cwd": cty.StringVal("."),
			})
		case "terraform":
			vars["terraform"] = cty.ObjectVal(map[string]cty.Value{"workspace": cty.StringVal("default")})
		case "self":
			vars["self"] = tfinst.Unknown("self is only known in provisioners")
		default:
			if iterators[root] {
				continue
			}
			name, ok := attrName(t, 1)
			if !ok {
				return nil, errAt(rng, "reference to %q: expected a resource (TYPE.NAME), var, local, module, data, count, each or path", root)
			}
			r := m.mod.byAddr[root+"."+name]
			if r == nil {
				return nil, errAt(rng, "reference to undeclared resource %s.%s", root, name)
			}
			v, err := m.resourceValue(r)
			if err != nil {
				return nil, err
			}
			if resObj[root] == nil {
				resObj[root] = map[string]cty.Value{}
			}
			resObj[root][name] = v
		}
	}
	if len(varObj) > 0 {
		vars["var"] = cty.ObjectVal(varObj)
	}
	if len(localObj) > 0 {
		vars["local"] = cty.ObjectVal(localObj)
	}
	for root, types := range dataObj {
		obj := map[string]cty.Value{}
		for typ, names := range types {
			obj[typ] = cty.ObjectVal(names)
		}
		vars[root] = cty.ObjectVal(obj)
	}
	for typ, names := range resObj {
		vars[typ] = cty.ObjectVal(names)
	}
	if len(wants) > 0 {
		mods := map[string]cty.Value{}
		for _, name := range sortedKeys(wants) {
			v, err := m.moduleValue(name, wants[name], trs)
			if err != nil {
				return nil, err
			}
			mods[name] = v
		}
		vars["module"] = cty.ObjectVal(mods)
	}
	return &hcl.EvalContext{Variables: vars, Functions: m.ev.funcs}, nil
}

func stepAt(t hcl.Traversal, i int) hcl.Traverser {
	if len(t) <= i {
		return nil
	}
	return t[i]
}

// dataValue is what a data source evaluates to: unknown, since it is read
// from the cloud when Terraform runs, except for the id of one that is
// looked up by a literal id, which is that id.
func (m *modInst) dataValue(r *resource, key string) cty.Value {
	why := fmt.Sprintf("%s is read at apply time", m.addr(key))
	c := entry(m.data, r)
	switch c.st {
	case done:
		return c.v
	case busy:
		return tfinst.Unknown(why)
	}
	c.st = busy
	c.v, c.st = m.lookupByID(r, why), done
	return c.v
}

func (m *modInst) lookupByID(r *resource, why string) cty.Value {
	if r.count != nil || r.forEach != nil {
		return tfinst.Unknown(why)
	}
	c, _, diags := r.body.PartialContent(&hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "id"}}})
	if diags.HasErrors() || c.Attributes["id"] == nil {
		return tfinst.Unknown(why)
	}
	v, err := (&scope{m: m}).eval(c.Attributes["id"].Expr)
	id, ok := tfinst.String(v)
	if err != nil || !ok || id == "" || tfinst.ContainsRef(id) {
		return tfinst.Unknown(why)
	}
	attrs := map[string]cty.Value{"id": cty.StringVal(id)}
	for name := range m.ev.attrs {
		if name != "id" {
			attrs[name] = tfinst.Unknown(why)
		}
	}
	return cty.ObjectVal(attrs)
}

// variable returns an input variable's value: what the caller (or a
// variable file, or --var) gives, else the default, else unknown.
func (m *modInst) variable(name string, rng hcl.Range) (cty.Value, error) {
	decl := m.mod.variables[name]
	if decl == nil {
		return cty.NilVal, errAt(rng, "reference to undeclared input variable %q", name)
	}
	c := entry(m.vars, name)
	switch c.st {
	case done:
		return c.v, nil
	case busy:
		return tfinst.Unknown(fmt.Sprintf("%s depends on itself", m.addr("var."+name))), nil
	}
	c.st = busy
	v, err := m.variableValue(decl)
	if err != nil {
		return cty.NilVal, err
	}
	c.st, c.v = done, v
	return v, nil
}

func (m *modInst) variableValue(decl *variable) (cty.Value, error) {
	var v cty.Value
	at := decl.rng
	given := false
	if m.parent == nil {
		if rv, ok := m.roots[decl.name]; ok {
			v, at, given = rv.v, rv.rng, true
		}
	} else if a, ok := m.args[decl.name]; ok {
		val, err := a.scope.eval(a.expr)
		if err != nil {
			return cty.NilVal, err
		}
		v, at, given = val, a.expr.Range(), true
	}
	if given && !decl.nullable && tfinst.Absent(v) {
		given = false
	}
	if !given {
		if decl.def == nil {
			if m.parent == nil {
				return tfinst.Unknown(fmt.Sprintf("var.%s has no value (give it with --var, --var-file or a .tfvars file)", decl.name)), nil
			}
			return tfinst.Unknown(fmt.Sprintf("%s is not given input %s", m.path, decl.name)), nil
		}
		val, diags := decl.def.Value(nil)
		if diags.HasErrors() {
			return cty.NilVal, diagError(diags)
		}
		v, at = val, decl.def.Range()
	}
	if decl.defaults != nil {
		v = decl.defaults.Apply(v)
	}
	if decl.typed {
		cv, err := convert.Convert(v, decl.ty)
		if err != nil {
			return cty.NilVal, errAt(at, "invalid value for variable %q: %s", decl.name, tfinst.Printable(err.Error()))
		}
		v = cv
	}
	return v, nil
}

func (m *modInst) local(name string, rng hcl.Range) (cty.Value, error) {
	a := m.mod.locals[name]
	if a == nil {
		return cty.NilVal, errAt(rng, "reference to undeclared local value %q", name)
	}
	c := entry(m.locals, name)
	switch c.st {
	case done:
		return c.v, nil
	case busy:
		return cty.NilVal, errAt(a.NameRange, "local.%s refers to itself, through other values", name)
	}
	c.st = busy
	v, err := (&scope{m: m}).eval(a.Expr)
	if err != nil {
		return cty.NilVal, err
	}
	c.st, c.v = done, v
	return v, nil
}

func (m *modInst) output(name string) (cty.Value, error) {
	a := m.mod.outputs[name]
	c := entry(m.outputs, name)
	switch c.st {
	case done:
		return c.v, nil
	case busy:
		return tfinst.Unknown(fmt.Sprintf("%s.%s depends on itself", m.path, name)), nil
	}
	c.st = busy
	v, err := (&scope{m: m}).eval(a.Expr)
	if err != nil {
		return cty.NilVal, err
	}
	c.st, c.v = done, v
	return v, nil
}

// expand evaluates count or for_each: the scopes of the instances and
// their keys, or why they are not known.
func (m *modInst) expand(count, forEach hcl.Expression, what string) (expansion, []cty.Value, []*scope, string, error) {
	base := &scope{m: m}
	switch {
	case count != nil:
		v, err := base.eval(count)
		if err != nil {
			return 0, nil, nil, "", err
		}
		if !tfinst.WhollyKnown(v) {
			why := fmt.Sprintf("the count of %s is not known: %s", what, tfinst.ReasonOr(v, "it is computed at apply time"))
			return counted, nil, []*scope{{m: m, count: tfinst.Unknown(why)}}, why, nil
		}
		n, ok := tfinst.Int(v)
		if !ok || n < 0 {
			return 0, nil, nil, "", errAt(count.Range(), "count must be a whole number of 0 or more")
		}
		if n > maxCount {
			return 0, nil, nil, "", errAt(count.Range(), "count %d: clusterwall evaluates at most %d instances of a block", n, maxCount)
		}
		var keys []cty.Value
		var scopes []*scope
		for i := range n {
			k := cty.NumberIntVal(i)
			keys = append(keys, k)
			scopes = append(scopes, &scope{m: m, count: k})
		}
		return counted, keys, scopes, "", nil
	case forEach != nil:
		v, err := base.eval(forEach)
		if err != nil {
			return 0, nil, nil, "", err
		}
		u, _ := v.Unmark()
		if !u.IsKnown() || (u.Type().IsSetType() && !u.IsWhollyKnown()) {
			why := fmt.Sprintf("the for_each of %s is not known: %s", what, tfinst.ReasonOr(v, "it is computed at apply time"))
			unk := tfinst.Unknown(why)
			return keyed, nil, []*scope{{m: m, eachKey: unk, eachValue: unk}}, why, nil
		}
		if u.IsNull() {
			return 0, nil, nil, "", errAt(forEach.Range(), "for_each is null: it needs a map or a set of strings")
		}
		t := u.Type()
		if !(t.IsMapType() || t.IsObjectType() || t.IsSetType()) {
			return 0, nil, nil, "", errAt(forEach.Range(), "for_each needs a map or a set of strings, not %s (use toset() for a list)", t.FriendlyName())
		}
		type elem struct {
			key string
			val cty.Value
		}
		var elems []elem
		for it := u.ElementIterator(); it.Next(); {
			k, e := it.Element()
			if t.IsSetType() {
				k = e
			}
			ks, ok := tfinst.String(k)
			if !ok {
				return 0, nil, nil, "", errAt(forEach.Range(), "for_each over a set needs strings, not %s", k.Type().FriendlyName())
			}
			if tfinst.ContainsRef(ks) {
				why := fmt.Sprintf("the for_each keys of %s are known only after apply (%s)", what, strings.Join(tfinst.RefsIn(ks), ", "))
				unk := tfinst.Unknown(why)
				return keyed, nil, []*scope{{m: m, eachKey: unk, eachValue: unk}}, why, nil
			}
			elems = append(elems, elem{ks, e})
		}
		if len(elems) > maxCount {
			return 0, nil, nil, "", errAt(forEach.Range(), "for_each has %d elements: clusterwall evaluates at most %d instances of a block", len(elems), maxCount)
		}
		slices.SortFunc(elems, func(a, b elem) int { return strings.Compare(a.key, b.key) })
		var keys []cty.Value
		var scopes []*scope
		for _, e := range elems {
			k := cty.StringVal(e.key)
			keys = append(keys, k)
			scopes = append(scopes, &scope{m: m, eachKey: k, eachValue: e.val})
		}
		return keyed, keys, scopes, "", nil
	}
	return single, []cty.Value{cty.NilVal}, []*scope{base}, "", nil
}

// resourceValue is what a reference to a managed resource evaluates to:
// one object, a tuple of them (count), an object of them (for_each), or
// unknown.
func (m *modInst) resourceValue(r *resource) (cty.Value, error) {
	rs, err := m.evaluated(r)
	if err != nil || rs == nil {
		// Terraform would call this a cycle; the reference is unknown.
		addr := m.addr(tfinst.ResourceAddress(r.mode, r.typ, r.name))
		return tfinst.Unknown(fmt.Sprintf("%s depends on itself", addr)), err
	}
	if rs.val != cty.NilVal {
		return rs.val, nil
	}
	refs := make([]cty.Value, len(rs.insts))
	for i, in := range rs.insts {
		refs[i] = m.ev.refObject(in, rs.shape)
	}
	switch {
	case rs.unknown != "":
		rs.val = tfinst.Unknown(rs.unknown)
	case rs.kind == counted:
		rs.val = cty.EmptyTupleVal
		if len(refs) > 0 {
			rs.val = cty.TupleVal(refs)
		}
	case rs.kind == keyed:
		obj := map[string]cty.Value{}
		for i, k := range rs.keys {
			obj[k.AsString()] = refs[i]
		}
		rs.val = cty.ObjectVal(obj)
	default:
		rs.val = refs[0]
	}
	return rs.val, nil
}

// evaluated evaluates a resource's instances once; it returns nil while
// the resource is being evaluated (a reference cycle).
func (m *modInst) evaluated(r *resource) (*resState, error) {
	rs := entry(m.res, r)
	switch rs.st {
	case done:
		return rs, nil
	case busy:
		return nil, nil
	}
	rs.st = busy
	if err := m.evalResource(r, rs); err != nil {
		return nil, err
	}
	rs.st = done
	return rs, nil
}

func (m *modInst) evalResource(r *resource, rs *resState) error {
	what := m.addr(tfinst.ResourceAddress(r.mode, r.typ, r.name))
	kind, keys, scopes, why, err := m.expand(r.count, r.forEach, what)
	if err != nil {
		return err
	}
	rs.kind, rs.keys, rs.unknown = kind, keys, why
	rs.shape = inferShape(r.body, true)
	for i, sc := range scopes {
		key := cty.NilVal
		if why == "" {
			key = keys[i]
		}
		in, err := m.instance(r, rs.shape, sc, key)
		if err != nil {
			return err
		}
		in.ExpansionUnknown = why
		rs.insts = append(rs.insts, in)
	}
	return nil
}

// instance evaluates one resource instance.
func (m *modInst) instance(r *resource, s *shape, sc *scope, key cty.Value) (*tfinst.Instance, error) {
	m.ev.count++
	if m.ev.count > maxInstances {
		return nil, errAt(r.rng, "the configuration has more than %d resource instances, more than clusterwall evaluates", maxInstances)
	}
	addr := tfinst.Address(m.path, r.mode, r.typ, r.name, key)
	in := &tfinst.Instance{Mode: r.mode, Type: r.typ, Name: r.name, Module: m.path, Key: key, Address: addr,
		Origin:        srcpos.Location{File: r.rng.Filename, Line: r.rng.Start.Line, Address: m.ev.prefix + addr},
		UnknownBlocks: map[string]string{}, Blocks: map[string]srcpos.Location{}}
	var trs []hcl.Traversal
	iterators := map[string]bool{}
	traversals(r.body, s, &trs, iterators)
	ctx, err := sc.ctx(trs, iterators)
	if err != nil {
		return nil, err
	}
	body := dynblock.Expand(r.body, ctx)
	v, err := decode(body, s, ctx, "", in)
	if err != nil {
		return nil, err
	}
	in.Values = v
	return in, nil
}

// refObject is what references to an instance see: its configuration,
// reference values for the attributes that name it (id, arn, and those
// the mapper lists), and every other attribute any expression reads,
// unknown until apply.
func (ev *evaluator) refObject(in *tfinst.Instance, s *shape) cty.Value {
	u, _ := in.Values.Unmark()
	attrs := map[string]cty.Value{}
	if u.IsKnown() && !u.IsNull() && u.Type().IsObjectType() {
		attrs = in.Values.AsValueMap()
		if attrs == nil {
			attrs = map[string]cty.Value{}
		}
	}
	// An attribute configured as null is one the provider computes.
	for name, v := range attrs {
		if s.blocks[name] == nil && tfinst.Absent(v) {
			delete(attrs, name)
		}
	}
	blocks := map[string]*shape{}
	for t, b := range s.blocks {
		blocks[t] = b
	}
	attrs["id"] = tfinst.RefVal(in.Address, "id")
	if a := tfmap.IDAttribute(in.Type); a != "" {
		if s, ok := tfinst.String(attrs[a]); ok && !tfinst.ContainsRef(s) {
			attrs["id"] = cty.StringVal(s)
		}
	}
	if _, ok := attrs["arn"]; !ok {
		attrs["arn"] = tfinst.RefVal(in.Address, "arn")
	}
	for _, p := range tfmap.References(in.Type) {
		block, rest, ok := strings.Cut(p, "[0].")
		if !ok {
			if _, set := attrs[p]; !set {
				attrs[p] = tfinst.RefVal(in.Address, p)
			}
			continue
		}
		elem := map[string]cty.Value{}
		if list, known := tfinst.List(attrs[block]); known && len(list) > 0 {
			if e, _ := list[0].Unmark(); e.IsKnown() && !e.IsNull() && e.Type().IsObjectType() {
				elem = e.AsValueMap()
			}
			if elem == nil {
				elem = map[string]cty.Value{}
			}
			elem[rest] = tfinst.RefVal(in.Address, p)
			list[0] = cty.ObjectVal(elem)
			attrs[block] = cty.TupleVal(list)
		} else {
			elem[rest] = tfinst.RefVal(in.Address, p)
			attrs[block] = cty.TupleVal([]cty.Value{cty.ObjectVal(elem)})
		}
		if blocks[block] == nil {
			blocks[block] = newShape()
		}
	}
	return cty.ObjectVal(ev.pad(attrs, blocks, in.Address))
}

// pad adds the attributes references read that an object lacks, as
// unknown values, to it and to the objects of its nested blocks.
func (ev *evaluator) pad(attrs map[string]cty.Value, blocks map[string]*shape, where string) map[string]cty.Value {
	for name, sub := range blocks {
		list, known := tfinst.List(attrs[name])
		if !known || attrs[name] == cty.NilVal {
			continue
		}
		changed := false
		for i, e := range list {
			if e.IsMarked() || !e.IsKnown() || e.IsNull() || !e.Type().IsObjectType() {
				continue
			}
			inner := e.AsValueMap()
			if inner == nil {
				inner = map[string]cty.Value{}
			}
			list[i] = cty.ObjectVal(ev.pad(inner, sub.blocks, fmt.Sprintf("%s.%s[%d]", where, name, i)))
			changed = true
		}
		if changed {
			attrs[name] = cty.TupleVal(list)
		}
	}
	for name := range ev.attrs {
		if _, ok := attrs[name]; !ok {
			attrs[name] = tfinst.Unknown(fmt.Sprintf("%s.%s is known only after apply", where, name))
		}
	}
	return attrs
}

// call returns the instances of a module call, made on first use.
func (m *modInst) call(c *call) (*callState, error) {
	cs := entry(m.calls, c)
	switch cs.st {
	case done:
		return cs, nil
	case busy:
		return &callState{unknown: fmt.Sprintf("%s depends on itself", m.addr("module."+c.name))}, nil
	}
	cs.st = busy
	defer func() { cs.st = done }()
	callPath := m.addr("module." + c.name)
	key := c.name
	if m.key != "" {
		key = m.key + "." + c.name
	}
	dir, why := m.childDir(c, key)
	if why != "" {
		cs.unknown = why
		m.ev.notes = append(m.ev.notes, why)
		return cs, nil
	}
	for a := m; a != nil; a = a.parent {
		if a.mod.dir == dir {
			return nil, errAt(c.rng, "module %s calls %s, which is already being evaluated above it: modules cannot call themselves", c.name, dir)
		}
	}
	if m.depth+1 > maxModuleDepth {
		return nil, errAt(c.rng, "modules nest more than %d deep", maxModuleDepth)
	}
	mod, err := m.ev.l.module(dir)
	if err != nil {
		return nil, err
	}
	kind, keys, scopes, unknown, err := m.expand(c.count, c.forEach, callPath)
	if err != nil {
		return nil, err
	}
	cs.kind, cs.keys = kind, keys
	if unknown != "" {
		cs.unknown = unknown
		m.ev.notes = append(m.ev.notes, fmt.Sprintf("%s, so what the module declares is left out", unknown))
		return cs, nil
	}
	m.ev.count += len(scopes)
	if m.ev.count > maxInstances {
		return nil, errAt(c.rng, "the configuration has more than %d resource and module instances, more than clusterwall evaluates", maxInstances)
	}
	for i, sc := range scopes {
		child := newModInst(m.ev, mod, m, callPath+tfinst.KeyString(keys[i]), key)
		child.args = map[string]argument{}
		for name, a := range c.args {
			if mod.variables[name] == nil {
				return nil, errAt(a.NameRange, "module %s has no input variable %q", c.name, name)
			}
			child.args[name] = argument{expr: a.Expr, scope: sc}
		}
		cs.insts = append(cs.insts, child)
	}
	return cs, nil
}

// childDir finds the directory of a module call: a local path, or where
// terraform init put the module (.terraform/modules/modules.json).
func (m *modInst) childDir(c *call, key string) (string, string) {
	if dir, ok := m.ev.l.resolve(m.mod.dir, c.source, key, m.dirs); ok {
		return dir, ""
	}
	callPath := m.addr("module." + c.name)
	if isLocalSource(c.source) {
		return "", fmt.Sprintf("%s: %s has no Terraform files, so what the module declares is not known", callPath, path.Join(m.mod.dir, c.source))
	}
	return "", fmt.Sprintf("%s: the module %s is not in the input (run terraform init in %s so that .terraform/modules holds it), so what it declares is not known", callPath, c.source, m.rootDir)
}

// moduleValue is what module.NAME evaluates to: an object of the outputs
// an expression reads, per instance.
func (m *modInst) moduleValue(name string, w *want, trs []hcl.Traversal) (cty.Value, error) {
	c := m.mod.byCall[name]
	if c == nil {
		for _, t := range trs {
			if t.RootName() == "module" {
				if n, _ := attrName(t, 1); n == name {
					return cty.NilVal, errAt(t.SourceRange(), "reference to undeclared module %q", name)
				}
			}
		}
		return cty.NilVal, fmt.Errorf("reference to undeclared module %q", name)
	}
	cs, err := m.call(c)
	if err != nil {
		return cty.NilVal, err
	}
	if cs.unknown != "" {
		return tfinst.Unknown(cs.unknown), nil
	}
	objs := make([]cty.Value, len(cs.insts))
	for i, child := range cs.insts {
		outs := map[string]cty.Value{}
		for _, out := range sortedKeys(child.mod.outputs) {
			if !w.all && !w.names[out] {
				continue
			}
			v, err := child.output(out)
			if err != nil {
				return cty.NilVal, err
			}
			outs[out] = v
		}
		objs[i] = cty.ObjectVal(outs)
	}
	switch cs.kind {
	case counted:
		if len(objs) == 0 {
			return cty.EmptyTupleVal, nil
		}
		return cty.TupleVal(objs), nil
	case keyed:
		obj := map[string]cty.Value{}
		for i, k := range cs.keys {
			obj[k.AsString()] = objs[i]
		}
		return cty.ObjectVal(obj), nil
	}
	return objs[0], nil
}

// walk evaluates every managed resource of a module instance and of the
// modules it calls, in declaration order.
func (m *modInst) walk() error {
	for _, r := range m.mod.resources {
		if r.mode != tfinst.Managed {
			continue
		}
		rs, err := m.evaluated(r)
		if err != nil {
			return err
		}
		if rs != nil {
			m.ev.out = append(m.ev.out, rs.insts...)
		}
	}
	for _, c := range m.mod.calls {
		cs, err := m.call(c)
		if err != nil {
			return err
		}
		for _, child := range cs.insts {
			if err := child.walk(); err != nil {
				return err
			}
		}
	}
	return nil
}
