package tfplan

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/zclconf/go-cty/cty"

	"github.com/clusterwall/clusterwall/internal/source/jsonpos"
	"github.com/clusterwall/clusterwall/internal/source/tfinst"
	"github.com/clusterwall/clusterwall/internal/srcpos"
)

// reader turns one document into resource instances.
type reader struct {
	d      *document
	prefix string
	recs   []*rec
	byAddr map[string]*rec
	byRes  map[resKey][]*rec // the instances of each resource, in key order
	// keySets caches the key set of each resource (see keySet).
	keySets map[resKey]string
	mods    map[string]*modInst
	root    *modInst
	// hasConfig is set for a plan with its configuration section.
	hasConfig bool
	out       []*tfinst.Instance
	notes     []string
	visits    int // expressions visited while resolving one value
}

type resKey struct {
	module string
	mode   tfinst.Mode
	typ    string
	name   string
}

// rec is one resource instance of the document.
type rec struct {
	res    *tfjson.StateResource
	node   *jsonpos.Node // the resource's object
	mi     *modInst
	mode   tfinst.Mode
	key    cty.Value
	addr   string
	change *tfjson.Change // what the plan does to it; nil in state
	cfg    *tfjson.ConfigResource
	// values are the known values (planned_values, or state).
	values map[string]any
	// expansion, when set, says why the instances are not known.
	expansion string
	inst      *tfinst.Instance
}

// modInst is one module instance, and the configuration it was made from.
type modInst struct {
	addr   string // "" for the root module: module.eks.module.ng["a"]
	parent *modInst
	name   string // the module call's name
	key    cty.Value
	call   *tfjson.ModuleCall // nil for the root module
	cfg    *tfjson.ConfigModule
	res    map[string]*tfjson.ConfigResource // by "TYPE.NAME" or "data.TYPE.NAME"
	kids   map[string][]*modInst             // instances of each call, in key order
	// kidSets caches the key set of each call's instances (see keySet).
	kidSets map[string]string
}

func newReader(d *document, prefix string) *reader {
	r := &reader{d: d, prefix: prefix, byAddr: map[string]*rec{}, byRes: map[resKey][]*rec{}, keySets: map[resKey]string{},
		mods: map[string]*modInst{}}
	r.root = &modInst{kids: map[string][]*modInst{}}
	if d.plan != nil && d.plan.Config != nil && d.plan.Config.RootModule != nil {
		r.root.cfg = d.plan.Config.RootModule
		r.hasConfig = true
	}
	r.mods[""] = r.root
	return r
}

// collect finds every resource instance of the document.
func (r *reader) collect() error {
	root := r.d.doc.Root
	if s := r.d.state; s != nil {
		if s.Values != nil {
			r.walk(s.Values.RootModule, root.At("values", "root_module"), nil)
		}
		r.sort()
		return nil
	}
	p := r.d.plan
	if p.PlannedValues != nil {
		r.walk(p.PlannedValues.RootModule, root.At("planned_values", "root_module"), nil)
	}
	for _, rc := range p.ResourceChanges {
		if rc == nil || rc.DeposedKey != "" || rc.Change == nil {
			continue
		}
		mode, okMode := modeOf(rc.Mode)
		key, ok := instanceKey(rc.Index)
		if !okMode || !ok {
			continue
		}
		module, ok := canonicalModule(rc.ModuleAddress)
		if !ok {
			continue
		}
		if x := r.byAddr[tfinst.Address(module, mode, rc.Type, rc.Name, key)]; x != nil {
			x.change = rc.Change
		}
	}
	// Data sources read while planning are in the prior state only.
	if p.PriorState != nil && p.PriorState.Values != nil {
		r.walk(p.PriorState.Values.RootModule, root.At("prior_state", "values", "root_module"), func(res *tfjson.StateResource) bool {
			return res.Mode == tfjson.DataResourceMode
		})
	}
	for i, dc := range p.DeferredChanges {
		if dc == nil || dc.ResourceChange == nil || dc.ResourceChange.Change == nil {
			continue
		}
		r.deferred(dc, root.At("deferred_changes", i, "resource_change"))
	}
	r.sort()
	return nil
}

// walk adds the resources of a module and its children; keep, when not
// nil, selects which.
func (r *reader) walk(m *tfjson.StateModule, node *jsonpos.Node, keep func(*tfjson.StateResource) bool) {
	if m == nil {
		return
	}
	for i, res := range m.Resources {
		if res == nil || (keep != nil && !keep(res)) {
			continue
		}
		r.add(res, m.Address, node.At("resources", i), res.AttributeValues, "")
	}
	for j, c := range m.ChildModules {
		r.walk(c, node.At("child_modules", j), keep)
	}
}

func (r *reader) add(res *tfjson.StateResource, module string, node *jsonpos.Node, values map[string]any, expansion string) {
	mode, okMode := modeOf(res.Mode)
	if !okMode || res.Type == "" || res.Name == "" {
		return
	}
	key, ok := instanceKey(res.Index)
	if !ok {
		r.notes = append(r.notes, fmt.Sprintf("%s: the instance key of %s is neither a number nor a string, so it is left out", r.d.file, res.Address))
		return
	}
	mi, ok := r.module(module)
	if !ok {
		r.notes = append(r.notes, fmt.Sprintf("%s: %q is not a module address, so %s is left out", r.d.file, module, res.Address))
		return
	}
	addr := tfinst.Address(mi.addr, mode, res.Type, res.Name, key)
	if expansion != "" {
		addr = tfinst.Address(mi.addr, mode, res.Type, res.Name, cty.NilVal)
	}
	if r.byAddr[addr] != nil {
		return
	}
	x := &rec{res: res, node: node, mi: mi, mode: mode, key: key, addr: addr, values: values, expansion: expansion}
	if mi.cfg != nil {
		x.cfg = mi.resource(tfinst.ResourceAddress(mode, res.Type, res.Name))
	}
	r.recs = append(r.recs, x)
	r.byAddr[addr] = x
	k := resKey{mi.addr, mode, res.Type, res.Name}
	r.byRes[k] = append(r.byRes[k], x)
}

// deferred adds a resource whose change Terraform left to a later plan.
func (r *reader) deferred(dc *tfjson.DeferredResourceChange, node *jsonpos.Node) {
	rc := dc.ResourceChange
	after, _ := rc.Change.After.(map[string]any)
	res := &tfjson.StateResource{Address: rc.Address, Mode: rc.Mode, Type: rc.Type, Name: rc.Name, Index: rc.Index}
	why := fmt.Sprintf("Terraform defers %s to a later plan (%s)", rc.Address, strings.ReplaceAll(dc.Reason, "_", " "))
	if rc.Index != nil {
		why = ""
	}
	before := len(r.recs)
	r.add(res, rc.ModuleAddress, node, after, why)
	if len(r.recs) > before {
		r.recs[len(r.recs)-1].change = rc.Change
	}
}

func (r *reader) sort() {
	for _, xs := range r.byRes {
		slices.SortStableFunc(xs, func(a, b *rec) int { return compareKeys(a.key, b.key) })
	}
	for _, mi := range r.mods {
		for _, xs := range mi.kids {
			slices.SortStableFunc(xs, func(a, b *modInst) int { return compareKeys(a.key, b.key) })
		}
	}
}

func compareKeys(a, b cty.Value) int {
	switch {
	case a == cty.NilVal || b == cty.NilVal:
		return cmp.Compare(boolInt(a != cty.NilVal), boolInt(b != cty.NilVal))
	case a.Type() == cty.Number && b.Type() == cty.Number:
		return a.AsBigFloat().Cmp(b.AsBigFloat())
	case a.Type() == cty.String && b.Type() == cty.String:
		return strings.Compare(a.AsString(), b.AsString())
	}
	return strings.Compare(a.Type().FriendlyName(), b.Type().FriendlyName())
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// modeOf reads a resource mode; ok is false for modes the model has no
// use for (ephemeral resources, list resources).
func modeOf(m tfjson.ResourceMode) (tfinst.Mode, bool) {
	switch m {
	case tfjson.ManagedResourceMode, "":
		return tfinst.Managed, true
	case tfjson.DataResourceMode:
		return tfinst.Data, true
	}
	return 0, false
}

// instanceKey reads a resource's index: none, a count index or a
// for_each key.
func instanceKey(index any) (cty.Value, bool) {
	switch k := index.(type) {
	case nil:
		return cty.NilVal, true
	case string:
		return cty.StringVal(k), true
	case json.Number:
		n, err := cty.ParseNumberVal(k.String())
		if err != nil {
			return cty.NilVal, false
		}
		return n, true
	case float64:
		return cty.NumberFloatVal(k), true
	}
	return cty.NilVal, false
}

// moduleStep is one module call instance of a module address.
type moduleStep struct {
	name string
	key  cty.Value
}

// parseModule reads a module instance address: module.eks,
// module.ng["a"].module.lt; "" is the root module.
func parseModule(addr string) ([]moduleStep, bool) {
	if addr == "" {
		return nil, true
	}
	steps, ok := parseTraversal(addr)
	if !ok {
		return nil, false
	}
	var out []moduleStep
	for i := 0; i < len(steps); {
		if steps[i].name != "module" || i+1 >= len(steps) || steps[i+1].name == "" {
			return nil, false
		}
		st := moduleStep{name: steps[i+1].name, key: cty.NilVal}
		i += 2
		if i < len(steps) && steps[i].index != cty.NilVal {
			st.key = steps[i].index
			i++
		}
		out = append(out, st)
	}
	return out, true
}

// canonicalModule prints a module address as the reader keys it.
func canonicalModule(addr string) (string, bool) {
	steps, ok := parseModule(addr)
	if !ok {
		return "", false
	}
	var b strings.Builder
	for i, s := range steps {
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString("module." + s.name + tfinst.KeyString(s.key))
	}
	return b.String(), true
}

// module returns the module instance of an address, made on first use.
func (r *reader) module(addr string) (*modInst, bool) {
	if mi, ok := r.mods[addr]; ok {
		return mi, true
	}
	steps, ok := parseModule(addr)
	if !ok {
		return nil, false
	}
	mi := r.root
	for _, s := range steps {
		mi = r.child(mi, s.name, s.key)
	}
	return mi, true
}

// child returns the instance of a module call with a key.
func (r *reader) child(parent *modInst, name string, key cty.Value) *modInst {
	addr := "module." + name + tfinst.KeyString(key)
	if parent.addr != "" {
		addr = parent.addr + "." + addr
	}
	if mi, ok := r.mods[addr]; ok {
		return mi
	}
	mi := &modInst{addr: addr, parent: parent, name: name, key: key, kids: map[string][]*modInst{}}
	if parent.cfg != nil {
		if c := parent.cfg.ModuleCalls[name]; c != nil {
			mi.call, mi.cfg = c, c.Module
		}
	}
	r.mods[addr] = mi
	parent.kids[name] = append(parent.kids[name], mi)
	return mi
}

// resource returns the configuration of a resource of the module.
func (mi *modInst) resource(addr string) *tfjson.ConfigResource {
	if mi.cfg == nil {
		return nil
	}
	if mi.res == nil {
		mi.res = map[string]*tfjson.ConfigResource{}
		for _, cr := range mi.cfg.Resources {
			if cr != nil {
				if mode, ok := modeOf(cr.Mode); ok {
					mi.res[tfinst.ResourceAddress(mode, cr.Type, cr.Name)] = cr
				}
			}
		}
	}
	return mi.res[addr]
}

// build makes the instances.
func (r *reader) build() {
	for _, x := range r.recs {
		in := &tfinst.Instance{Mode: x.mode, Type: x.res.Type, Name: x.res.Name, Module: x.mi.addr, Key: x.key,
			Address: x.addr, ExpansionUnknown: x.expansion, Blocks: map[string]srcpos.Location{},
			UnknownBlocks: map[string]string{}}
		in.Origin = r.loc(x.node, r.prefix+x.addr)
		x.inst = in
	}
	for _, x := range r.recs {
		b := &builder{r: r, x: x}
		var unk, sens any
		if x.change != nil {
			unk, sens = x.change.AfterUnknown, x.change.AfterSensitive
		}
		values := map[string]any{}
		for k, v := range x.values {
			values[k] = v
		}
		if r.d.plan != nil && x.cfg != nil {
			for _, a := range mirrors[x.res.Type] {
				if _, set := x.cfg.Expressions[a]; !set {
					delete(values, a)
				}
			}
		}
		c := cfgNode{}
		if x.cfg != nil {
			c = cfgNode{body: x.cfg.Expressions, configured: true}
		} else if r.hasConfig && x.mode == tfinst.Data {
			c = cfgNode{configured: true}
		}
		v, _ := b.conv(values, unk, sens, nil, c, x.node.Field("values"))
		x.inst.Values = dropConflicting(x.res.Type, v)
		r.out = append(r.out, x.inst)
	}
}

// mirrors lists attributes that, when the configuration does not set
// them, the provider fills with what other resources declare: the
// ingress and egress of a group list every rule AWS has, those of
// aws_security_group_rule resources included. A plan has the
// configuration and leaves them out, as HCL does; state is deduplicated
// after mapping.
var mirrors = map[string][]string{
	"aws_security_group": {"ingress", "egress"},
}

// conflicts lists, by resource type, optional and computed attributes
// that the provider rejects together with others. A plan leaves such an
// attribute unknown when the configuration sets it to null (the provider
// would compute it), so when a conflicting attribute is set, the unknown
// value is not a value at all: terraform-aws-eks gives every rule
// source_security_group_id = cond ? local.x : null, self rules too.
var conflicts = map[string]map[string][]string{
	"aws_security_group_rule": {"source_security_group_id": {"self", "cidr_blocks", "ipv6_cidr_blocks"}},
}

func dropConflicting(typ string, v cty.Value) cty.Value {
	cs := conflicts[typ]
	if len(cs) == 0 || !v.IsKnown() || v.IsNull() || !v.Type().IsObjectType() {
		return v
	}
	attrs := v.AsValueMap()
	changed := false
	for attr, others := range cs {
		a, ok := attrs[attr]
		if !ok || tfinst.Known(a) {
			continue
		}
		for _, o := range others {
			ov := attrs[o]
			if b, ok := tfinst.Bool(ov); ok && b {
				delete(attrs, attr)
				changed = true
				break
			}
			if elems, known := tfinst.List(ov); known && !tfinst.Absent(ov) && len(elems) > 0 && ov.Type() != cty.Bool {
				delete(attrs, attr)
				changed = true
				break
			}
		}
	}
	if !changed {
		return v
	}
	return cty.ObjectVal(attrs)
}

func (r *reader) loc(n *jsonpos.Node, addr string) srcpos.Location {
	l := srcpos.Location{File: r.d.file, Address: addr}
	if r.d.lines && n != nil {
		l.Line = n.Line
	}
	return l
}

// path is where a value is in its instance: attribute names and indexes.
type path []any

func (p path) with(step any) path { return append(slices.Clip(p), step) }

func (p path) String() string {
	var b strings.Builder
	for _, s := range p {
		switch s := s.(type) {
		case string:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s)
		case int:
			b.WriteString("[" + strconv.Itoa(s) + "]")
		}
	}
	return b.String()
}

// cfgNode is the configuration that made a value: an expression, a block
// body (attribute → expression), or a list of blocks.
type cfgNode struct {
	expr   *tfjson.Expression
	body   map[string]*tfjson.Expression
	blocks []map[string]*tfjson.Expression
	// configured is set when the configuration is known here: what it
	// does not set, the provider computes.
	configured bool
}

func (c cfgNode) child(k string) cfgNode {
	switch {
	case c.expr != nil:
		return c
	case c.body != nil:
		return exprNode(c.body[k])
	}
	return cfgNode{configured: c.configured}
}

func exprNode(e *tfjson.Expression) cfgNode {
	switch {
	case e == nil || e.ExpressionData == nil:
		return cfgNode{configured: true}
	case len(e.NestedBlocks) > 0:
		return cfgNode{blocks: e.NestedBlocks, configured: true}
	}
	return cfgNode{expr: e, configured: true}
}

// elem is the configuration of the i-th element of a list. The blocks of
// a set are not in the order of their values, so elements of several
// blocks see the references of all of them.
func (c cfgNode) elem(i int) cfgNode {
	switch {
	case c.expr != nil:
		return c
	case len(c.blocks) == 1:
		return cfgNode{body: c.blocks[0], configured: true}
	case len(c.blocks) > 1:
		merged := map[string]*tfjson.Expression{}
		for _, b := range c.blocks {
			for k, e := range b {
				if e == nil || e.ExpressionData == nil {
					continue
				}
				m := merged[k]
				if m == nil {
					m = &tfjson.Expression{ExpressionData: &tfjson.ExpressionData{}}
					merged[k] = m
				}
				m.References = append(m.References, e.References...)
				if len(e.NestedBlocks) > 0 {
					m.NestedBlocks = append(m.NestedBlocks, e.NestedBlocks...)
				}
			}
		}
		return cfgNode{body: merged, configured: true}
	}
	return cfgNode{configured: c.configured}
}

// builder converts the values of one instance.
type builder struct {
	r *reader
	x *rec
}

// conv converts a JSON value with what the plan says is unknown in it
// (unk: true, or the same shape with true at unknown places) and the
// sensitivity shape (which tells collections from other values). It
// returns false for an unknown value the configuration does not set.
func (b *builder) conv(v any, unk any, sens any, p path, c cfgNode, node *jsonpos.Node) (cty.Value, bool) {
	if u, ok := unk.(bool); ok && u {
		return b.unknown(p, sens, c)
	}
	switch x := v.(type) {
	case map[string]any:
		unkm, _ := unk.(map[string]any)
		sensm, _ := sens.(map[string]any)
		keys := make([]string, 0, len(x)+len(unkm))
		for k := range x {
			keys = append(keys, k)
		}
		for k, u := range unkm {
			if _, ok := x[k]; !ok && u == true {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		attrs := make(map[string]cty.Value, len(keys))
		for _, k := range keys {
			cv, ok := b.conv(x[k], unkm[k], sensm[k], p.with(k), c.child(k), node.Field(k))
			if ok {
				attrs[k] = cv
			}
		}
		return cty.ObjectVal(attrs), true
	case []any:
		if len(x) == 0 {
			return cty.EmptyTupleVal, true
		}
		unkl, _ := unk.([]any)
		sensl, _ := sens.([]any)
		elems := make([]cty.Value, len(x))
		var unknown []int
		for i := range x {
			if i < len(unkl) && unkl[i] == true {
				unknown = append(unknown, i)
			}
		}
		if len(unknown) > 0 {
			vals := b.listElems(c, len(unknown))
			for j, i := range unknown {
				elems[i] = vals[j]
			}
		}
		for i, e := range x {
			if elems[i] != cty.NilVal {
				continue
			}
			en := node.Elem(i)
			if _, isObj := e.(map[string]any); isObj && en != nil {
				b.x.inst.Blocks[p.with(i).String()] = b.r.loc(en, "")
			}
			var ue, se any
			if i < len(unkl) {
				ue = unkl[i]
			}
			if i < len(sensl) {
				se = sensl[i]
			}
			cv, ok := b.conv(e, ue, se, p.with(i), c.elem(i), en)
			if !ok {
				cv = tfinst.Unknown("known only after apply")
			}
			elems[i] = cv
		}
		return cty.TupleVal(elems), true
	case nil:
		return cty.NullVal(cty.DynamicPseudoType), true
	case bool:
		return cty.BoolVal(x), true
	case string:
		return cty.StringVal(x), true
	case json.Number:
		if n, err := cty.ParseNumberVal(x.String()); err == nil {
			return n, true
		}
		return cty.StringVal(x.String()), true
	case float64:
		return cty.NumberVal(new(big.Float).SetFloat64(x)), true
	}
	return cty.NullVal(cty.DynamicPseudoType), true
}

// unknown is a value the plan does not know: from the references of its
// expression when they explain it, else unknown with the reason. An
// attribute the configuration does not set is the provider's to compute,
// and is left out.
func (b *builder) unknown(p path, sens any, c cfgNode) (cty.Value, bool) {
	switch {
	case c.expr != nil:
	case c.body != nil || c.blocks != nil:
		return tfinst.Unknown("its blocks are made from values known only after apply"), true
	case c.configured:
		return cty.NilVal, false
	default:
		return tfinst.Unknown("known only after apply"), true
	}
	switch sens.(type) {
	case []any:
		return b.wholeList(p, c.expr), true
	case map[string]any:
		return tfinst.Unknown("known only after apply"), true
	case nil:
		if b.x.change != nil && b.x.change.AfterSensitive == nil && idList(p) {
			// Plans before Terraform 0.15 do not say which values are
			// collections: go by the attribute's name.
			return b.wholeList(p, c.expr), true
		}
	}
	return b.scalar(c.expr), true
}

// idList reports whether an attribute holds a list of ids, by its name.
func idList(p path) bool {
	if len(p) == 0 {
		return false
	}
	name, _ := p[len(p)-1].(string)
	switch name {
	case "security_groups", "subnets", "vpc_zone_identifier":
		return true
	}
	return strings.HasSuffix(name, "_ids")
}
