package tftencent_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/clusterwall/clusterwall/internal/model"
	"github.com/clusterwall/clusterwall/internal/source/tfinst"
	"github.com/clusterwall/clusterwall/internal/source/tfmap"
	"github.com/clusterwall/clusterwall/internal/srcpos"
)

// inst makes an instance the way any evaluator (HCL, plan JSON) would.
func inst(typ, name string, line int, attrs map[string]cty.Value) *tfinst.Instance {
	addr := typ + "." + name
	return &tfinst.Instance{Type: typ, Name: name, Address: addr, Values: cty.ObjectVal(attrs),
		Origin: srcpos.Location{File: "plan.json", Line: line, Address: addr}}
}

func s(v string) cty.Value { return cty.StringVal(v) }

func strs(ss ...string) cty.Value {
	var vs []cty.Value
	for _, v := range ss {
		vs = append(vs, cty.StringVal(v))
	}
	if len(vs) == 0 {
		return cty.ListValEmpty(cty.String)
	}
	return cty.ListVal(vs)
}

func ref(addr string) cty.Value { return tfinst.RefVal(addr, "id") }

func unknown(why string) cty.Value { return cty.UnknownVal(cty.String).Mark(tfinst.Why(why)) }

func obj(attrs map[string]cty.Value) cty.Value { return cty.ObjectVal(attrs) }

func blocks(vs ...cty.Value) cty.Value { return cty.TupleVal(vs) }

func build(t *testing.T, insts ...*tfinst.Instance) *model.Estate {
	t.Helper()
	e, err := tfmap.Build(insts, "")
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func sg(name string, line int) *tfinst.Instance {
	return inst("tencentcloud_security_group", name, line, map[string]cty.Value{"name": s(name)})
}

// TestEmptyGroup: a group without rules drops everything: no rules, and
// nothing unknown about them.
func TestEmptyGroup(t *testing.T) {
	e := build(t, sg("a", 1))
	g := e.Groups["tencentcloud_security_group.a"]
	if g == nil || len(g.Rules) != 0 || g.RulesUnknown != "" || g.Provider != model.Tencent || g.ExclusiveRules {
		t.Errorf("group = %+v", g)
	}
}

// TestRuleSetPeersAndServices covers every peer and service field of a
// rule-set block, the defaults, and unknown values.
func TestRuleSetPeersAndServices(t *testing.T) {
	rs := inst("tencentcloud_security_group_rule_set", "a", 10, map[string]cty.Value{
		"security_group_id": ref("tencentcloud_security_group.a"),
		"ingress": blocks(
			obj(map[string]cty.Value{"action": s("accept"), "cidr_block": s("0.0.0.0/8")}),
			obj(map[string]cty.Value{"action": s("DROP"), "ipv6_cidr_block": s("::/0"), "protocol": s("icmpv6")}),
			obj(map[string]cty.Value{"action": s("ACCEPT"), "source_security_id": ref("tencentcloud_security_group.a"), "protocol": s("TCP"), "port": s("80,443")}),
			obj(map[string]cty.Value{"action": s("ACCEPT"), "source_security_id": s("sg-12345678"), "protocol": s("UDP"), "port": s("53")}),
			obj(map[string]cty.Value{"action": s("ACCEPT"), "address_template_id": ref("tencentcloud_address_template.t"), "service_template_id": ref("tencentcloud_protocol_template.p")}),
			obj(map[string]cty.Value{"action": s("ACCEPT"), "address_template_group": s("ipmg-abcdefgh"), "service_template_group": s("ppmg-abcdefgh")}),
			obj(map[string]cty.Value{"action": s("ACCEPT"), "cidr_block": unknown("var.office has no value"), "protocol": s("TCP"), "port": unknown("var.port has no value")}),
			obj(map[string]cty.Value{"action": s("ACCEPT"), "cidr_block": s(tfinst.Ref("tencentcloud_eip.x", "public_ip") + "/32"), "protocol": s("TCP"), "port": s("")}),
		),
	})
	rs.Blocks = map[string]srcpos.Location{"ingress[3]": {File: "plan.json", Line: 14}}
	e := build(t, sg("a", 1), rs,
		inst("tencentcloud_address_template", "t", 20, map[string]cty.Value{"addresses": strs("10.0.0.1-10.0.0.4")}),
		inst("tencentcloud_protocol_template", "p", 30, map[string]cty.Value{"protocols": strs("tcp:8080", "udp:all")}),
	)
	at := "plan.json:10 (tencentcloud_security_group_rule_set.a)"
	same(t, "rules", rules(t, e, "tencentcloud_security_group.a"), []string{
		"ingress ACCEPT all 0.0.0.0/0 @ " + at,
		"ingress DROP icmpv6 ::/0 @ " + at,
		"ingress ACCEPT tcp/80,443 tencentcloud_security_group.a @ " + at,
		"ingress ACCEPT udp/53 sg-12345678 @ plan.json:14 (tencentcloud_security_group_rule_set.a)",
		"ingress ACCEPT tcp/8080 udp tencentcloud_address_template.t @ " + at,
		"ingress ACCEPT all ipmg-abcdefgh ports? @ " + at,
		"ingress ACCEPT tcp (unknown) ports? @ " + at,
		"ingress ACCEPT tcp (unknown) @ " + at,
	})
	g := e.Groups["tencentcloud_security_group.a"]
	if why := g.Rules[5].PortsUnknown; !strings.Contains(why, "tccli vpc DescribeServiceTemplates") {
		t.Errorf("undeclared protocol template group: %q", why)
	}
	if why := g.Rules[6].Peer.Why; !strings.Contains(why, "var.office has no value") {
		t.Errorf("unknown cidr: %q", why)
	}
	if why := g.Rules[7].Peer.Why; !strings.Contains(why, "${tencentcloud_eip.x.public_ip}/32") {
		t.Errorf("computed cidr: %q", why)
	}
	if set := e.AddressSets["tencentcloud_address_template.t"]; set == nil || fmt.Sprint(set.Prefixes) != "[10.0.0.1/32 10.0.0.2/31 10.0.0.4/32]" {
		t.Errorf("address template = %+v", set)
	}
	if set := e.AddressSets["ipmg-abcdefgh"]; set == nil || !strings.Contains(set.Unknown, "DescribeAddressTemplateGroups") {
		t.Errorf("undeclared address template group = %+v", set)
	}
	if ref := e.Groups["sg-12345678"]; ref == nil || !strings.Contains(ref.RulesUnknown, "tccli vpc DescribeSecurityGroupPolicies --SecurityGroupId sg-12345678") || ref.Provider != model.Tencent {
		t.Errorf("undeclared peer group = %+v", ref)
	}
}

// TestRuleSetErrors: what the provider or the API refuses is an input
// error at the block.
func TestRuleSetErrors(t *testing.T) {
	cases := map[string]map[string]cty.Value{
		"names no peer":             {"action": s("ACCEPT")},
		"several peers":             {"action": s("ACCEPT"), "cidr_block": s("10.0.0.0/8"), "source_security_id": s("sg-12345678")},
		"expected ACCEPT or DROP":   {"action": s("ALLOW"), "cidr_block": s("10.0.0.0/8")},
		"the rule has no action":    {"cidr_block": s("10.0.0.0/8")},
		"the port must be ALL":      {"action": s("ACCEPT"), "cidr_block": s("10.0.0.0/8"), "protocol": s("ALL"), "port": s("80")},
		"not an IP address or CIDR": {"action": s("ACCEPT"), "cidr_block": s("office")},
		"conflict":                  {"action": s("ACCEPT"), "cidr_block": s("10.0.0.0/8"), "protocol": s("TCP"), "service_template_id": s("ppm-abcdefgh")},
	}
	for want, b := range cases {
		rs := inst("tencentcloud_security_group_rule_set", "a", 3, map[string]cty.Value{
			"security_group_id": s("sg-abcdefgh"), "egress": blocks(obj(b)),
		})
		rs.Blocks = map[string]srcpos.Location{"egress[0]": {File: "main.tf", Line: 7}}
		_, err := tfmap.Build([]*tfinst.Instance{rs}, "")
		if err == nil || !strings.Contains(err.Error(), want) || !strings.HasPrefix(err.Error(), "main.tf:7:") {
			t.Errorf("%v: error %v, want %q at main.tf:7", b, err, want)
		}
	}
}

// TestRuleSetUnknowns: what makes a group's rules unknown, and what does
// not: a rule set on a group the configuration names only by id gives
// the group's whole rule set.
func TestRuleSetUnknowns(t *testing.T) {
	rs := inst("tencentcloud_security_group_rule_set", "a", 3, map[string]cty.Value{
		"security_group_id": s("sg-abcdefgh"),
		"ingress":           blocks(obj(map[string]cty.Value{"action": unknown("var.action has no value"), "cidr_block": s("10.0.0.0/8")})),
		"egress":            blocks(obj(map[string]cty.Value{"action": s("ACCEPT"), "cidr_block": s("0.0.0.0/0")})),
	})
	e := build(t, rs)
	g := e.Groups["sg-abcdefgh"]
	if g == nil || !g.ExclusiveRules || !strings.Contains(g.RulesUnknown, "var.action has no value") || len(g.Rules) != 1 {
		t.Errorf("group = %+v", g)
	}

	whole := inst("tencentcloud_security_group_rule_set", "b", 3, map[string]cty.Value{
		"security_group_id": s("sg-bbbbbbbb"),
		"ingress":           blocks(obj(map[string]cty.Value{"action": s("ACCEPT"), "cidr_block": s("10.0.0.0/8")})),
	})
	dyn := inst("tencentcloud_security_group_rule_set", "c", 3, map[string]cty.Value{"security_group_id": s("sg-cccccccc")})
	dyn.UnknownBlocks = map[string]string{"ingress": "var.rules has no value"}
	counted := inst("tencentcloud_security_group_rule_set", "d", 3, map[string]cty.Value{"security_group_id": s("sg-dddddddd")})
	counted.ExpansionUnknown = "count depends on var.n, which has no value"
	e = build(t, whole, dyn, counted)
	if g := e.Groups["sg-bbbbbbbb"]; g.RulesUnknown != "" || len(g.Rules) != 1 {
		t.Errorf("a rule set on an undeclared group gives all of its rules: %+v", g)
	}
	if g := e.Groups["sg-cccccccc"]; !strings.Contains(g.RulesUnknown, "dynamic block") || !strings.Contains(g.RulesUnknown, "var.rules has no value") {
		t.Errorf("dynamic block over an unknown value: %q", g.RulesUnknown)
	}
	if g := e.Groups["sg-dddddddd"]; !strings.Contains(g.RulesUnknown, "count depends on var.n") {
		t.Errorf("unknown count: %q", g.RulesUnknown)
	}

	// Two resources own one group: only the first is read, with a note.
	e = build(t, sg("x", 1),
		inst("tencentcloud_security_group_rule_set", "x", 5, map[string]cty.Value{"security_group_id": ref("tencentcloud_security_group.x"),
			"ingress": blocks(obj(map[string]cty.Value{"action": s("ACCEPT"), "cidr_block": s("10.0.0.0/8")}))}),
		inst("tencentcloud_security_group_lite_rule", "x", 9, map[string]cty.Value{"security_group_id": ref("tencentcloud_security_group.x"),
			"ingress": strs("DROP#0.0.0.0/0#ALL#ALL")}),
	)
	if g := e.Groups["tencentcloud_security_group.x"]; len(g.Rules) != 1 || g.Rules[0].Action != model.Accept ||
		len(e.Notes) != 1 || !strings.Contains(e.Notes[0], "both own the whole rule set") {
		t.Errorf("rules %+v notes %q", g.Rules, e.Notes)
	}
}

// TestLiteRuleReferences: a lite rule's source may be the id of a group
// or template of the configuration; other computed parts are unknown.
func TestLiteRuleReferences(t *testing.T) {
	lr := inst("tencentcloud_security_group_lite_rule", "a", 5, map[string]cty.Value{
		"security_group_id": ref("tencentcloud_security_group.a"),
		"ingress": cty.TupleVal([]cty.Value{
			s("ACCEPT#" + tfinst.Ref("tencentcloud_security_group.bastion", "id") + "#22#TCP"),
			s("ACCEPT#" + tfinst.Ref("tencentcloud_address_template_group.office", "id") + "#443#TCP"),
			s("ACCEPT#" + tfinst.Ref("tencentcloud_eip.nat", "public_ip") + "#443#TCP"),
			s("ACCEPT#sg-abcd1234#ALL#ppm-abcd1234"),
			s("DROP#0.0.0.0/0#ALL#ALL"),
		}),
		"egress": unknown("var.egress has no value"),
	})
	e := build(t, sg("a", 1), sg("bastion", 2), lr,
		inst("tencentcloud_address_template_group", "office", 3, map[string]cty.Value{"template_ids": cty.TupleVal([]cty.Value{s("ipm-abcd1234")})}))
	at := "plan.json:5 (tencentcloud_security_group_lite_rule.a)"
	same(t, "rules", rules(t, e, "tencentcloud_security_group.a"), []string{
		"ingress ACCEPT tcp/22 tencentcloud_security_group.bastion @ " + at,
		"ingress ACCEPT tcp/443 tencentcloud_address_template_group.office @ " + at,
		"ingress ACCEPT tcp/443 (unknown) @ " + at,
		"ingress ACCEPT all sg-abcd1234 ports? @ " + at,
		"ingress DROP all 0.0.0.0/0 @ " + at,
	})
	g := e.Groups["tencentcloud_security_group.a"]
	if !strings.Contains(g.Rules[2].Peer.Why, "${tencentcloud_eip.nat.public_ip}") || !strings.Contains(g.RulesUnknown, "var.egress has no value") {
		t.Errorf("unknowns: peer %q, rules %q", g.Rules[2].Peer.Why, g.RulesUnknown)
	}
	if set := e.AddressSets["tencentcloud_address_template_group.office"]; set == nil || !strings.Contains(set.Unknown, "ipm-abcd1234") {
		t.Errorf("group of an undeclared template = %+v", set)
	}

	// A malformed string is an error even with a computed source.
	bad := inst("tencentcloud_security_group_lite_rule", "b", 5, map[string]cty.Value{
		"security_group_id": s("sg-abcd1234"),
		"ingress":           cty.TupleVal([]cty.Value{s("ACCEPT#" + tfinst.Ref("tencentcloud_security_group.bastion", "id") + "#ssh#TCP")}),
	})
	bad.Blocks = map[string]srcpos.Location{"ingress[0]": {File: "sg.tf", Line: 12}}
	_, err := tfmap.Build([]*tfinst.Instance{sg("bastion", 1), bad}, "")
	if err == nil || !strings.HasPrefix(err.Error(), `sg.tf:12: invalid lite rule "ACCEPT#${tencentcloud_security_group.bastion.id}#ssh#TCP": port "ssh"`) {
		t.Errorf("error %v", err)
	}
}

// TestSingleRuleOrder: policy_index first, then declaration order; an
// unknown index makes the order unknown.
func TestSingleRuleOrder(t *testing.T) {
	rule := func(name string, line int, idx cty.Value, cidr string) *tfinst.Instance {
		attrs := map[string]cty.Value{"security_group_id": ref("tencentcloud_security_group.a"), "type": s("ingress"),
			"cidr_ip": s(cidr), "policy": s("ACCEPT"), "ip_protocol": s("TCP"), "port_range": s("22")}
		if idx != cty.NilVal {
			attrs["policy_index"] = idx
		}
		return inst("tencentcloud_security_group_rule", name, line, attrs)
	}
	e := build(t, sg("a", 1),
		rule("c", 10, cty.NilVal, "10.0.0.3/32"),
		rule("b", 20, cty.NumberIntVal(1), "10.0.0.2/32"),
		rule("a", 30, cty.NumberIntVal(0), "10.0.0.1/32"),
		rule("d", 40, cty.NilVal, "10.0.0.4/32"),
	)
	var got []string
	for _, r := range e.Groups["tencentcloud_security_group.a"].Rules {
		got = append(got, r.ID)
	}
	same(t, "order", got, []string{"tencentcloud_security_group_rule.a", "tencentcloud_security_group_rule.b",
		"tencentcloud_security_group_rule.c", "tencentcloud_security_group_rule.d"})
	e = build(t, sg("a", 1), rule("x", 10, unknown("var.i has no value"), "10.0.0.1/32"))
	if g := e.Groups["tencentcloud_security_group.a"]; !strings.Contains(g.RulesUnknown, "policy_index") {
		t.Errorf("unknown policy_index: %q", g.RulesUnknown)
	}
	_, err := tfmap.Build([]*tfinst.Instance{sg("a", 1), inst("tencentcloud_security_group_rule", "y", 7, map[string]cty.Value{
		"security_group_id": ref("tencentcloud_security_group.a"), "type": s("inbound"), "cidr_ip": s("10.0.0.0/8"), "policy": s("ACCEPT")})}, "")
	if err == nil || err.Error() != `plan.json:7: type "inbound": expected ingress or egress` {
		t.Errorf("error %v", err)
	}
}

// TestClusterDefaults: what TKE decides when the configuration does not
// say: workers without groups get TKE's default group, whose rules are
// not known; VPC-CNI pods live in the ENI subnets; a node pool names its
// cluster by a literal id.
func TestClusterDefaults(t *testing.T) {
	e := build(t,
		inst("tencentcloud_vpc", "v", 1, map[string]cty.Value{"cidr_block": s("10.0.0.0/16"), "assistant_cidrs": strs("10.1.0.0/16")}),
		inst("tencentcloud_subnet", "eni", 2, map[string]cty.Value{"vpc_id": ref("tencentcloud_vpc.v"), "cidr_block": s("10.1.0.0/20")}),
		inst("tencentcloud_kubernetes_cluster", "c", 3, map[string]cty.Value{
			"vpc_id": ref("tencentcloud_vpc.v"), "network_type": s("VPC-CNI"), "eni_subnet_ids": cty.TupleVal([]cty.Value{ref("tencentcloud_subnet.eni")}),
			"cluster_internet": cty.True, "managed_cluster_internet_security_policies": strs("198.51.100.0/24"),
			"worker_config": blocks(obj(map[string]cty.Value{"instance_type": s("S5.LARGE8")})),
		}),
		inst("tencentcloud_kubernetes_node_pool", "other", 9, map[string]cty.Value{"cluster_id": s("cls-abcd1234"), "name": s("np")}),
	)
	c := cluster(t, e, "tencentcloud_kubernetes_cluster.c")
	if c.NetworkMode != "VPC-CNI" || fmt.Sprint(c.Networks.VPC, c.Networks.Pods) != "[10.0.0.0/16 10.1.0.0/16] [10.1.0.0/20]" {
		t.Errorf("cluster = %+v", c)
	}
	same(t, "members", members(c), []string{
		"control-plane/internet-endpoint api-endpoint groups=tencentcloud_kubernetes_cluster.c.managed_cluster_internet_security_policies addrs=0.0.0.0/0 @ plan.json:3 (tencentcloud_kubernetes_cluster.c)",
		"nodes/workers worker groups= unknown addrs= @ plan.json:3 (tencentcloud_kubernetes_cluster.c)",
	})
	if why := c.Members[1].GroupsUnknown; !strings.Contains(why, "tke-worker-security-for-<cluster id>") {
		t.Errorf("workers without groups: %q", why)
	}
	acl := e.Groups["tencentcloud_kubernetes_cluster.c.managed_cluster_internet_security_policies"]
	if acl == nil || !acl.Implicit || len(acl.Rules) != 1 || acl.Rules[0].Services.String() != "tcp/443" || acl.Rules[0].Peer.String() != "198.51.100.0/24" {
		t.Errorf("access list = %+v", acl)
	}
	other := cluster(t, e, "cls-abcd1234")
	if len(other.Members) != 1 || !strings.Contains(other.Members[0].GroupsUnknown, "tencentcloud_kubernetes_node_pool.other") {
		t.Errorf("undeclared cluster = %+v", other.Members[0])
	}
	if !strings.Contains(strings.Join(e.Notes, "\n"), "cluster cls-abcd1234 is not declared") {
		t.Errorf("notes = %q", e.Notes)
	}

	// A cluster without nodes in the configuration: a note, no member.
	e = build(t, inst("tencentcloud_kubernetes_cluster", "bare", 1, map[string]cty.Value{"cluster_name": s("bare"), "cluster_cidr": s("172.16.0.0/16")}))
	if c := cluster(t, e, "bare"); len(c.Members) != 0 || !strings.Contains(strings.Join(e.Notes, "\n"), "declares no nodes") {
		t.Errorf("members %v notes %q", c.Members, e.Notes)
	}
	_, err := tfmap.Build([]*tfinst.Instance{inst("tencentcloud_kubernetes_cluster", "x", 4, map[string]cty.Value{"network_type": s("Flannel")})}, "")
	if err == nil || !strings.Contains(err.Error(), `plan.json:4: network_type "Flannel": expected GR, VPC-CNI, CiliumOverlay`) {
		t.Errorf("error %v", err)
	}
}

// TestCLB: a CLB is a load-balancer member of the one cluster in its VPC;
// one without groups has none.
func TestCLB(t *testing.T) {
	e := build(t,
		inst("tencentcloud_vpc", "v", 1, map[string]cty.Value{"cidr_block": s("10.0.0.0/16")}),
		inst("tencentcloud_kubernetes_cluster", "c", 3, map[string]cty.Value{"cluster_name": s("c"), "vpc_id": ref("tencentcloud_vpc.v")}),
		inst("tencentcloud_clb_instance", "open", 5, map[string]cty.Value{"clb_name": s("web"), "network_type": s("OPEN"), "vpc_id": ref("tencentcloud_vpc.v")}),
		inst("tencentcloud_clb_instance", "elsewhere", 7, map[string]cty.Value{"network_type": s("INTERNAL"), "vpc_id": s("vpc-abcd1234")}),
	)
	c := cluster(t, e, "c")
	if len(c.Members) != 1 || c.Members[0].Qualified() != "load-balancer/web" || len(c.Members[0].Groups) != 0 || c.Members[0].GroupsUnknown != "" {
		t.Errorf("members = %v", members(c))
	}
	if len(e.LoadBalancers) != 2 || e.LoadBalancers[0].Scheme != "internet-facing" || e.LoadBalancers[1].Cluster != "" {
		t.Errorf("load balancers = %+v %+v", e.LoadBalancers[0], e.LoadBalancers[1])
	}
}
