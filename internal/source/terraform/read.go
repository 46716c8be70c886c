// Package terraform reads Terraform HCL configurations (.tf and .tf.json
// files) for AWS and evaluates them as Terraform would plan them: variable
// defaults, variable files and --var, locals, count and for_each, dynamic
// blocks, conditionals, for expressions and Terraform's functions, local
// modules and the modules terraform init downloaded. Each resource
// instance becomes a tfinst.Instance, which package tfmap maps into the
// model. Values known only after apply (ids, data sources, variables
// without a value) are unknown, with the reason; ids of resources are
// references that the mappers turn back into keys.
package terraform

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/clusterwall/clusterwall/internal/model"
	"github.com/clusterwall/clusterwall/internal/source/input"
	"github.com/clusterwall/clusterwall/internal/source/tfmap"
)

// Detect reports whether a file is Terraform configuration or a variable
// file, by its name: .tf, .tf.json, .tfvars.json. (A .tf file is HCL
// whatever it holds; one that does not parse is an input error.)
func Detect(name string) bool {
	n := strings.ToLower(name)
	return strings.HasSuffix(n, ".tf") || strings.HasSuffix(n, ".tf.json") || strings.HasSuffix(n, ".tfvars.json")
}

// Read evaluates every root module among the files. A directory whose
// files some other given directory calls as a local module is not a root.
// Configurations of several root modules are read apart; their keys are
// prefixed with the root's directory ("envs/prod:aws_security_group.node").
func Read(files []input.File, opts input.Options) (*model.Estate, error) {
	given := map[string][]byte{}
	for _, f := range files {
		given[path.Clean(filepath.ToSlash(f.Path))] = f.Data
	}
	l := &loader{fs: newFileSet(given), parser: hclparse.NewParser(), modules: map[string]*module{}}
	dirs := sortedKeys(l.fs.dirs)
	children := map[string]bool{}
	for _, dir := range dirs {
		mod, err := l.module(dir)
		if err != nil {
			return nil, err
		}
		for _, c := range mod.calls {
			if child := path.Join(dir, c.source); isLocalSource(c.source) && child != dir {
				children[child] = true
			}
		}
	}
	var roots []string
	for _, dir := range dirs {
		if !children[dir] {
			roots = append(roots, dir)
		}
	}
	if err := checkVars(l, roots, opts.Vars); err != nil {
		return nil, err
	}
	e := model.NewEstate()
	for _, dir := range roots {
		prefix := ""
		if len(roots) > 1 {
			prefix = dir + ":"
		}
		re, err := readRoot(l, dir, prefix, opts)
		if err != nil {
			return nil, err
		}
		e.Merge(re)
	}
	e.Notes = append(e.Notes, l.notes...)
	return e, nil
}

// checkVars refuses a --var that no root module declares, as Terraform
// does ("Value for undeclared variable"): a misspelt name would otherwise
// leave the default in force without a word.
func checkVars(l *loader, roots []string, vars map[string]string) error {
	for _, name := range sortedKeys(vars) {
		var declared []string
		found := false
		for _, dir := range roots {
			mod, err := l.module(dir)
			if err != nil {
				return err
			}
			if mod.variables[name] != nil {
				found = true
				break
			}
			for n := range mod.variables {
				declared = append(declared, n)
			}
		}
		if found {
			continue
		}
		msg := fmt.Sprintf("--var %s: no root module declares a variable named %q", name, name)
		if near := nearest(name, declared); near != "" {
			msg += fmt.Sprintf("; did you mean %q?", near)
		}
		return errors.New(msg)
	}
	return nil
}

// nearest is the name among names closest to name, if it is close (an
// edit distance of at most a third of its length).
func nearest(name string, names []string) string {
	slices.Sort(names)
	best, bestD := "", len(name)/3+1
	for _, n := range names {
		if d := editDistance(name, n); d < bestD {
			best, bestD = n, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func readRoot(l *loader, dir, prefix string, opts input.Options) (*model.Estate, error) {
	ev, err := evalRoot(l, dir, prefix, opts)
	if err != nil {
		return nil, err
	}
	e, err := tfmap.Build(ev.out, prefix)
	if err != nil {
		return nil, err
	}
	e.Notes = append(e.Notes, ev.notes...)
	return e, nil
}

// evalRoot evaluates a root module and the modules it calls into
// resource instances.
func evalRoot(l *loader, dir, prefix string, opts input.Options) (*evaluator, error) {
	mod, err := l.module(dir)
	if err != nil {
		return nil, err
	}
	dirs, err := modulesJSON(l.fs, dir)
	if err != nil {
		return nil, err
	}
	// Parse every module the configuration may call before evaluating,
	// so that syntax errors anywhere are reported, and so that resource
	// objects carry every attribute some expression reads.
	mods, err := l.closure(mod, dirs)
	if err != nil {
		return nil, err
	}
	attrs, funcs := syntaxNames(mods)
	ev := &evaluator{l: l, funcs: functions(funcs), attrs: attrs, prefix: prefix}
	root := newModInst(ev, mod, nil, "", "")
	root.rootDir, root.dirs = dir, dirs
	if root.roots, err = rootValues(l, mod, dir, opts); err != nil {
		return nil, err
	}
	if err := root.walk(); err != nil {
		return nil, err
	}
	return ev, nil
}

// resolve finds the directory of a module call: a local path, or where
// terraform init put the module.
func (l *loader) resolve(modDir, source, key string, dirs map[string]string) (string, bool) {
	if isLocalSource(source) {
		if d := path.Join(modDir, source); l.fs.exists(d) {
			return d, true
		}
	}
	if d, ok := dirs[key]; ok && l.fs.exists(d) {
		return d, true
	}
	return "", false
}

// closure parses the modules a root module calls, transitively.
func (l *loader) closure(root *module, dirs map[string]string) ([]*module, error) {
	type item struct {
		m   *module
		key string
	}
	seen := map[string]bool{root.dir: true}
	out := []*module{root}
	queue := []item{{root, ""}}
	for len(queue) > 0 && len(out) < 1000 {
		it := queue[0]
		queue = queue[1:]
		for _, c := range it.m.calls {
			key := c.name
			if it.key != "" {
				key = it.key + "." + c.name
			}
			d, ok := l.resolve(it.m.dir, c.source, key, dirs)
			if !ok || seen[d] {
				continue
			}
			seen[d] = true
			m, err := l.module(d)
			if err != nil {
				return nil, err
			}
			out = append(out, m)
			queue = append(queue, item{m, key})
		}
	}
	return out, nil
}

// modulesJSON reads .terraform/modules/modules.json, which terraform init
// writes: module keys ("eks", "eks.node_group") to directories.
func modulesJSON(fs *fileSet, dir string) (map[string]string, error) {
	p := path.Join(dir, ".terraform", "modules", "modules.json")
	data, err := fs.read(p)
	if err != nil {
		return nil, nil // not initialised: remote modules are then unknown
	}
	var doc struct {
		Modules []struct {
			Key string `json:"Key"`
			Dir string `json:"Dir"`
		} `json:"Modules"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	out := map[string]string{}
	for _, m := range doc.Modules {
		if m.Key == "" || m.Dir == "" {
			continue
		}
		d := filepath.ToSlash(m.Dir)
		if !path.IsAbs(d) {
			d = path.Join(dir, d)
		}
		out[m.Key] = path.Clean(d)
	}
	return out, nil
}

// rootValues reads the root module's variable values, later ones winning:
// terraform.tfvars, terraform.tfvars.json, *.auto.tfvars(.json) in name
// order, the --var-file files, then --var.
func rootValues(l *loader, mod *module, dir string, opts input.Options) (map[string]rootValue, error) {
	var files []string
	for _, n := range []string{"terraform.tfvars", "terraform.tfvars.json"} {
		files = append(files, path.Join(dir, n))
	}
	var auto []string
	for p := range l.fs.given {
		if path.Dir(p) == dir && isAutoVars(path.Base(p)) {
			auto = append(auto, path.Base(p))
		}
	}
	if entries, err := os.ReadDir(filepath.FromSlash(dir)); err == nil {
		for _, e := range entries {
			if !e.IsDir() && isAutoVars(e.Name()) && !slices.Contains(auto, e.Name()) {
				auto = append(auto, e.Name())
			}
		}
	}
	slices.Sort(auto)
	for _, n := range auto {
		files = append(files, path.Join(dir, n))
	}
	vals := map[string]rootValue{}
	read := func(p string, required bool) error {
		data, err := l.fs.read(p)
		if err != nil {
			if required {
				return fmt.Errorf("reading variable file %s: %w", p, err)
			}
			return nil
		}
		f, err := l.parse(p, data)
		if err != nil {
			return err
		}
		attrs, diags := f.Body.JustAttributes()
		if diags.HasErrors() {
			return diagError(diags)
		}
		for _, name := range sortedKeys(attrs) {
			a := attrs[name]
			v, diags := a.Expr.Value(nil)
			if diags.HasErrors() {
				return diagError(diags)
			}
			if mod.variables[name] != nil {
				vals[name] = rootValue{v: v, rng: a.Expr.Range()}
			}
		}
		return nil
	}
	for _, p := range files {
		if err := read(p, false); err != nil {
			return nil, err
		}
	}
	for _, p := range opts.VarFiles {
		if err := read(filepath.ToSlash(p), true); err != nil {
			return nil, err
		}
	}
	for _, name := range sortedKeys(opts.Vars) {
		decl := mod.variables[name]
		if decl == nil {
			continue
		}
		v, err := parseVar(decl, opts.Vars[name])
		if err != nil {
			return nil, err
		}
		vals[name] = rootValue{v: v, rng: decl.rng}
	}
	return vals, nil
}

func isAutoVars(name string) bool {
	return strings.HasSuffix(name, ".auto.tfvars") || strings.HasSuffix(name, ".auto.tfvars.json")
}

// parseVar reads --var NAME=VALUE as Terraform does: the raw string for a
// variable of a primitive type or none, an HCL expression (a list, a map)
// otherwise.
func parseVar(decl *variable, raw string) (cty.Value, error) {
	if !decl.typed || decl.ty.IsPrimitiveType() {
		return cty.StringVal(raw), nil
	}
	expr, diags := hclsyntax.ParseExpression([]byte(raw), "--var "+decl.name, hcl.InitialPos)
	if diags.HasErrors() {
		return cty.NilVal, fmt.Errorf("--var %s: %s", decl.name, diags[0].Summary)
	}
	v, diags := expr.Value(nil)
	if diags.HasErrors() {
		return cty.NilVal, fmt.Errorf("--var %s: %s", decl.name, diags[0].Summary)
	}
	return v, nil
}
