package terraform

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/clusterwall/clusterwall/internal/source/tfinst"
	"github.com/clusterwall/clusterwall/internal/srcpos"
)

// module is the parsed configuration of one module directory.
type module struct {
	dir       string
	variables map[string]*variable
	locals    map[string]*hcl.Attribute
	outputs   map[string]*hcl.Attribute // the value of each output
	resources []*resource
	byAddr    map[string]*resource // TYPE.NAME, data.TYPE.NAME
	calls     []*call
	byCall    map[string]*call
	// files are the parsed files, for the walks that look at all syntax.
	files []*hcl.File
}

type variable struct {
	name     string
	def      hcl.Expression // nil without a default
	ty       cty.Type       // cty.DynamicPseudoType when not constrained
	typed    bool
	defaults *typeexpr.Defaults
	nullable bool
	rng      hcl.Range
}

type resource struct {
	mode    tfinst.Mode
	typ     string
	name    string
	body    hcl.Body
	count   hcl.Expression
	forEach hcl.Expression
	rng     hcl.Range
}

type call struct {
	name    string
	source  string
	args    hcl.Attributes
	count   hcl.Expression
	forEach hcl.Expression
	rng     hcl.Range
}

var fileSchema = &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{
	{Type: "resource", LabelNames: []string{"type", "name"}},
	{Type: "data", LabelNames: []string{"type", "name"}},
	{Type: "ephemeral", LabelNames: []string{"type", "name"}},
	{Type: "module", LabelNames: []string{"name"}},
	{Type: "variable", LabelNames: []string{"name"}},
	{Type: "output", LabelNames: []string{"name"}},
	{Type: "locals"},
}}

var variableSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "default"}, {Name: "type"}, {Name: "nullable"},
}}

var outputSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "value"}}}

var resourceMetaSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "count"}, {Name: "for_each"},
}}

var callMetaSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "source"}, {Name: "version"}, {Name: "count"}, {Name: "for_each"}, {Name: "providers"}, {Name: "depends_on"},
}}

// Meta-arguments and blocks of resources that are not configuration.
var resourceMeta = map[string]bool{
	"count": true, "for_each": true, "provider": true, "depends_on": true,
	"lifecycle": true, "provisioner": true, "connection": true,
}

// diagError turns the first error of diagnostics into an input error at
// its location.
func diagError(diags hcl.Diagnostics) error {
	for _, d := range diags {
		if d.Severity != hcl.DiagError {
			continue
		}
		msg := d.Summary
		if d.Detail != "" {
			msg += ": " + d.Detail
		}
		msg = tfinst.Printable(msg)
		if d.Subject == nil {
			return srcpos.Errorf(srcpos.Location{}, "%s", msg)
		}
		return srcpos.Errorf(srcpos.Location{File: d.Subject.Filename, Line: d.Subject.Start.Line, Column: d.Subject.Start.Column}, "%s", msg)
	}
	return nil
}

func locOf(r hcl.Range) srcpos.Location {
	return srcpos.Location{File: r.Filename, Line: r.Start.Line}
}

// isOverride reports Terraform override files, which merge into other
// files' blocks.
func isOverride(name string) bool {
	base := strings.TrimSuffix(strings.TrimSuffix(name, ".json"), ".tf")
	return base == "override" || strings.HasSuffix(base, "_override")
}

func isConfigFile(name string) bool {
	return strings.HasSuffix(name, ".tf") || strings.HasSuffix(name, ".tf.json")
}

// fileSet is where the reader finds files: those the loader gave, and the
// disk for module directories and variable files the loader does not
// walk (.terraform/modules, *.tfvars).
type fileSet struct {
	given map[string][]byte
	dirs  map[string][]string // directory → names of given configuration files
}

func newFileSet(given map[string][]byte) *fileSet {
	fs := &fileSet{given: given, dirs: map[string][]string{}}
	for p := range given {
		if isConfigFile(p) {
			dir, name := path.Split(p)
			dir = cleanDir(dir)
			fs.dirs[dir] = append(fs.dirs[dir], name)
		}
	}
	for _, names := range fs.dirs {
		slices.Sort(names)
	}
	return fs
}

func cleanDir(d string) string {
	d = path.Clean(d)
	if d == "" {
		return "."
	}
	return d
}

func (fs *fileSet) read(p string) ([]byte, error) {
	if d, ok := fs.given[p]; ok {
		return d, nil
	}
	return os.ReadFile(filepath.FromSlash(p))
}

// configFiles lists the configuration files of a module directory: the
// given ones when the loader gave any, else those on disk.
func (fs *fileSet) configFiles(dir string) []string {
	if names, ok := fs.dirs[dir]; ok {
		return names
	}
	entries, err := os.ReadDir(filepath.FromSlash(dir))
	if err != nil {
		return nil
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && isConfigFile(e.Name()) {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	return names
}

// exists reports whether a directory has configuration files.
func (fs *fileSet) exists(dir string) bool { return len(fs.configFiles(dir)) > 0 }

// loader parses module directories once each.
type loader struct {
	fs      *fileSet
	parser  *hclparse.Parser
	modules map[string]*module
	notes   []string
}

func (l *loader) module(dir string) (*module, error) {
	if m, ok := l.modules[dir]; ok {
		return m, nil
	}
	m := &module{dir: dir, variables: map[string]*variable{}, locals: map[string]*hcl.Attribute{},
		outputs: map[string]*hcl.Attribute{}, byAddr: map[string]*resource{}, byCall: map[string]*call{}}
	l.modules[dir] = m
	for _, name := range l.fs.configFiles(dir) {
		p := path.Join(dir, name)
		if isOverride(name) {
			l.notes = append(l.notes, fmt.Sprintf("%s: override files are not merged; its blocks are left out", p))
			continue
		}
		data, err := l.fs.read(p)
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", p, err)
		}
		if err := l.file(m, p, data); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func (l *loader) parse(p string, data []byte) (*hcl.File, error) {
	var f *hcl.File
	var diags hcl.Diagnostics
	if strings.HasSuffix(p, ".json") {
		f, diags = l.parser.ParseJSON(data, p)
	} else {
		f, diags = l.parser.ParseHCL(data, p)
	}
	if diags.HasErrors() {
		return nil, diagError(diags)
	}
	return f, nil
}

func (l *loader) file(m *module, p string, data []byte) error {
	f, err := l.parse(p, data)
	if err != nil {
		return err
	}
	m.files = append(m.files, f)
	content, _, diags := f.Body.PartialContent(fileSchema)
	if diags.HasErrors() {
		return diagError(diags)
	}
	for _, b := range content.Blocks {
		var err error
		switch b.Type {
		case "resource", "data", "ephemeral":
			err = m.resource(b)
		case "module":
			err = m.call(b)
		case "variable":
			err = m.variable(b)
		case "output":
			c, _, diags := b.Body.PartialContent(outputSchema)
			if diags.HasErrors() {
				return diagError(diags)
			}
			if c.Attributes["value"] != nil {
				m.outputs[b.Labels[0]] = c.Attributes["value"]
			}
		case "locals":
			attrs, diags := b.Body.JustAttributes()
			if diags.HasErrors() {
				return diagError(diags)
			}
			for name, a := range attrs {
				if old := m.locals[name]; old != nil {
					return srcpos.Errorf(locOf(a.NameRange), "duplicate local value %q (first defined at %s)", name, locOf(old.NameRange))
				}
				m.locals[name] = a
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (m *module) resource(b *hcl.Block) error {
	r := &resource{typ: b.Labels[0], name: b.Labels[1], body: b.Body, rng: b.DefRange}
	if b.Type != "resource" {
		r.mode = tfinst.Data // data and ephemeral resources are read at apply time
	}
	c, _, diags := b.Body.PartialContent(resourceMetaSchema)
	if diags.HasErrors() {
		return diagError(diags)
	}
	if a := c.Attributes["count"]; a != nil {
		r.count = a.Expr
	}
	if a := c.Attributes["for_each"]; a != nil {
		r.forEach = a.Expr
	}
	if r.count != nil && r.forEach != nil {
		return srcpos.Errorf(locOf(b.DefRange), "%s has both count and for_each", tfinst.ResourceAddress(r.mode, r.typ, r.name))
	}
	key := tfinst.ResourceAddress(r.mode, r.typ, r.name)
	if b.Type == "ephemeral" {
		key = "ephemeral." + r.typ + "." + r.name
	}
	if old := m.byAddr[key]; old != nil {
		return srcpos.Errorf(locOf(b.DefRange), "duplicate %s (first declared at %s)", key, locOf(old.rng))
	}
	m.byAddr[key] = r
	m.resources = append(m.resources, r)
	return nil
}

func (m *module) call(b *hcl.Block) error {
	c, remain, diags := b.Body.PartialContent(callMetaSchema)
	if diags.HasErrors() {
		return diagError(diags)
	}
	cl := &call{name: b.Labels[0], rng: b.DefRange}
	if a := c.Attributes["source"]; a != nil {
		v, diags := a.Expr.Value(nil)
		if diags.HasErrors() || v.Type() != cty.String || v.IsNull() {
			return srcpos.Errorf(locOf(a.Expr.Range()), "module %s: source must be a literal string", cl.name)
		}
		cl.source = v.AsString()
	} else {
		return srcpos.Errorf(locOf(b.DefRange), "module %s has no source", cl.name)
	}
	if a := c.Attributes["count"]; a != nil {
		cl.count = a.Expr
	}
	if a := c.Attributes["for_each"]; a != nil {
		cl.forEach = a.Expr
	}
	args, diags := remain.JustAttributes()
	if diags.HasErrors() {
		return diagError(diags)
	}
	cl.args = args
	if old := m.byCall[cl.name]; old != nil {
		return srcpos.Errorf(locOf(b.DefRange), "duplicate module %q (first declared at %s)", cl.name, locOf(old.rng))
	}
	m.byCall[cl.name] = cl
	m.calls = append(m.calls, cl)
	return nil
}

func (m *module) variable(b *hcl.Block) error {
	c, _, diags := b.Body.PartialContent(variableSchema)
	if diags.HasErrors() {
		return diagError(diags)
	}
	v := &variable{name: b.Labels[0], ty: cty.DynamicPseudoType, nullable: true, rng: b.DefRange}
	if a := c.Attributes["type"]; a != nil {
		ty, defaults, diags := typeexpr.TypeConstraintWithDefaults(a.Expr)
		if diags.HasErrors() {
			return diagError(diags)
		}
		v.ty, v.defaults, v.typed = ty, defaults, true
	}
	if a := c.Attributes["nullable"]; a != nil {
		val, diags := a.Expr.Value(nil)
		if diags.HasErrors() {
			return diagError(diags)
		}
		if b, ok := tfinst.Bool(val); ok {
			v.nullable = b
		}
	}
	if a := c.Attributes["default"]; a != nil {
		v.def = a.Expr
	}
	if old := m.variables[v.name]; old != nil {
		return srcpos.Errorf(locOf(b.DefRange), "duplicate variable %q (first declared at %s)", v.name, locOf(old.rng))
	}
	m.variables[v.name] = v
	return nil
}

// isLocalSource reports a module source that is a path.
func isLocalSource(s string) bool {
	return strings.HasPrefix(s, "./") || strings.HasPrefix(s, "../") || s == "." || s == ".."
}

// syntaxNames walks every native-syntax expression of the modules and
// returns the attribute names that traversals use and the names of the
// functions called. Resource objects carry every such attribute (unknown
// when neither configured nor a known reference), so that a reference to
// an attribute the provider computes evaluates to unknown instead of
// failing; unknown function names become functions that return unknown.
func syntaxNames(mods []*module) (attrs map[string]bool, funcs []string) {
	attrs = map[string]bool{}
	seenFunc := map[string]bool{}
	addSteps := func(t hcl.Traversal) {
		for _, step := range t {
			switch s := step.(type) {
			case hcl.TraverseAttr:
				attrs[s.Name] = true
			case hcl.TraverseIndex:
				if s.Key.Type() == cty.String && s.Key.IsKnown() && !s.Key.IsNull() {
					attrs[s.Key.AsString()] = true
				}
			}
		}
	}
	for _, m := range mods {
		for _, f := range m.files {
			body, ok := f.Body.(*hclsyntax.Body)
			if !ok {
				walkJSONBody(f.Body, addSteps)
				continue
			}
			hclsyntax.VisitAll(body, func(n hclsyntax.Node) hcl.Diagnostics {
				switch e := n.(type) {
				case *hclsyntax.ScopeTraversalExpr:
					addSteps(e.Traversal)
				case *hclsyntax.RelativeTraversalExpr:
					addSteps(e.Traversal)
				case *hclsyntax.IndexExpr:
					if lit, ok := e.Key.(*hclsyntax.LiteralValueExpr); ok && lit.Val.Type() == cty.String && !lit.Val.IsNull() {
						attrs[lit.Val.AsString()] = true
					}
				case *hclsyntax.FunctionCallExpr:
					if !seenFunc[e.Name] {
						seenFunc[e.Name] = true
						funcs = append(funcs, e.Name)
					}
				}
				return nil
			})
		}
	}
	slices.Sort(funcs)
	return attrs, funcs
}

// walkJSONBody reports the traversals of every expression in a JSON body.
func walkJSONBody(body hcl.Body, add func(hcl.Traversal)) {
	content, _, _ := body.PartialContent(fileSchema)
	if content == nil {
		return
	}
	for _, b := range content.Blocks {
		attrs, _ := b.Body.JustAttributes()
		for _, a := range attrs {
			for _, t := range a.Expr.Variables() {
				add(t)
			}
		}
	}
}
