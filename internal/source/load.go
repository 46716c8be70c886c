// Package source finds the input files under the paths a user gives,
// tells each file's kind from its content, and hands every kind to its
// reader. Readers live in the subpackages, one per format; none of them
// evaluates reachability.
package source

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/clusterwall/clusterwall/internal/model"
	"github.com/clusterwall/clusterwall/internal/source/awscli"
	"github.com/clusterwall/clusterwall/internal/source/cloudformation"
	"github.com/clusterwall/clusterwall/internal/source/design"
	"github.com/clusterwall/clusterwall/internal/source/input"
	"github.com/clusterwall/clusterwall/internal/source/jsonpos"
	"github.com/clusterwall/clusterwall/internal/source/tencent"
	"github.com/clusterwall/clusterwall/internal/source/terraform"
	"github.com/clusterwall/clusterwall/internal/source/tfplan"
	"github.com/clusterwall/clusterwall/internal/srcpos"
)

// Kind is an input format.
type Kind string

const (
	AWSCLI         Kind = "aws-cli-json"
	CloudFormation Kind = "cloudformation"
	Terraform      Kind = "terraform"
	TencentAPI     Kind = "tencent-api-json"
	TerraformPlan  Kind = "terraform-plan-json"
	Design         Kind = "clusterwall-design"
)

// reader reads all files of one kind together, because one file's meaning
// may depend on another's (a cluster and its interfaces, a module and its
// variables).
type reader struct {
	kind Kind
	// detect reports whether a file is of this kind; keys are the
	// top-level keys when the file is a JSON object, or nil.
	detect func(path string, data []byte, keys map[string]bool) bool
	read   func(files []input.File, opts input.Options) (*model.Estate, error)
}

// readers are tried in order; the first whose detect accepts a file reads it.
var readers = []reader{
	// A design names its kind; it comes first, as its keys ("cluster")
	// would otherwise look like AWS CLI output.
	{kind: Design,
		detect: func(_ string, data []byte, keys map[string]bool) bool {
			return keys != nil && design.Detect(keys, data)
		},
		read: func(files []input.File, _ input.Options) (*model.Estate, error) { return design.Read(files) }},
	{kind: AWSCLI,
		detect: func(_ string, _ []byte, keys map[string]bool) bool { return keys != nil && awscli.Detect(keys) },
		read:   func(files []input.File, _ input.Options) (*model.Estate, error) { return awscli.Read(files) }},
	// Terraform is told by file name (.tf, .tf.json, .tfvars.json), before
	// the readers that sniff content.
	{kind: Terraform,
		detect: func(path string, _ []byte, _ map[string]bool) bool { return terraform.Detect(path) },
		read:   terraform.Read},
	// terraform show -json: a plan or a state.
	{kind: TerraformPlan,
		detect: func(_ string, _ []byte, keys map[string]bool) bool { return keys != nil && tfplan.Detect(keys) },
		read:   func(files []input.File, _ input.Options) (*model.Estate, error) { return tfplan.Read(files) }},
	{kind: TencentAPI,
		detect: func(_ string, data []byte, keys map[string]bool) bool { return tencent.Detect(data, keys) },
		read:   func(files []input.File, _ input.Options) (*model.Estate, error) { return tencent.Read(files) }},
	{kind: CloudFormation, detect: cloudformation.Detect,
		read: func(files []input.File, _ input.Options) (*model.Estate, error) { return cloudformation.Read(files) }},
}

// Result is what loading found.
type Result struct {
	Estate *model.Estate
	// Files lists each file read and its kind, sorted by path.
	Files []FileKind
	// Skipped lists files found in directories that no reader claims.
	Skipped []string
}

// FileKind is one file read.
type FileKind struct {
	Path string
	Kind Kind
}

// Load reads every input under the paths.
func Load(paths []string, opts input.Options) (*Result, error) {
	if len(paths) == 0 {
		return nil, errors.New("no input: give one or more files or directories")
	}
	byKind := map[Kind][]input.File{}
	walked := map[string]bool{} // clean paths of files found inside a directory
	named := map[string]bool{}  // clean paths of files named on the command line
	res := &Result{}
	for _, root := range paths {
		info, err := os.Stat(root)
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", root, unwrapPathError(err))
		}
		if !info.IsDir() {
			f, err := readFile(root)
			if err != nil {
				return nil, err
			}
			k, ok, err := detect(f)
			if err != nil {
				return nil, err
			}
			if !ok {
				return nil, fmt.Errorf("%s: not an input clusterwall reads (expected Terraform, a Terraform plan or state, CloudFormation, AWS CLI JSON or Tencent Cloud JSON)", root)
			}
			byKind[k] = append(byKind[k], f)
			named[filepath.Clean(f.Path)] = true
			continue
		}
		err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if path != root && skipDir(d.Name()) {
					return filepath.SkipDir
				}
				return nil
			}
			if !candidate(d.Name()) {
				return nil
			}
			f, err := readFile(path)
			if err != nil {
				return err
			}
			k, ok, err := detect(f)
			if err != nil {
				return err
			}
			if ok {
				byKind[k] = append(byKind[k], f)
				walked[filepath.Clean(f.Path)] = true
			} else {
				res.Skipped = append(res.Skipped, path)
			}
			return nil
		})
		if err != nil {
			var se *srcpos.Error
			if errors.As(err, &se) {
				return nil, err // already names the file and line
			}
			return nil, fmt.Errorf("reading %s: %w", root, unwrapPathError(err))
		}
	}
	res.Estate = model.NewEstate()
	byKind[TerraformPlan] = plansNotBesideConfiguration(byKind[TerraformPlan], byKind[Terraform], walked, named, res)
	for _, r := range readers {
		files := dedupeFiles(byKind[r.kind])
		if len(files) == 0 {
			continue
		}
		for _, f := range files {
			res.Files = append(res.Files, FileKind{f.Path, r.kind})
		}
		e, err := r.read(files, opts)
		if err != nil {
			return nil, err
		}
		for _, g := range e.Groups {
			if g.Format == "" {
				g.Format = string(r.kind)
			}
		}
		res.Estate.Merge(e)
	}
	slices.SortFunc(res.Files, func(a, b FileKind) int { return strings.Compare(a.Path, b.Path) })
	slices.Sort(res.Skipped)
	if len(res.Files) == 0 {
		return nil, fmt.Errorf("no input found in %s: expected Terraform, a Terraform plan or state, CloudFormation, AWS CLI JSON or Tencent Cloud JSON", strings.Join(paths, ", "))
	}
	return res, nil
}

// plansNotBesideConfiguration leaves out a plan or state found in a
// directory that also holds Terraform configuration: it describes that
// configuration, and reading both would count every group twice. The
// configuration wins because its findings point at the lines to edit; a
// plan named on the command line is always read.
func plansNotBesideConfiguration(plans, config []input.File, walked, named map[string]bool, res *Result) []input.File {
	configDirs := map[string]bool{}
	for _, f := range config {
		if n := strings.ToLower(f.Path); strings.HasSuffix(n, ".tf") || strings.HasSuffix(n, ".tf.json") {
			configDirs[filepath.Dir(filepath.Clean(f.Path))] = true
		}
	}
	kept := plans[:0]
	for _, f := range plans {
		p := filepath.Clean(f.Path)
		switch {
		case !configDirs[filepath.Dir(p)]:
		case walked[p] && !named[p]:
			res.Skipped = append(res.Skipped, f.Path)
			res.Estate.Notes = append(res.Estate.Notes, fmt.Sprintf(
				"%s: not read, as the Terraform configuration beside it is; name the file by itself to read the plan or state instead", f.Path))
			continue
		default:
			res.Estate.Notes = append(res.Estate.Notes, fmt.Sprintf(
				"%s and the Terraform configuration beside it are both read, so the groups they share are counted twice; give one of them", f.Path))
		}
		kept = append(kept, f)
	}
	return kept
}

func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func readFile(path string) (input.File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return input.File{}, fmt.Errorf("reading %s: %w", path, unwrapPathError(err))
	}
	return input.File{Path: filepath.ToSlash(path), Data: data}, nil
}

// skipDir leaves out version control, tool caches and dependencies. The
// Terraform reader follows .terraform/modules itself, from module calls.
func skipDir(name string) bool {
	return strings.HasPrefix(name, ".") || name == "node_modules" || name == "vendor"
}

// candidate reports whether a file name may hold an input.
func candidate(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".json", ".tf", ".yaml", ".yml", ".template", ".tpl", ".cfn":
		return true
	}
	return false
}

// detect tells a file's kind. A file that is meant to be JSON but that no
// reader claims and that does not parse is an error, never silently
// skipped; a claimed file's reader reports its errors with their lines.
func detect(f input.File) (Kind, bool, error) {
	keys, isObject := jsonpos.Keys(f.Data)
	for _, r := range readers {
		if r.detect(f.Path, f.Data, keys) {
			return r.kind, true, nil
		}
	}
	if (isObject || strings.EqualFold(filepath.Ext(f.Path), ".json")) && !json.Valid(f.Data) {
		_, err := jsonpos.Parse(f.Path, f.Data, nil)
		return "", false, err
	}
	return "", false, nil
}

// dedupeFiles drops a file given twice (as a path and inside a directory).
func dedupeFiles(fs []input.File) []input.File {
	seen := map[string]bool{}
	out := fs[:0]
	for _, f := range fs {
		if p, err := filepath.Abs(f.Path); err == nil && seen[p] {
			continue
		} else {
			seen[p] = true
		}
		out = append(out, f)
	}
	return out
}
