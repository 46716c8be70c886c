package tfaws_test

import (
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

func strs(ss ...string) cty.Value {
	var vs []cty.Value
	for _, s := range ss {
		vs = append(vs, cty.StringVal(s))
	}
	if len(vs) == 0 {
		return cty.ListValEmpty(cty.String)
	}
	return cty.ListVal(vs)
}

func num(n int64) cty.Value { return cty.NumberIntVal(n) }

// TestServices maps protocols and ports as the AWS provider passes them.
func TestServices(t *testing.T) {
	cases := []struct {
		proto    cty.Value
		from, to cty.Value
		want     string
		unknown  bool
		err      string
	}{
		{cty.StringVal("-1"), num(0), num(0), "all", false, ""},
		{cty.StringVal("all"), cty.NilVal, cty.NilVal, "all", false, ""},
		{cty.StringVal("tcp"), num(443), num(443), "tcp/443", false, ""},
		{cty.StringVal("TCP"), cty.StringVal("80"), cty.StringVal("81"), "tcp/80-81", false, ""},
		{cty.StringVal("6"), num(22), num(22), "tcp/22", false, ""},
		{cty.StringVal("udp"), num(0), num(65535), "udp", false, ""},
		{cty.StringVal("icmp"), num(8), num(-1), "icmp/8", false, ""},
		{cty.StringVal("icmp"), num(-1), num(-1), "icmp", false, ""},
		{cty.StringVal("icmpv6"), num(-1), num(-1), "icmpv6", false, ""},
		{cty.StringVal("50"), num(0), num(0), "50", false, ""},
		{cty.StringVal("tcp"), tfinst.Unknown("var.p has no value"), num(1), "tcp", true, ""},
		{tfinst.Unknown("var.proto has no value"), num(1), num(1), "all", true, ""},
		{cty.StringVal("tcp"), num(443), num(80), "", false, "port range"},
		{cty.StringVal("tcp"), num(0), num(70000), "", false, "port range"},
		{cty.StringVal("bogus"), num(0), num(0), "", false, "protocol"},
	}
	for _, c := range cases {
		attrs := map[string]cty.Value{
			"type": cty.StringVal("ingress"), "security_group_id": cty.StringVal("sg-1"),
			"protocol": c.proto, "cidr_blocks": strs("10.0.0.0/8"),
		}
		if c.from != cty.NilVal {
			attrs["from_port"], attrs["to_port"] = c.from, c.to
		}
		e, err := tfmap.Build([]*tfinst.Instance{inst("aws_security_group_rule", "r", 3, attrs)}, "")
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) || !strings.HasPrefix(err.Error(), "plan.json:3") {
				t.Errorf("%v %v-%v: error %v, want %q at plan.json:3", c.proto, c.from, c.to, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%v: %v", c.proto, err)
			continue
		}
		r := e.Groups["sg-1"].Rules[0]
		if r.Services.String() != c.want || (r.PortsUnknown != "") != c.unknown {
			t.Errorf("%v %v-%v = %s (unknown %q), want %s", c.proto, c.from, c.to, r.Services, r.PortsUnknown, c.want)
		}
	}
}

// TestPlanStyleInstances maps instances whose references are already
// decoded by another evaluator: the mapping does not depend on HCL.
func TestPlanStyleInstances(t *testing.T) {
	cluster := "aws_eks_cluster.c"
	insts := []*tfinst.Instance{
		inst("aws_security_group", "node", 1, map[string]cty.Value{
			"name": cty.StringVal("node"),
			"ingress": cty.TupleVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{
				"protocol": cty.StringVal("tcp"), "from_port": num(10250), "to_port": num(10250),
				"security_groups": cty.TupleVal([]cty.Value{tfinst.RefVal(cluster, "vpc_config[0].cluster_security_group_id")}),
				"cidr_blocks":     cty.ListVal([]cty.Value{cty.UnknownVal(cty.String).Mark(tfinst.Why("aws_eip.x.public_ip is known only after apply"))}),
			})}),
		}),
		inst("aws_eks_cluster", "c", 10, map[string]cty.Value{
			"name": cty.StringVal("c"),
			"vpc_config": cty.TupleVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{
				"endpoint_public_access": cty.False,
				"security_group_ids":     cty.SetValEmpty(cty.String),
			})}),
		}),
		inst("aws_eks_node_group", "ng", 20, map[string]cty.Value{
			"cluster_name":    cty.StringVal("c"),
			"node_group_name": cty.StringVal("ng"),
			"launch_template": cty.TupleVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{"id": tfinst.RefVal("aws_launch_template.lt", "id")})}),
		}),
		inst("aws_launch_template", "lt", 30, map[string]cty.Value{
			"vpc_security_group_ids": cty.TupleVal([]cty.Value{tfinst.RefVal("aws_security_group.node", "id")}),
		}),
		inst("tencentcloud_security_group", "ignored", 40, map[string]cty.Value{}),
	}
	insts[0].Blocks = map[string]srcpos.Location{"ingress[0]": {File: "plan.json", Line: 2}}
	e, err := tfmap.Build(insts, "")
	if err != nil {
		t.Fatal(err)
	}
	g := e.Groups["aws_security_group.node"]
	// One rule per peer: the CIDR blocks first, then the groups.
	if len(g.Rules) != 2 || g.Rules[1].Peer.Group != cluster+".vpc_config[0].cluster_security_group_id" || g.Rules[1].Origin.Line != 2 ||
		g.Rules[0].Peer.Kind != model.PeerUnknown || !strings.Contains(g.Rules[0].Peer.Why, "aws_eip.x.public_ip") {
		t.Errorf("rules = %+v", g.Rules)
	}
	c := e.Clusters[0]
	if c.Endpoint.Public != model.No || len(c.Members) != 2 || c.Members[1].Groups[0] != "aws_security_group.node" {
		t.Errorf("cluster = %+v members %+v", c, c.Members)
	}
	aws := 0
	for _, g := range e.Groups {
		if g.Provider == model.AWS {
			aws++
		}
	}
	if tc := e.Groups["tencentcloud_security_group.ignored"]; aws != 2 || tc == nil || tc.Provider != model.Tencent {
		t.Errorf("groups = %v (tencentcloud_* is the Tencent mapper's, not the AWS mapper's)", e.SortedGroups())
	}
}
