package tfplan

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
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

// TestState reads the state of eks-config after apply: groups keep the
// keys of the configuration, with their real ids as aliases, and the
// rules AWS lists on a group that rule resources declare count once.
func TestState(t *testing.T) {
	e := readJSON(t, "testdata/eks-state/state.json")
	for id, key := range map[string]string{
		"sg-0c41e8a2f6b9d3705": "module.eks.aws_security_group.cluster",
		"sg-0d5f2b7c9e1a4d683": "module.eks.aws_security_group.node",
		"sg-0e6a3c8d0f2b5e794": `module.eks.aws_security_group.node_group["general"]`,
		"sg-0a9c46b6b594444c0": "module.eks.aws_eks_cluster.this.vpc_config[0].cluster_security_group_id",
	} {
		if got := e.FindGroups(id); len(got) != 1 || got[0] != key {
			t.Errorf("FindGroups(%s) = %q, want %s", id, got, key)
		}
	}
	node := e.Groups["module.eks.aws_security_group.node"]
	if node == nil {
		t.Fatal("no node group")
	}
	if len(node.Rules) != 6 || node.ExclusiveRules {
		t.Errorf("node group: %d rules, exclusive %v; want the 6 rule resources once", len(node.Rules), node.ExclusiveRules)
	}
	for _, r := range node.Rules {
		if !r.Standalone || r.Origin.Line == 0 || r.Origin.File != "testdata/eks-state/state.json" {
			t.Errorf("rule %s at %v: want a rule resource with its line", r.ID, r.Origin)
		}
		if r.Peer.Kind == model.PeerGroup && !strings.HasPrefix(r.Peer.Group, "module.eks.aws_security_group.") {
			t.Errorf("rule %s names group %s, want a key by address", r.ID, r.Peer.Group)
		}
	}
	if node.Name != "demo-node-20241118093012003456000002" {
		t.Errorf("name %q", node.Name)
	}
	c := e.Cluster("demo")
	if c == nil {
		t.Fatal("no cluster demo")
	}
	if fmt.Sprint(c.Networks.Services) != "[172.20.0.0/16]" {
		t.Errorf("services %v", c.Networks.Services)
	}
	var ng *model.Member
	for _, m := range c.MembersOf("nodes/general") {
		ng = m
	}
	if ng == nil || !slices.Equal(ng.Groups, []string{"module.eks.aws_security_group.node", `module.eks.aws_security_group.node_group["general"]`}) {
		t.Errorf("nodes/general: %+v", ng)
	}
	// Apart from names, ids and what only AWS says, the state is the
	// configuration.
	hcl := dump(readHCL(t, "testdata/eks-config"))
	for _, l := range strings.Split(diffLines(hcl, dump(e)), "\n") {
		if strings.HasPrefix(l, "+ group ") && strings.Contains(l, "aliases=") && strings.Contains(l, `name="demo-`) ||
			strings.HasPrefix(l, "- group ") || strings.HasPrefix(l, "+ cluster demo") || strings.HasPrefix(l, "- cluster demo") ||
			strings.HasPrefix(l, "+ group module.eks.aws_eks_cluster") {
			continue
		}
		t.Errorf("the state differs from the configuration: %s", l)
	}
}

func stateJSON(t *testing.T, rs []res) []byte {
	t.Helper()
	var resources []map[string]any
	for _, r := range rs {
		resources = append(resources, map[string]any{"address": r.address(), "mode": "managed", "type": r.typ,
			"name": r.name, "provider_name": "registry.terraform.io/hashicorp/aws", "schema_version": 0,
			"values": r.values, "sensitive_values": map[string]any{}})
	}
	data, err := json.MarshalIndent(map[string]any{"format_version": "1.0", "terraform_version": "1.9.8",
		"values": map[string]any{"root_module": map[string]any{"resources": resources}}}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func perm(proto string, port int, desc string, cidrs []any, groups []any, self bool) map[string]any {
	return map[string]any{"cidr_blocks": cidrs, "description": desc, "from_port": port, "to_port": port,
		"ipv6_cidr_blocks": []any{}, "prefix_list_ids": []any{}, "protocol": proto, "security_groups": groups, "self": self}
}

func TestStateRules(t *testing.T) {
	sg := func(name, id string, ingress ...any) res {
		return res{typ: "aws_security_group", name: name, values: map[string]any{"id": id, "name": name,
			"description": "d", "vpc_id": "vpc-0123456789abcdef0", "ingress": ingress, "egress": []any{}}}
	}
	rule := func(name, sg, source string, port int) res {
		return res{typ: "aws_security_group_rule", name: name, values: map[string]any{"id": "sgrule-" + name,
			"type": "ingress", "protocol": "tcp", "from_port": port, "to_port": port, "security_group_id": sg,
			"source_security_group_id": source, "self": false, "cidr_blocks": nil}}
	}
	data := stateJSON(t, []res{
		// Inline rules only: the group owns its rules.
		sg("inline", "sg-0aaaaaaaaaaaaaaa1", perm("tcp", 22, "ssh", []any{"10.0.0.0/8"}, []any{}, false)),
		// A rule resource, and a rule made outside Terraform.
		sg("mixed", "sg-0aaaaaaaaaaaaaaa2",
			perm("tcp", 443, "", []any{}, []any{"sg-0aaaaaaaaaaaaaaa1"}, false),
			perm("tcp", 8080, "by hand", []any{"10.1.0.0/16"}, []any{}, false)),
		rule("https", "sg-0aaaaaaaaaaaaaaa2", "sg-0aaaaaaaaaaaaaaa1", 443),
		// A rule for a group the state does not hold.
		rule("elsewhere", "sg-0bbbbbbbbbbbbbbb1", "sg-0aaaaaaaaaaaaaaa2", 5432),
	})
	e, err := Read([]input.File{{Path: "state.json", Data: data}})
	if err != nil {
		t.Fatal(err)
	}
	got := dump(e)
	for _, want := range []string{
		`group aws_security_group.inline name="inline" vpc=vpc-0123456789abcdef0 desc="d" provider=aws aliases=["sg-0aaaaaaaaaaaaaaa1"] exclusive` + "\n" +
			`  ingress ACCEPT tcp/22 peer=10.0.0.0/8 desc="ssh" id=` + "\n",
		`group aws_security_group.mixed name="mixed" vpc=vpc-0123456789abcdef0 desc="d" provider=aws aliases=["sg-0aaaaaaaaaaaaaaa2"]` + "\n" +
			`  ingress ACCEPT tcp/443 peer=aws_security_group.inline desc="" id=aws_security_group_rule.https standalone` + "\n" +
			`  ingress ACCEPT tcp/8080 peer=10.1.0.0/16 desc="by hand" id=` + "\n",
		`group sg-0bbbbbbbbbbbbbbb1 name="" vpc= desc="" provider=aws rules-unknown="sg-0bbbbbbbbbbbbbbb1 is not declared in the configuration`,
		`  ingress ACCEPT tcp/5432 peer=aws_security_group.mixed desc="" id=aws_security_group_rule.elsewhere standalone`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing:\n%s\nin:\n%s", want, got)
		}
	}
}

func TestErrors(t *testing.T) {
	for _, c := range []struct {
		name, path string
		data       string
		want       string
	}{
		{name: "syntax", path: "testdata/broken/plan.json",
			want: `testdata/broken/plan.json:590:13: invalid JSON: invalid character '"' after object key:value pair`},
		{name: "format", path: "testdata/unsupported/plan.json",
			want: `testdata/unsupported/plan.json:2: format_version "2.0" is not supported`},
		{name: "format not a version", path: "p.json", data: "{\n  \"format_version\": \"one\",\n  \"values\": {}\n}",
			want: `p.json:2: format_version "one" is not a version such as "1.2"`},
		{name: "format not a string", path: "p.json", data: "{\n  \"values\": {},\n  \"format_version\": 1\n}",
			want: `p.json:3: format_version: expected a string such as "1.2"`},
		{name: "array", path: "p.json", data: "[\n  1\n]", want: `p.json:1: expected a JSON object`},
		{name: "plan section type", path: "p.json",
			data: "{\n  \"format_version\": \"1.2\",\n  \"planned_values\": {\n    \"root_module\": {\n      \"resources\": [\n        {\"address\": \"a.b\", \"values\": [1]}\n      ]\n    }\n  }\n}",
			want: `p.json:6: planned_values.root_module.resources.values: expected map[string]interface {}, found JSON array`},
		{name: "changes type", path: "p.json",
			data: "{\n  \"format_version\": \"1.2\",\n  \"resource_changes\": {}\n}",
			want: `p.json:3: resource_changes: expected []*tfjson.ResourceChange, found JSON object`},
		{name: "state type", path: "s.json",
			data: "{\n  \"format_version\": \"1.0\",\n  \"values\": {\n    \"root_module\": {\n      \"resources\": 7\n    }\n  }\n}",
			want: `s.json:5: values.root_module.resources: expected []*tfjson.StateResource, found JSON number`},
		{name: "prior state version", path: "p.json",
			data: "{\n  \"format_version\": \"1.2\",\n  \"prior_state\": {\n    \"format_version\": \"7.0\"\n  }\n}",
			want: `p.json:3: prior_state: unsupported state format version`},
		{name: "configuration type", path: "p.json",
			data: "{\n  \"format_version\": \"1.2\",\n  \"planned_values\": {},\n  \"configuration\": {\n    \"root_module\": {\"resources\": [{\"expressions\": {\"x\": {\"references\": 1}}}]}\n  }\n}",
			want: `p.json:4: configuration.root_module.resources.expressions.references: expected []string, found JSON number`},
	} {
		t.Run(c.name, func(t *testing.T) {
			var err error
			if c.data == "" {
				_, err = readJSONErr(c.path)
			} else {
				_, err = Read([]input.File{{Path: c.path, Data: []byte(c.data)}})
			}
			if err == nil || !strings.HasPrefix(err.Error(), c.want) {
				t.Errorf("error %v, want %s…", err, c.want)
			}
		})
	}
}

func TestDetect(t *testing.T) {
	for _, c := range []struct {
		keys []string
		want bool
	}{
		{[]string{"format_version", "terraform_version", "planned_values", "resource_changes", "configuration"}, true},
		{[]string{"format_version", "terraform_version", "values"}, true},
		{[]string{"format_version", "terraform_version"}, true}, // an empty state
		{[]string{"format_version", "prior_state"}, true},
		{[]string{"format_version", "provider_schemas"}, false}, // terraform providers schema -json
		{[]string{"SecurityGroups"}, false},
		{[]string{"values"}, false},
	} {
		keys := map[string]bool{}
		for _, k := range c.keys {
			keys[k] = true
		}
		if got := Detect(keys); got != c.want {
			t.Errorf("Detect(%v) = %v", c.keys, got)
		}
	}
}

// TestOneLine reads a plan as terraform show -json prints it, on one line:
// locations then have no line.
func TestOneLine(t *testing.T) {
	data, err := os.ReadFile("testdata/data-cidr/plan.json")
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	compact, _ := json.Marshal(v)
	e, err := Read([]input.File{{Path: "plan.json", Data: compact}})
	if err != nil {
		t.Fatal(err)
	}
	g := e.Groups["aws_security_group.nodes"]
	if g == nil || g.Origin.Line != 0 || g.Origin.File != "plan.json" || g.Origin.Address != "aws_security_group.nodes" {
		t.Errorf("origin %+v", g)
	}
	pretty := readJSON(t, "testdata/data-cidr/plan.json")
	if dump(e) != dump(pretty) {
		t.Errorf("one line and pretty-printed differ:\n%s", diffLines(dump(pretty), dump(e)))
	}
}

// TestSeveralFiles reads two files of one configuration: their keys are
// kept apart by the file's path.
func TestSeveralFiles(t *testing.T) {
	e := readJSON(t, "testdata/eks-plan/plan.json", "testdata/eks-state/state.json")
	for _, k := range []string{"testdata/eks-plan/plan.json:module.eks.aws_security_group.node", "testdata/eks-state/state.json:module.eks.aws_security_group.node"} {
		if e.Groups[k] == nil {
			t.Errorf("no group %s", k)
		}
	}
	if got := e.FindGroups("sg-0d5f2b7c9e1a4d683"); len(got) != 1 || got[0] != "testdata/eks-state/state.json:module.eks.aws_security_group.node" {
		t.Errorf("FindGroups = %q", got)
	}
}

// TestDataCIDR reads a plan against existing resources: their known ids
// tie rules to groups, the refreshed rule list of a group the
// configuration gives no inline rules is left out, and a CIDR from a data
// source read at apply time is an unknown peer.
func TestDataCIDR(t *testing.T) {
	e := readJSON(t, "testdata/data-cidr/plan.json")
	nodes := e.Groups["aws_security_group.nodes"]
	if nodes == nil || nodes.ExclusiveRules || len(nodes.Rules) != 5 {
		t.Fatalf("nodes: %+v", nodes)
	}
	var ssh *model.Rule
	for i, r := range nodes.Rules {
		if !r.Standalone {
			t.Errorf("rule %v is not a rule resource's", r)
		}
		if r.ID == "aws_security_group_rule.ssh_from_tools" {
			ssh = &nodes.Rules[i]
		}
	}
	if ssh == nil || ssh.Peer.Kind != model.PeerUnknown || ssh.Peer.Why != "cidr_blocks is not known: data.aws_vpc.tools is read at apply time" {
		t.Errorf("ssh rule %+v", ssh)
	}
	if ssh != nil && (ssh.Origin.Line != 570 || ssh.Origin.Address != "aws_security_group_rule.ssh_from_tools") {
		t.Errorf("ssh rule at %v", ssh.Origin)
	}
	cg := e.Groups["aws_eks_cluster.ops.vpc_config[0].cluster_security_group_id"]
	if cg == nil || !slices.Contains(cg.Aliases, "sg-0e1f2a3b4c5d6e7f8") || len(cg.Rules) != 1 || cg.Rules[0].Peer.Group != "aws_security_group.nodes" {
		t.Errorf("cluster group %+v", cg)
	}
}

func TestIncompletePlan(t *testing.T) {
	data := planJSON(t, []res{group("", "a", nil)}, map[string]any{"resources": []any{resource("aws_security_group", "a", groupConfig)}})
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	doc["errored"], doc["complete"] = true, false
	data, _ = json.Marshal(doc)
	e, err := Read([]input.File{{Path: "plan.json", Data: data}})
	if err != nil {
		t.Fatal(err)
	}
	if len(e.Notes) != 2 || !strings.Contains(e.Notes[0], "could not finish this plan") || !strings.Contains(e.Notes[1], "deferred") {
		t.Errorf("notes %q", e.Notes)
	}
}
