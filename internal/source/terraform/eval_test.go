package terraform

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/clusterwall/clusterwall/internal/source/input"
	"github.com/clusterwall/clusterwall/internal/source/tfinst"
)

// evalFiles evaluates in-memory files as one root module (the directory
// of the first file) and returns its instances by address.
func evalFiles(t *testing.T, opts input.Options, files ...string) (map[string]*tfinst.Instance, *evaluator, error) {
	t.Helper()
	given := map[string][]byte{}
	for i := 0; i+1 < len(files); i += 2 {
		given[files[i]] = []byte(files[i+1])
	}
	l := &loader{fs: newFileSet(given), parser: hclparse.NewParser(), modules: map[string]*module{}}
	dir := cleanDir(pathDir(files[0]))
	ev, err := evalRoot(l, dir, "", opts)
	if err != nil {
		return nil, nil, err
	}
	out := map[string]*tfinst.Instance{}
	for _, in := range ev.out {
		out[in.Address] = in
	}
	return out, ev, nil
}

func pathDir(p string) string {
	if i := strings.LastIndex(p, "/"); i >= 0 {
		return p[:i]
	}
	return "."
}

func jsonOf(t *testing.T, v cty.Value) string {
	t.Helper()
	u, _ := v.UnmarkDeep()
	if !u.IsWhollyKnown() {
		return "(unknown)"
	}
	b, err := ctyjson.SimpleJSONValue{Value: u}.MarshalJSON()
	if err != nil {
		t.Fatalf("marshal %#v: %v", v, err)
	}
	return string(b)
}

// TestExpressions evaluates the expressions and functions that Terraform
// users write in security-group code.
func TestExpressions(t *testing.T) {
	cases := []struct {
		expr string
		want string // JSON, or "unknown: <part of the reason>"
	}{
		{`concat([1], [2, 3])`, `[1,2,3]`},
		{`merge({a = 1}, {b = 2}, {a = 3})`, `{"a":3,"b":2}`},
		{`flatten([[1], [2, [3]], []])`, `[1,2,3]`},
		{`lookup({a = 1}, "b", 5)`, `5`},
		{`lookup({a = 1}, "a")`, `1`},
		{`format("%s-%03d", "ng", 7)`, `"ng-007"`},
		{`formatlist("%s:443", ["a", "b"])`, `["a:443","b:443"]`},
		{`join(",", ["a", "b"])`, `"a,b"`},
		{`split(",", "a,b")`, `["a","b"]`},
		{`tolist(toset(["b", "a", "b"]))`, `["a","b"]`},
		{`tomap({a = "x"})`, `{"a":"x"}`},
		{`tostring(443)`, `"443"`},
		{`tonumber("10250")`, `10250`},
		{`jsondecode("{\"ports\": [80, 443]}").ports[1]`, `443`},
		{`jsonencode({a = [1]})`, `"{\"a\":[1]}"`},
		{`keys({b = 1, a = 2})`, `["a","b"]`},
		{`values({b = 1, a = 2})`, `[2,1]`},
		{`length("abc")`, `3`},
		{`length({a = 1, b = 2})`, `2`},
		{`length([1, 2, 3])`, `3`},
		{`distinct([1, 1, 2])`, `[1,2]`},
		{`compact(["a", "", null])`, `["a"]`},
		{`contains(["a", "b"], "b")`, `true`},
		{`coalesce("", null, "x")`, `"x"`},
		{`coalescelist([], ["y"])`, `["y"]`},
		{`element(["a", "b"], 3)`, `"b"`},
		{`range(3)`, `[0,1,2]`},
		{`setproduct(["a"], ["b", "c"])`, `[["a","b"],["a","c"]]`},
		{`zipmap(["a", "b"], [1, 2])`, `{"a":1,"b":2}`},
		{`try({}.missing, "fallback")`, `"fallback"`},
		{`can(regex("^sg-", "sg-1"))`, `true`},
		{`can(regex("^sg-", "x"))`, `false`},
		{`upper("a")`, `"A"`},
		{`lower("A")`, `"a"`},
		{`replace("a-b-c", "-", "_")`, `"a_b_c"`},
		{`replace("a1b22", "/[0-9]+/", "")`, `"ab"`},
		{`substr("hello", 1, 3)`, `"ell"`},
		{`trimspace("  x ")`, `"x"`},
		{`min(3, 1, 2)`, `1`},
		{`max(3, 1, 2)`, `3`},
		{`abs(-2)`, `2`},
		{`cidrsubnet("10.0.0.0/16", 8, 2)`, `"10.0.2.0/24"`},
		{`cidrhost("10.0.0.0/24", 5)`, `"10.0.0.5"`},
		{`cidrnetmask("10.0.0.0/16")`, `"255.255.0.0"`},
		{`cidrsubnets("10.0.0.0/16", 4, 4)`, `["10.0.0.0/20","10.0.16.0/20"]`},
		{`one(["x"])`, `"x"`},
		{`alltrue([true, true])`, `true`},
		{`anytrue([false, true])`, `true`},
		{`sum([1, 2, 3])`, `6`},
		{`startswith("sg-123", "sg-")`, `true`},
		{`index(["a", "b"], "b")`, `1`},
		{`[for s in ["a", "b"] : upper(s)]`, `["A","B"]`},
		{`{for k, v in {a = 1, b = 2} : k => v * 2}`, `{"a":2,"b":4}`},
		{`[for s in ["a", "b"] : s if s != "a"]`, `["b"]`},
		{`[{n = 1}, {n = 2}][*].n`, `[1,2]`},
		{`true ? "yes" : "no"`, `"yes"`},
		{`"%{for x in ["a", "b"]}${x};%{endfor}"`, `"a;b;"`},
		{`"${local.name}-node"`, `"demo-node"`},
		{`local.ports[1]`, `10250`},
		{`var.tags["team"]`, `"net"`},
		{`path.module`, `"."`},
		{`terraform.workspace`, `"default"`},
		{`file("user-data.sh")`, `unknown: function file is not evaluated`},
		{`provider::aws::arn_parse("x")`, `unknown: function provider::aws::arn_parse is not known`},
		{`var.missing`, `unknown: var.missing has no value`},
		{`cidrsubnet(var.missing, 8, 1)`, `unknown: var.missing has no value`},
		{`data.aws_vpc.main.cidr_block`, `unknown: data.aws_vpc.main is read at apply time`},
		{`aws_instance.web.private_ip`, `unknown: aws_instance.web.private_ip is known only after apply`},
		{`aws_instance.web.ami`, `"ami-1"`},
	}
	var b strings.Builder
	b.WriteString(`
variable "tags" {
  type    = map(string)
  default = { team = "net" }
}
variable "missing" {}
locals {
  name  = "demo"
  ports = [443, 10250]
}
data "aws_vpc" "main" {}
resource "aws_instance" "web" {
  ami = "ami-1"
}
resource "test_values" "t" {
`)
	for i, c := range cases {
		fmt.Fprintf(&b, "  v%d = %s\n", i, c.expr)
	}
	b.WriteString("}\n")
	insts, _, err := evalFiles(t, input.Options{}, "main.tf", b.String())
	if err != nil {
		t.Fatal(err)
	}
	in := insts["test_values.t"]
	if in == nil {
		t.Fatal("no instance test_values.t")
	}
	for i, c := range cases {
		v := tfinst.Get(in.Values, fmt.Sprintf("v%d", i))
		if why, ok := strings.CutPrefix(c.want, "unknown: "); ok {
			if tfinst.WhollyKnown(v) {
				t.Errorf("%s = %s, want unknown", c.expr, jsonOf(t, v))
			} else if r := tfinst.Reason(v); !strings.Contains(r, why) {
				t.Errorf("%s: reason %q, want it to say %q", c.expr, r, why)
			}
			continue
		}
		if got := jsonOf(t, v); got != c.want {
			t.Errorf("%s = %s, want %s", c.expr, got, c.want)
		}
	}
}

// TestReferencesSurvive follows a security group's id through locals,
// conditionals, collection functions, for expressions and a module's
// input and output.
func TestReferencesSurvive(t *testing.T) {
	insts, _, err := evalFiles(t, input.Options{},
		"main.tf", `
variable "use_module" { default = true }
resource "aws_security_group" "a" {}
module "sg" {
  source = "./sg"
  peer   = aws_security_group.a.id
}
locals {
  ids    = distinct(flatten([concat([module.sg.id], [aws_security_group.a.id]), [aws_security_group.a.id]]))
  picked = var.use_module ? module.sg.id : aws_security_group.a.id
  upper  = [for id in local.ids : id]
  byname = { for id in local.ids : id => "x" }
}
resource "test_values" "t" {
  ids    = local.ids
  picked = local.picked
  first  = local.upper[0]
  keys   = keys(local.byname)
  peer   = module.sg.peer
  both   = "${aws_security_group.a.id}-suffix"
}
`,
		"sg/main.tf", `
variable "peer" { type = string }
resource "aws_security_group" "this" {
  count = 1
}
output "id" { value = aws_security_group.this[0].id }
output "peer" { value = var.peer }
`)
	if err != nil {
		t.Fatal(err)
	}
	v := insts["test_values.t"].Values
	ref := func(addr string) string { return tfinst.Ref(addr, "id") }
	ids, _ := tfinst.List(tfinst.Get(v, "ids"))
	var got []string
	for _, e := range ids {
		s, _ := tfinst.String(e)
		got = append(got, s)
	}
	want := []string{ref(`module.sg.aws_security_group.this[0]`), ref("aws_security_group.a")}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("ids = %q, want %q", got, want)
	}
	for attr, want := range map[string]string{
		"picked": ref(`module.sg.aws_security_group.this[0]`),
		"first":  ref(`module.sg.aws_security_group.this[0]`),
		"peer":   ref("aws_security_group.a"),
	} {
		s, _ := tfinst.String(tfinst.Get(v, attr))
		if s != want {
			t.Errorf("%s = %q, want %q", attr, s, want)
		}
	}
	both, _ := tfinst.String(tfinst.Get(v, "both"))
	if _, _, ok := tfinst.ParseRef(both); ok || !tfinst.ContainsRef(both) {
		t.Errorf("a string built around a reference must not decode as one: %q", both)
	}
	if got := tfinst.Printable(both); got != "${aws_security_group.a.id}-suffix" {
		t.Errorf("Printable = %q", got)
	}
}

// TestExpansion checks the addresses that count and for_each make, on
// resources and on module calls.
func TestExpansion(t *testing.T) {
	insts, _, err := evalFiles(t, input.Options{},
		"main.tf", `
resource "aws_security_group" "counted" {
  count = 2
  name  = "sg-${count.index}"
}
resource "aws_security_group" "keyed" {
  for_each = { web = 80, "a.b" = 443 }
  name     = "${each.key}-${each.value}"
}
resource "aws_security_group" "set" {
  for_each = toset(["x", "y"])
  name     = each.value
}
module "m" {
  source   = "./m"
  for_each = toset(["one"])
  name     = each.key
}
module "c" {
  source = "./m"
  count  = 1
  name   = "c${count.index}"
}
`,
		"m/main.tf", `
variable "name" {}
resource "aws_security_group" "this" {
  name = var.name
}
`)
	if err != nil {
		t.Fatal(err)
	}
	for addr, name := range map[string]string{
		`aws_security_group.counted[0]`:           "sg-0",
		`aws_security_group.counted[1]`:           "sg-1",
		`aws_security_group.keyed["web"]`:         "web-80",
		`aws_security_group.keyed["a.b"]`:         "a.b-443",
		`aws_security_group.set["x"]`:             "x",
		`module.m["one"].aws_security_group.this`: "one",
		`module.c[0].aws_security_group.this`:     "c0",
	} {
		in := insts[addr]
		if in == nil {
			t.Errorf("no instance %s (have %v)", addr, sortedKeys(insts))
			continue
		}
		if got, _ := tfinst.String(tfinst.Get(in.Values, "name")); got != name {
			t.Errorf("%s name = %q, want %q", addr, got, name)
		}
	}
	if got := tfinst.StripModule(`module.m["o.ne"].module.x[0].aws_security_group.this`); got != "aws_security_group.this" {
		t.Errorf("StripModule = %q", got)
	}
}

// TestUnknownExpansion: count and for_each over values the configuration
// does not know make one instance that says so.
func TestUnknownExpansion(t *testing.T) {
	insts, _, err := evalFiles(t, input.Options{}, "main.tf", `
variable "n" { type = number }
data "aws_subnets" "all" {}
resource "aws_security_group" "c" {
  count = var.n
  name  = "c${count.index}"
}
resource "aws_security_group" "f" {
  for_each = toset(data.aws_subnets.all.ids)
  name     = each.key
}
resource "aws_security_group" "r" {
  for_each = toset([aws_security_group.x.id])
}
resource "aws_security_group" "x" {}
`)
	if err != nil {
		t.Fatal(err)
	}
	for addr, why := range map[string]string{
		"aws_security_group.c": "var.n has no value",
		"aws_security_group.f": "data.aws_subnets.all is read at apply time",
		"aws_security_group.r": "known only after apply (aws_security_group.x.id)",
	} {
		in := insts[addr]
		if in == nil {
			t.Errorf("no instance %s (have %v)", addr, sortedKeys(insts))
			continue
		}
		if !strings.Contains(in.ExpansionUnknown, why) {
			t.Errorf("%s: ExpansionUnknown = %q, want it to say %q", addr, in.ExpansionUnknown, why)
		}
	}
}

// TestDynamicBlocks checks the iterator binding in expanded blocks, the
// iterator argument, nested dynamic blocks, and where generated blocks
// point.
func TestDynamicBlocks(t *testing.T) {
	src := `resource "aws_launch_template" "t" {
  dynamic "network_interfaces" {
    for_each = { a = ["sg-1"], b = ["sg-2", "sg-3"] }
    iterator = ni
    content {
      device_index    = ni.key == "a" ? 0 : 1
      security_groups = ni.value
    }
  }
}
resource "aws_autoscaling_group" "a" {
  mixed_instances_policy {
    launch_template {
      launch_template_specification {
        launch_template_id = "lt-1"
      }
      dynamic "override" {
        for_each = ["m5.large", "m6i.large"]
        content {
          instance_type = override.value
        }
      }
    }
  }
}
variable "unknown_ports" { type = list(number) }
resource "aws_security_group" "u" {
  dynamic "ingress" {
    for_each = var.unknown_ports
    content {
      from_port = ingress.value
      to_port   = ingress.value
      protocol  = "tcp"
    }
  }
}
`
	insts, _, err := evalFiles(t, input.Options{}, "main.tf", src)
	if err != nil {
		t.Fatal(err)
	}
	lt := insts["aws_launch_template.t"]
	nis := tfinst.Blocks(lt.Values, "network_interfaces")
	if len(nis) != 2 {
		t.Fatalf("network_interfaces = %d blocks, want 2", len(nis))
	}
	if i, _ := tfinst.Int(tfinst.Get(nis[1], "device_index")); i != 1 {
		t.Errorf("device_index of b = %d", i)
	}
	if got := jsonOf(t, tfinst.Get(nis[1], "security_groups")); got != `["sg-2","sg-3"]` {
		t.Errorf("security_groups of b = %s", got)
	}
	if l := lt.Blocks["network_interfaces[1]"].Line; l != 5 {
		t.Errorf("a generated block points at line %d, want 5 (its content)", l)
	}
	asg := insts["aws_autoscaling_group.a"]
	lts := tfinst.Blocks(tfinst.Blocks(asg.Values, "mixed_instances_policy")[0], "launch_template")
	overrides := tfinst.Blocks(lts[0], "override")
	if len(overrides) != 2 {
		t.Fatalf("overrides = %d, want 2", len(overrides))
	}
	if s, _ := tfinst.String(tfinst.Get(overrides[1], "instance_type")); s != "m6i.large" {
		t.Errorf("override[1] = %q", s)
	}
	if _, ok := asg.Blocks["mixed_instances_policy[0].launch_template[0].override[1]"]; !ok {
		t.Errorf("nested block origins = %v", asg.Blocks)
	}
	u := insts["aws_security_group.u"]
	if why := u.UnknownBlocks["ingress"]; !strings.Contains(why, "var.unknown_ports has no value") {
		t.Errorf("UnknownBlocks = %v", u.UnknownBlocks)
	}
}

// TestVariables checks where variable values come from and in which
// order they win.
func TestVariables(t *testing.T) {
	main := `
variable "a" { default = "default" }
variable "b" { default = "default" }
variable "c" { default = "default" }
variable "d" { default = "default" }
variable "list" {
  type    = list(number)
  default = [1]
}
variable "obj" {
  type = object({
    name = string
    port = optional(number, 443)
  })
  default = { name = "x" }
}
variable "untyped" {}
resource "test_values" "t" {
  a       = var.a
  b       = var.b
  c       = var.c
  d       = var.d
  list    = var.list
  obj     = var.obj
  untyped = var.untyped
}
`
	insts, _, err := evalFiles(t, input.Options{
		Vars: map[string]string{"d": "flag", "list": "[80, 443]", "untyped": "[1]"},
	},
		"main.tf", main,
		"terraform.tfvars", `a = "tfvars"
b = "tfvars"
c = "tfvars"`,
		"b.auto.tfvars", `b = "auto-b"
c = "auto-b"`,
		"c.auto.tfvars.json", `{"c": "auto-c-json"}`,
	)
	if err != nil {
		t.Fatal(err)
	}
	v := insts["test_values.t"].Values
	for attr, want := range map[string]string{
		"a": `"tfvars"`, "b": `"auto-b"`, "c": `"auto-c-json"`, "d": `"flag"`,
		"list": `[80,443]`, "obj": `{"name":"x","port":443}`, "untyped": `"[1]"`,
	} {
		if got := jsonOf(t, tfinst.Get(v, attr)); got != want {
			t.Errorf("var.%s = %s, want %s", attr, got, want)
		}
	}
}

// TestEvaluationErrors: what makes a configuration invalid is an input
// error at its line.
func TestEvaluationErrors(t *testing.T) {
	cases := []struct {
		src  string
		line int
		msg  string
	}{
		{"resource \"aws_security_group\" \"a\" {\n  name = var.nope\n}\n", 2, `undeclared input variable "nope"`},
		{"resource \"aws_security_group\" \"a\" {\n  name = local.nope\n}\n", 2, `undeclared local value "nope"`},
		{"resource \"aws_security_group\" \"a\" {\n  vpc_id = aws_vpc.nope.id\n}\n", 2, `undeclared resource aws_vpc.nope`},
		{"resource \"aws_security_group\" \"a\" {\n  count = \"x\"\n}\n", 2, `count`},
		{"resource \"aws_security_group\" \"a\" {\n  for_each = [\"a\"]\n}\n", 2, `for_each needs a map or a set of strings`},
		{"resource \"aws_security_group\" \"a\" {\n  name = each.key\n}\n", 2, `each.key`},
		{"resource \"aws_security_group\" \"a\" {\n  name = 1 + \"x\"\n}\n", 2, `Invalid operand`},
		{"locals {\n  a = local.b\n  b = local.a\n}\nresource \"x\" \"y\" {\n  v = local.a\n}\n", 2, `refers to itself`},
		{"resource \"aws_security_group\" \"a\" {\n  ingress {\n    protocol = \"tcp\"\n    from_port = 1\n    to_port = 1\n    cidr_blocks = [\"10.0.0.300/8\"]\n  }\n}\n", 2, `not a CIDR block`},
		{"resource \"aws_security_group\" \"a\" {\n  ingress = [\"tcp\"]\n}\n", 2, `ingress: expected rule objects`},
		{"resource \"aws_security_group\" \"a\" {\n  egress = [null]\n}\n", 2, `found null`},
	}
	for _, c := range cases {
		_, err := Read([]input.File{{Path: "bad/main.tf", Data: []byte(c.src)}}, input.Options{})
		if err == nil {
			t.Errorf("%q: no error", c.src)
			continue
		}
		want := fmt.Sprintf("bad/main.tf:%d", c.line)
		if !strings.HasPrefix(err.Error(), want) || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%q: error %q, want %s…%s", c.src, err, want, c.msg)
		}
	}
}
