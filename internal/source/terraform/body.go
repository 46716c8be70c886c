package terraform

import (
	"fmt"
	"slices"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/clusterwall/clusterwall/internal/source/tfinst"
	"github.com/clusterwall/clusterwall/internal/srcpos"
)

// shape is the structure of a resource body: its attribute names and its
// nested block types. Provider schemas are not available, so the shape
// comes from the syntax itself (a dynamic block contributes the shape of
// its content); for JSON, which does not tell blocks from attributes,
// the names in jsonBlocks are read as blocks.
type shape struct {
	attrs  map[string]bool
	blocks map[string]*shape
	labels map[string]int
}

func newShape() *shape {
	return &shape{attrs: map[string]bool{}, blocks: map[string]*shape{}, labels: map[string]int{}}
}

func (s *shape) merge(o *shape) {
	for a := range o.attrs {
		s.attrs[a] = true
	}
	for t, b := range o.blocks {
		s.block(t, o.labels[t]).merge(b)
	}
}

func (s *shape) block(typ string, labels int) *shape {
	b := s.blocks[typ]
	if b == nil {
		b = newShape()
		s.blocks[typ] = b
		s.labels[typ] = labels
	}
	return b
}

// schema is the shape as an HCL schema; withDynamic adds the dynamic
// block (for walking the raw body; dynblock adds it itself).
func (s *shape) schema(withDynamic bool) *hcl.BodySchema {
	sch := &hcl.BodySchema{}
	for _, a := range sortedKeys(s.attrs) {
		if s.blocks[a] == nil {
			sch.Attributes = append(sch.Attributes, hcl.AttributeSchema{Name: a})
		}
	}
	for _, t := range sortedKeys(s.blocks) {
		sch.Blocks = append(sch.Blocks, hcl.BlockHeaderSchema{Type: t, LabelNames: labelNames(s.labels[t])})
	}
	if withDynamic {
		sch.Blocks = append(sch.Blocks, hcl.BlockHeaderSchema{Type: "dynamic", LabelNames: []string{"type"}})
	}
	return sch
}

func labelNames(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("label%d", i)
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// jsonBlocks are the nested block types of the resources clusterwall
// maps, for reading .tf.json files.
var jsonBlocks = map[string]bool{
	"ingress": true, "egress": true, "vpc_config": true, "kubernetes_network_config": true,
	"access_config": true, "encryption_config": true, "launch_template": true, "remote_access": true,
	"scaling_config": true, "update_config": true, "taint": true, "network_interfaces": true,
	"mixed_instances_policy": true, "instances_distribution": true, "launch_template_specification": true,
	"override": true, "tag": true, "entry": true, "selector": true, "subnet_mapping": true, "set": true,
	"set_sensitive": true, "timeouts": true, "tag_specifications": true, "metadata_options": true,
	"block_device_mappings": true, "ebs": true, "iam_instance_profile": true, "access_logs": true,
	// tencentcloud_*
	"worker_config": true, "master_config": true, "exist_instance": true, "instances_para": true,
	"auto_scaling_config": true, "address_template": true, "protocol_template": true, "native": true,
	"address_extra_set": true, "service_extra_set": true,
}

// jsonObjects reports whether a JSON property holds what a block does: an
// object or an array of objects. An array of strings under a block's
// name is an attribute of another resource (the ingress and egress lists
// of tencentcloud_security_group_lite_rule).
func jsonObjects(expr hcl.Expression) bool {
	if _, diags := hcl.ExprMap(expr); !diags.HasErrors() {
		return true
	}
	elems, diags := hcl.ExprList(expr)
	if diags.HasErrors() {
		return true // not a list either: let the block schema report it
	}
	for _, e := range elems {
		if _, diags := hcl.ExprMap(e); diags.HasErrors() {
			return false
		}
	}
	return true
}

var dynamicSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "for_each"}, {Name: "iterator"}, {Name: "labels"}},
	Blocks:     []hcl.BlockHeaderSchema{{Type: "content"}},
}

// inferShape reads the shape of a body; top leaves out the resource
// meta-arguments.
func inferShape(body hcl.Body, top bool) *shape {
	s := newShape()
	skip := func(name string) bool { return top && resourceMeta[name] }
	if b, ok := body.(*hclsyntax.Body); ok {
		for name := range b.Attributes {
			if !skip(name) {
				s.attrs[name] = true
			}
		}
		for _, blk := range b.Blocks {
			switch {
			case skip(blk.Type):
			case blk.Type == "dynamic" && len(blk.Labels) == 1:
				sub := s.block(blk.Labels[0], 0) // even without content
				for _, inner := range blk.Body.Blocks {
					if inner.Type == "content" {
						sub.merge(inferShape(inner.Body, false))
					}
				}
			default:
				s.block(blk.Type, len(blk.Labels)).merge(inferShape(blk.Body, false))
			}
		}
		return s
	}
	// JSON: every property is an attribute except the known blocks.
	attrs, _ := body.JustAttributes()
	var blockSchema hcl.BodySchema
	for name := range attrs {
		switch {
		case skip(name) || name == "//":
		case name == "dynamic":
			blockSchema.Blocks = append(blockSchema.Blocks, hcl.BlockHeaderSchema{Type: "dynamic", LabelNames: []string{"type"}})
		case jsonBlocks[name] && jsonObjects(attrs[name].Expr):
			blockSchema.Blocks = append(blockSchema.Blocks, hcl.BlockHeaderSchema{Type: name})
		default:
			s.attrs[name] = true
		}
	}
	content, _, _ := body.PartialContent(&blockSchema)
	if content == nil {
		return s
	}
	for _, blk := range content.Blocks {
		if blk.Type != "dynamic" {
			s.block(blk.Type, 0).merge(inferShape(blk.Body, false))
			continue
		}
		inner, _, _ := blk.Body.PartialContent(dynamicSchema)
		sub := s.block(blk.Labels[0], 0)
		if inner != nil {
			for _, c := range inner.Blocks {
				sub.merge(inferShape(c.Body, false))
			}
		}
	}
	return s
}

// traversals collects the references of every expression in a raw body,
// dynamic blocks included, and the iterator names of its dynamic blocks.
func traversals(body hcl.Body, s *shape, out *[]hcl.Traversal, iterators map[string]bool) {
	content, _, _ := body.PartialContent(s.schema(true))
	if content == nil {
		return
	}
	for _, name := range sortedKeys(content.Attributes) {
		*out = append(*out, content.Attributes[name].Expr.Variables()...)
	}
	for _, blk := range content.Blocks {
		if blk.Type != "dynamic" {
			traversals(blk.Body, s.blocks[blk.Type], out, iterators)
			continue
		}
		typ := blk.Labels[0]
		iterators[typ] = true
		inner, _, _ := blk.Body.PartialContent(dynamicSchema)
		if inner == nil {
			continue
		}
		if a := inner.Attributes["iterator"]; a != nil {
			if t, diags := hcl.AbsTraversalForExpr(a.Expr); !diags.HasErrors() && len(t) == 1 {
				iterators[t.RootName()] = true
			}
		}
		for _, name := range []string{"for_each", "labels"} {
			if a := inner.Attributes[name]; a != nil {
				*out = append(*out, a.Expr.Variables()...)
			}
		}
		if sub := s.blocks[typ]; sub != nil {
			for _, c := range inner.Blocks {
				traversals(c.Body, sub, out, iterators)
			}
		}
	}
}

// decode evaluates an expanded body into an object: attributes as their
// values, nested blocks as tuples of objects. It records where each block
// is and which block types a dynamic block over an unknown value makes.
func decode(body hcl.Body, s *shape, ctx *hcl.EvalContext, path string, in *tfinst.Instance) (cty.Value, error) {
	content, _, diags := body.PartialContent(s.schema(false))
	if diags.HasErrors() {
		return cty.NilVal, diagError(diags)
	}
	vals := map[string]cty.Value{}
	for _, name := range sortedKeys(content.Attributes) {
		a := content.Attributes[name]
		v, diags := a.Expr.Value(ctx)
		if diags.HasErrors() {
			return cty.NilVal, diagError(diags)
		}
		vals[name] = v
		// Attributes as blocks (ingress = [{…}, {…}], or a for
		// expression): the attribute's line, and each element's.
		if t := v.Type(); t.IsListType() || t.IsTupleType() || t.IsSetType() || t == cty.DynamicPseudoType {
			in.Blocks[path+name] = locOf(a.Expr.Range())
		}
		if tup, ok := hcl.UnwrapExpression(a.Expr).(*hclsyntax.TupleConsExpr); ok {
			for i, e := range tup.Exprs {
				in.Blocks[fmt.Sprintf("%s%s[%d]", path, name, i)] = locOf(e.Range())
			}
		}
	}
	byType := map[string][]cty.Value{}
	for _, blk := range content.Blocks {
		if ub, ok := blk.Body.(hcldec.UnknownBody); ok && ub.Unknown() {
			why := "a dynamic block's for_each is not known"
			if mb, ok := blk.Body.(hcldec.MarkedBody); ok {
				if r := tfinst.Reason(cty.True.WithMarks(mb.BodyValueMarks())); r != "" {
					why = r
				}
			}
			in.UnknownBlocks[path+blk.Type] = why
			continue
		}
		i := len(byType[blk.Type])
		p := fmt.Sprintf("%s%s[%d]", path, blk.Type, i)
		where := blk.DefRange
		if blk.DefRange.Start != blk.TypeRange.Start {
			// Made by a dynamic block: point at its content.
			where = blk.Body.MissingItemRange()
		}
		in.Blocks[p] = locOf(where)
		sub := s.blocks[blk.Type]
		if sub == nil {
			sub = newShape()
		}
		v, err := decode(blk.Body, sub, ctx, p+".", in)
		if err != nil {
			return cty.NilVal, err
		}
		byType[blk.Type] = append(byType[blk.Type], v)
	}
	for t, list := range byType {
		vals[t] = cty.TupleVal(list)
	}
	return cty.ObjectVal(vals), nil
}

// errAt is an input error at a range.
func errAt(r hcl.Range, format string, args ...any) error {
	return srcpos.Errorf(srcpos.Location{File: r.Filename, Line: r.Start.Line, Column: r.Start.Column}, format, args...)
}
