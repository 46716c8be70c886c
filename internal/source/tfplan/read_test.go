package tfplan

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clusterwall/clusterwall/internal/model"
	"github.com/clusterwall/clusterwall/internal/source/input"
	"github.com/clusterwall/clusterwall/internal/source/terraform"
)

func readJSON(t *testing.T, paths ...string) *model.Estate {
	t.Helper()
	e, err := readJSONErr(paths...)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func readJSONErr(paths ...string) (*model.Estate, error) {
	var files []input.File
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		files = append(files, input.File{Path: filepath.ToSlash(p), Data: data})
	}
	return Read(files)
}

// readHCL reads a configuration directory as the loader would.
func readHCL(t *testing.T, dir string) *model.Estate {
	t.Helper()
	var files []input.File
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !terraform.Detect(p) {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files = append(files, input.File{Path: filepath.ToSlash(p), Data: data})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	e, err := terraform.Read(files, input.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// TestSameModelAsHCL reads the configuration of eks-config as HCL and
// its plan as JSON: the groups, rules, members and clusters are the same.
func TestSameModelAsHCL(t *testing.T) {
	hcl := dump(readHCL(t, "testdata/eks-config"))
	plan := dump(readJSON(t, "testdata/eks-plan/plan.json"))
	if hcl != plan {
		t.Errorf("the plan's model differs from the configuration's (- HCL, + plan):\n%s", diffLines(hcl, plan))
	}
	if !strings.Contains(plan, "module.eks.aws_security_group.node_group[\"general\"]") {
		t.Errorf("no node group group in the plan:\n%s", plan)
	}
	t.Logf("\n%s", plan)
}
