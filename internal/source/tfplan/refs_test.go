package tfplan

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/clusterwall/clusterwall/internal/source/input"
	"github.com/clusterwall/clusterwall/internal/source/tfinst"
)

// res is one resource instance of a test plan: its known values, what
// after_unknown says, and after_sensitive (which tells collections).
type res struct {
	module    string
	typ, name string
	index     any
	data      bool
	values    map[string]any
	unknown   map[string]any
	sensitive map[string]any
}

func (r res) address() string {
	a := r.typ + "." + r.name
	if r.data {
		a = "data." + a
	}
	switch k := r.index.(type) {
	case string:
		a += `["` + k + `"]`
	case int:
		a += "[" + string(rune('0'+k)) + "]"
	}
	if r.module != "" {
		a = r.module + "." + a
	}
	return a
}

// planJSON writes the plan Terraform would print for these instances and
// this configuration section (root_module).
func planJSON(t *testing.T, rs []res, config map[string]any) []byte {
	t.Helper()
	type mod struct {
		Resources    []map[string]any `json:"resources,omitempty"`
		ChildModules []*mod           `json:"child_modules,omitempty"`
		Address      string           `json:"address,omitempty"`
	}
	root := &mod{}
	mods := map[string]*mod{"": root}
	var get func(addr string) *mod
	get = func(addr string) *mod {
		if m := mods[addr]; m != nil {
			return m
		}
		parent := ""
		if i := strings.LastIndex(addr, ".module."); i >= 0 {
			parent = addr[:i]
		}
		m := &mod{Address: addr}
		p := get(parent)
		p.ChildModules = append(p.ChildModules, m)
		mods[addr] = m
		return m
	}
	var changes []map[string]any
	for _, r := range rs {
		mode := "managed"
		if r.data {
			mode = "data"
		}
		o := map[string]any{"address": r.address(), "mode": mode, "type": r.typ, "name": r.name,
			"provider_name": "registry.terraform.io/hashicorp/aws", "schema_version": 0, "values": r.values,
			"sensitive_values": map[string]any{}}
		if r.index != nil {
			o["index"] = r.index
		}
		get(r.module).Resources = append(get(r.module).Resources, o)
		if r.unknown == nil {
			continue
		}
		action := "create"
		if r.data {
			action = "read"
		}
		ch := map[string]any{"address": r.address(), "mode": mode, "type": r.typ, "name": r.name,
			"provider_name": "registry.terraform.io/hashicorp/aws",
			"change": map[string]any{"actions": []string{action}, "before": nil, "after": r.values,
				"after_unknown": r.unknown, "before_sensitive": false, "after_sensitive": orEmpty(r.sensitive)}}
		if r.module != "" {
			ch["module_address"] = r.module
		}
		if r.index != nil {
			ch["index"] = r.index
		}
		changes = append(changes, ch)
	}
	doc := map[string]any{"format_version": "1.2", "terraform_version": "1.9.8",
		"planned_values": map[string]any{"root_module": root}, "resource_changes": changes,
		"configuration": map[string]any{"root_module": config}}
	data, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

// instancesOf reads a plan into instances, by address.
func instancesOf(t *testing.T, data []byte) map[string]*tfinst.Instance {
	t.Helper()
	d, err := decode(input.File{Path: "plan.json", Data: data})
	if err != nil {
		t.Fatal(err)
	}
	r := newReader(d, "")
	if err := r.collect(); err != nil {
		t.Fatal(err)
	}
	r.build()
	r.linkIDs()
	out := map[string]*tfinst.Instance{}
	for _, in := range r.out {
		out[in.Address] = in
	}
	return out
}

// at reads the value at a path of attribute names and list indexes.
func at(t *testing.T, ins map[string]*tfinst.Instance, addr string, path ...any) cty.Value {
	t.Helper()
	in := ins[addr]
	if in == nil {
		t.Fatalf("no instance %s", addr)
	}
	v := in.Values
	for _, p := range path {
		switch p := p.(type) {
		case string:
			v = tfinst.Get(v, p)
		case int:
			elems, known := tfinst.List(v)
			if !known || p >= len(elems) {
				t.Fatalf("%s: no element %d in %#v", addr, p, v)
			}
			v = elems[p]
		}
	}
	return v
}

func wantRef(t *testing.T, v cty.Value, addr, attr string) {
	t.Helper()
	a, at, ok := tfinst.RefAddress(v)
	if !ok || a != addr || at != attr {
		t.Errorf("got %#v (%q), want a reference to %s.%s", v, tfinst.Reason(v), addr, attr)
	}
}

func wantUnknown(t *testing.T, v cty.Value, why string) {
	t.Helper()
	if tfinst.WhollyKnown(v) {
		t.Errorf("got %#v, want unknown because %q", v, why)
		return
	}
	if r := tfinst.Reason(v); !strings.Contains(r, why) {
		t.Errorf("unknown because %q, want %q", r, why)
	}
}

func refs(rs ...string) map[string]any { return map[string]any{"references": rs} }
func constant(v any) map[string]any    { return map[string]any{"constant_value": v} }
func resource(typ, name string, expr map[string]any, more ...any) map[string]any {
	o := map[string]any{"address": typ + "." + name, "mode": "managed", "type": typ, "name": name,
		"provider_config_key": "aws", "expressions": expr, "schema_version": 0}
	for i := 0; i+1 < len(more); i += 2 {
		o[more[i].(string)] = more[i+1]
	}
	return o
}

// group is a security group the plan creates: its id is unknown.
func group(module, name string, index any) res {
	return res{module: module, typ: "aws_security_group", name: name, index: index,
		values:    map[string]any{"description": "Managed by Terraform", "revoke_rules_on_delete": false},
		unknown:   map[string]any{"id": true, "arn": true, "name": true, "ingress": true, "egress": true, "owner_id": true, "vpc_id": true},
		sensitive: map[string]any{"ingress": []any{}, "egress": []any{}}}
}

// rule is a standalone rule whose security_group_id (and, when source,
// source_security_group_id) the plan does not know.
func rule(module, name string, index any) res {
	return res{module: module, typ: "aws_security_group_rule", name: name, index: index,
		values:  map[string]any{"type": "ingress", "protocol": "tcp", "from_port": 443, "to_port": 443, "self": false, "cidr_blocks": nil},
		unknown: map[string]any{"id": true, "security_group_id": true, "source_security_group_id": true, "security_group_rule_id": true}}
}

var groupConfig = map[string]any{"description": constant("Managed by Terraform")}

func ruleConfig(sg map[string]any, more ...any) map[string]any {
	o := map[string]any{"type": constant("ingress"), "protocol": constant("tcp"), "from_port": constant(443),
		"to_port": constant(443), "security_group_id": sg}
	for i := 0; i+1 < len(more); i += 2 {
		o[more[i].(string)] = more[i+1]
	}
	return o
}

func TestDirectReference(t *testing.T) {
	ins := instancesOf(t, planJSON(t, []res{group("", "a", nil), group("", "b", nil), rule("", "r", nil)},
		map[string]any{"resources": []any{
			resource("aws_security_group", "a", groupConfig), resource("aws_security_group", "b", groupConfig),
			resource("aws_security_group_rule", "r", ruleConfig(refs("aws_security_group.a.id", "aws_security_group.a"),
				"source_security_group_id", refs("aws_security_group.b.id", "aws_security_group.b"))),
		}}))
	wantRef(t, at(t, ins, "aws_security_group_rule.r", "security_group_id"), "aws_security_group.a", "id")
	wantRef(t, at(t, ins, "aws_security_group_rule.r", "source_security_group_id"), "aws_security_group.b", "id")
	// Computed, not configured: left to the provider, as HCL leaves it.
	for _, attr := range []string{"ingress", "egress", "name", "vpc_id"} {
		if v := at(t, ins, "aws_security_group.a", attr); v != cty.NilVal {
			t.Errorf("%s = %#v, want it left out", attr, v)
		}
	}
	if v := at(t, ins, "aws_security_group_rule.r", "self"); v.False() != true {
		t.Errorf("self = %#v", v)
	}
}

func TestReferencesPlanJSONDoesNotExplain(t *testing.T) {
	ins := instancesOf(t, planJSON(t, []res{group("", "a", nil), group("", "b", nil), rule("", "local", nil), rule("", "cond", nil), rule("", "two", nil), rule("", "none", nil)},
		map[string]any{"resources": []any{
			resource("aws_security_group", "a", groupConfig), resource("aws_security_group", "b", groupConfig),
			resource("aws_security_group_rule", "local", ruleConfig(refs("local.sg"))),
			// source_security_group_id = var.on ? aws_security_group.a.id : null: null would be
			// unknown too (the provider computes it), so the reference does not say.
			resource("aws_security_group_rule", "cond", ruleConfig(refs("aws_security_group.b.id", "aws_security_group.b"),
				"source_security_group_id", refs("var.on", "aws_security_group.a.id", "aws_security_group.a"))),
			resource("aws_security_group_rule", "two", ruleConfig(refs("aws_security_group.a.id", "aws_security_group.a", "aws_security_group.b.id", "aws_security_group.b"))),
			resource("aws_security_group_rule", "none", ruleConfig(refs("each.key"))),
		}}))
	wantUnknown(t, at(t, ins, "aws_security_group_rule.local", "security_group_id"), "it is computed at apply time from local.sg, which plan JSON does not show")
	wantRef(t, at(t, ins, "aws_security_group_rule.cond", "security_group_id"), "aws_security_group.b", "id")
	wantUnknown(t, at(t, ins, "aws_security_group_rule.cond", "source_security_group_id"), "it is computed at apply time from aws_security_group.a.id and other values")
	wantUnknown(t, at(t, ins, "aws_security_group_rule.two", "security_group_id"), "it is one of aws_security_group.a.id, aws_security_group.b.id")
	wantUnknown(t, at(t, ins, "aws_security_group_rule.none", "security_group_id"), "known only after apply")
}

func TestSameKeys(t *testing.T) {
	rs := []res{group("", "ng", "x"), group("", "ng", "y"), rule("", "r", "x"), rule("", "r", "y"), rule("", "other", "p"),
		rule("", "ev", "x"), rule("", "ev", "y"), group("", "c", 0), group("", "c", 1), rule("", "rc", 0), rule("", "rc", 1)}
	ins := instancesOf(t, planJSON(t, rs, map[string]any{"resources": []any{
		resource("aws_security_group", "ng", groupConfig, "for_each_expression", refs("var.groups")),
		// security_group_id = aws_security_group.ng[each.key].id
		resource("aws_security_group_rule", "r", ruleConfig(refs("aws_security_group.ng", "each.key")),
			"for_each_expression", refs("var.groups")),
		resource("aws_security_group_rule", "other", ruleConfig(refs("aws_security_group.ng", "each.key")),
			"for_each_expression", refs("var.others")),
		// for_each = aws_security_group.ng, security_group_id = each.value.id
		resource("aws_security_group_rule", "ev", ruleConfig(refs("each.value.id", "each.value")),
			"for_each_expression", refs("aws_security_group.ng")),
		// count = 2, security_group_id = aws_security_group.c[count.index].id
		resource("aws_security_group", "c", groupConfig, "count_expression", constant(2)),
		resource("aws_security_group_rule", "rc", ruleConfig(refs("aws_security_group.c", "count.index")),
			"count_expression", refs("var.n")),
	}}))
	wantRef(t, at(t, ins, "aws_security_group_rule.rc[0]", "security_group_id"), "aws_security_group.c[0]", "id")
	wantRef(t, at(t, ins, "aws_security_group_rule.rc[1]", "security_group_id"), "aws_security_group.c[1]", "id")
	for _, k := range []string{"x", "y"} {
		wantRef(t, at(t, ins, `aws_security_group_rule.r["`+k+`"]`, "security_group_id"), `aws_security_group.ng["`+k+`"]`, "id")
		wantRef(t, at(t, ins, `aws_security_group_rule.ev["`+k+`"]`, "security_group_id"), `aws_security_group.ng["`+k+`"]`, "id")
	}
	wantUnknown(t, at(t, ins, `aws_security_group_rule.other["p"]`, "security_group_id"), `one of aws_security_group.ng["x"].id, aws_security_group.ng["y"].id`)
}

func TestModules(t *testing.T) {
	rs := []res{group("", "a", nil), rule("module.m", "r", nil), group("module.m", "x", nil), rule("", "out", nil),
		group("module.n[\"k\"]", "x", nil), rule("module.n[\"k\"]", "r", nil)}
	inner := map[string]any{
		"resources": []any{
			resource("aws_security_group", "x", groupConfig),
			resource("aws_security_group_rule", "r", ruleConfig(refs("var.sg"))),
		},
		"outputs":   map[string]any{"sg_id": map[string]any{"expression": refs("aws_security_group.x.id", "aws_security_group.x")}},
		"variables": map[string]any{"sg": map[string]any{}},
	}
	ins := instancesOf(t, planJSON(t, rs, map[string]any{
		"resources": []any{
			resource("aws_security_group", "a", groupConfig),
			resource("aws_security_group_rule", "out", ruleConfig(refs("module.m.sg_id", "module.m"))),
		},
		"module_calls": map[string]any{
			"m": map[string]any{"source": "./m", "expressions": map[string]any{"sg": refs("aws_security_group.a.id", "aws_security_group.a")}, "module": inner},
			"n": map[string]any{"source": "./m", "for_each_expression": constant(map[string]any{"k": 1}),
				"expressions": map[string]any{"sg": refs("module.m.sg_id", "module.m")}, "module": inner},
		},
	}))
	wantRef(t, at(t, ins, "module.m.aws_security_group_rule.r", "security_group_id"), "aws_security_group.a", "id")
	wantRef(t, at(t, ins, "aws_security_group_rule.out", "security_group_id"), "module.m.aws_security_group.x", "id")
	wantRef(t, at(t, ins, `module.n["k"].aws_security_group_rule.r`, "security_group_id"), "module.m.aws_security_group.x", "id")
}

func TestLists(t *testing.T) {
	lb := func(name string, values, unknown, sensitive map[string]any) res {
		return res{typ: "aws_lb", name: name, values: values, unknown: unknown, sensitive: sensitive}
	}
	subnet := func(k string) res {
		return res{typ: "aws_subnet", name: "s", index: k, values: map[string]any{"cidr_block": "10.0.0.0/24"},
			unknown: map[string]any{"id": true, "vpc_id": true}}
	}
	rs := []res{group("", "a", nil), group("", "b", nil), subnet("b"), subnet("a"),
		// security_groups = [aws_security_group.a.id, aws_security_group.b.id]: a set
		// with unknown elements is wholly unknown.
		lb("whole", map[string]any{}, map[string]any{"security_groups": true, "subnets": true},
			map[string]any{"security_groups": []any{}, "subnets": []any{}}),
		// concat(var.extra, [aws_security_group.a.id]): the variable's elements are not shown.
		lb("extra", map[string]any{}, map[string]any{"security_groups": true}, map[string]any{"security_groups": []any{}}),
		// A list whose length is known: the known element comes from elsewhere.
		lb("partial", map[string]any{"security_groups": []any{"sg-0123456789abcdef0", nil}},
			map[string]any{"security_groups": []any{false, true}}, map[string]any{"security_groups": []any{false, false}}),
	}
	ins := instancesOf(t, planJSON(t, rs, map[string]any{"resources": []any{
		resource("aws_security_group", "a", groupConfig), resource("aws_security_group", "b", groupConfig),
		resource("aws_subnet", "s", map[string]any{"cidr_block": refs("each.value")}, "for_each_expression", refs("local.azs")),
		resource("aws_lb", "whole", map[string]any{
			"security_groups": refs("aws_security_group.a.id", "aws_security_group.a", "aws_security_group.b.id", "aws_security_group.b"),
			// [for s in aws_subnet.s : s.id]
			"subnets": refs("aws_subnet.s")}),
		resource("aws_lb", "extra", map[string]any{"security_groups": refs("var.extra", "aws_security_group.a.id", "aws_security_group.a")}),
		resource("aws_lb", "partial", map[string]any{"security_groups": refs("var.existing", "aws_security_group.b.id", "aws_security_group.b")}),
	}}))
	wantRef(t, at(t, ins, "aws_lb.whole", "security_groups", 0), "aws_security_group.a", "id")
	wantRef(t, at(t, ins, "aws_lb.whole", "security_groups", 1), "aws_security_group.b", "id")
	wantRef(t, at(t, ins, "aws_lb.whole", "subnets", 0), `aws_subnet.s["a"]`, "id")
	wantRef(t, at(t, ins, "aws_lb.whole", "subnets", 1), `aws_subnet.s["b"]`, "id")
	wantUnknown(t, at(t, ins, "aws_lb.extra", "security_groups"), "computed at apply time from aws_security_group.a.id and other values")
	if s, _ := tfinst.String(at(t, ins, "aws_lb.partial", "security_groups", 0)); s != "sg-0123456789abcdef0" {
		t.Errorf("the known element is %q", s)
	}
	wantRef(t, at(t, ins, "aws_lb.partial", "security_groups", 1), "aws_security_group.b", "id")
}

func TestDataSourcesAndComputedAttributes(t *testing.T) {
	vpc := res{typ: "aws_vpc", name: "tools", data: true, values: map[string]any{"id": "vpc-0123456789abcdef0"},
		unknown: map[string]any{"cidr_block": true, "arn": true}}
	cluster := res{typ: "aws_eks_cluster", name: "c", values: map[string]any{"name": "prod"},
		unknown: map[string]any{"id": true, "arn": true}}
	r := rule("", "r", nil)
	r.values["cidr_blocks"] = []any{nil, "10.0.0.0/8"}
	r.unknown["cidr_blocks"] = []any{true, false}
	ng := res{typ: "aws_eks_node_group", name: "ng", values: map[string]any{"node_group_name": "ng"},
		unknown: map[string]any{"id": true, "cluster_name": true, "node_role_arn": true}}
	ins := instancesOf(t, planJSON(t, []res{vpc, cluster, group("", "a", nil), r, ng}, map[string]any{"resources": []any{
		map[string]any{"address": "data.aws_vpc.tools", "mode": "data", "type": "aws_vpc", "name": "tools",
			"expressions": map[string]any{"id": refs("var.tools_vpc")}, "schema_version": 0},
		resource("aws_eks_cluster", "c", map[string]any{"name": constant("prod")}),
		resource("aws_security_group", "a", groupConfig),
		resource("aws_security_group_rule", "r", ruleConfig(refs("aws_security_group.a.id", "aws_security_group.a"),
			"cidr_blocks", refs("data.aws_vpc.tools.cidr_block", "data.aws_vpc.tools"))),
		// cluster_name = aws_eks_cluster.c.id: an EKS cluster's id is its name.
		resource("aws_eks_node_group", "ng", map[string]any{"cluster_name": refs("aws_eks_cluster.c.id", "aws_eks_cluster.c"),
			"node_group_name": constant("ng"), "node_role_arn": refs("aws_eks_cluster.c.arn", "aws_eks_cluster.c")}),
	}}))
	wantUnknown(t, at(t, ins, "aws_security_group_rule.r", "cidr_blocks", 0), "data.aws_vpc.tools is read at apply time")
	if s, _ := tfinst.String(at(t, ins, "aws_security_group_rule.r", "cidr_blocks", 1)); s != "10.0.0.0/8" {
		t.Errorf("cidr_blocks[1] = %q", s)
	}
	if s, _ := tfinst.String(at(t, ins, "aws_eks_node_group.ng", "cluster_name")); s != "prod" {
		t.Errorf("cluster_name = %q, want the cluster's name", s)
	}
	wantRef(t, at(t, ins, "aws_eks_node_group.ng", "node_role_arn"), "aws_eks_cluster.c", "arn")
}

// TestTerraformAWSEKSRules reads the node rules as terraform-aws-modules/eks
// writes them: one for_each resource, the source group through a local,
// null where a rule has none.
func TestTerraformAWSEKSRules(t *testing.T) {
	self := rule("module.eks", "node", "ingress_self_coredns_tcp")
	self.values["self"] = true
	egress := rule("module.eks", "node", "egress_all")
	egress.values["type"], egress.values["cidr_blocks"] = "egress", []any{"0.0.0.0/0"}
	egress.unknown["cidr_blocks"] = []any{false}
	kubelet := rule("module.eks", "node", "ingress_cluster_kubelet")
	ins := instancesOf(t, planJSON(t, []res{group("module.eks", "node", 0), group("module.eks", "cluster", 0), self, egress, kubelet},
		map[string]any{"module_calls": map[string]any{"eks": map[string]any{"source": "terraform-aws-modules/eks/aws", "module": map[string]any{
			"resources": []any{
				resource("aws_security_group", "node", groupConfig, "count_expression", refs("local.create_node_sg")),
				resource("aws_security_group", "cluster", groupConfig, "count_expression", refs("local.create_cluster_sg")),
				resource("aws_security_group_rule", "node", ruleConfig(refs("aws_security_group.node[0].id", "aws_security_group.node[0]", "aws_security_group.node"),
					"self", refs("each.value"),
					"cidr_blocks", refs("each.value"),
					// try(each.value.source_cluster_security_group, false) ? local.cluster_security_group_id : lookup(each.value, "source_security_group_id", null)
					"source_security_group_id", refs("each.value.source_cluster_security_group", "each.value", "local.cluster_security_group_id", "each.value")),
					"for_each_expression", refs("local.node_security_group_rules", "local.node_security_group_recommended_rules", "var.node_security_group_additional_rules", "local.create_node_sg")),
			}}}}}))
	for _, k := range []string{"ingress_self_coredns_tcp", "egress_all", "ingress_cluster_kubelet"} {
		wantRef(t, at(t, ins, `module.eks.aws_security_group_rule.node["`+k+`"]`, "security_group_id"), "module.eks.aws_security_group.node[0]", "id")
	}
	// A rule with self or CIDR blocks has no source group: the provider
	// rejects both, so the unknown is the provider's to compute.
	for _, k := range []string{"ingress_self_coredns_tcp", "egress_all"} {
		if v := at(t, ins, `module.eks.aws_security_group_rule.node["`+k+`"]`, "source_security_group_id"); v != cty.NilVal {
			t.Errorf("%s: source_security_group_id = %#v, want none", k, v)
		}
	}
	wantUnknown(t, at(t, ins, `module.eks.aws_security_group_rule.node["ingress_cluster_kubelet"]`, "source_security_group_id"),
		"it is computed at apply time from each.value.source_cluster_security_group, local.cluster_security_group_id, which plan JSON does not show")
}
