package tfinst

import (
	"testing"

	"github.com/zclconf/go-cty/cty"
)

func TestRefRoundTrip(t *testing.T) {
	for _, addr := range []string{
		`aws_security_group.a`, `module.eks.aws_security_group.node[0]`,
		`aws_security_group.x["a.b \"c\""]`, `module.m["k"].aws_eks_cluster.this[0]`,
	} {
		s := Ref(addr, "vpc_config[0].cluster_security_group_id")
		a, attr, ok := ParseRef(s)
		if !ok || a != addr || attr != "vpc_config[0].cluster_security_group_id" {
			t.Errorf("ParseRef(Ref(%q)) = %q %q %v", addr, a, attr, ok)
		}
	}
	for _, s := range []string{"sg-1", "", Ref("a.b", "id") + "x", "x" + Ref("a.b", "id"), Ref("a.b", "id") + Ref("c.d", "id"), "\x00ref\x00\x00id\x00"} {
		if _, _, ok := ParseRef(s); ok {
			t.Errorf("ParseRef(%q) decoded a reference", s)
		}
	}
	mixed := "pre-" + Ref("aws_vpc.a", "id") + "/" + Ref("aws_subnet.b[1]", "arn")
	if got := RefsIn(mixed); len(got) != 2 || got[0] != "aws_vpc.a.id" || got[1] != "aws_subnet.b[1].arn" {
		t.Errorf("RefsIn = %q", got)
	}
	if got := Printable(mixed); got != "pre-${aws_vpc.a.id}/${aws_subnet.b[1].arn}" {
		t.Errorf("Printable = %q", got)
	}
}

func TestAddresses(t *testing.T) {
	cases := []struct {
		module string
		mode   Mode
		key    cty.Value
		want   string
	}{
		{"", Managed, cty.NilVal, "aws_security_group.x"},
		{"", Managed, cty.NumberIntVal(2), "aws_security_group.x[2]"},
		{"module.a", Managed, cty.StringVal(`we"b`), `module.a.aws_security_group.x["we\"b"]`},
		{"", Data, cty.NilVal, "data.aws_security_group.x"},
	}
	for _, c := range cases {
		if got := Address(c.module, c.mode, "aws_security_group", "x", c.key); got != c.want {
			t.Errorf("Address = %q, want %q", got, c.want)
		}
	}
	for in, want := range map[string]string{
		`aws_security_group.x`:                              `aws_security_group.x`,
		`module.a.aws_security_group.x[0]`:                  `aws_security_group.x[0]`,
		`module.a["x.y]"].module.b[3].aws_security_group.x`: `aws_security_group.x`,
		`module.broken["x`:                                  `module.broken["x`,
	} {
		if got := StripModule(in); got != want {
			t.Errorf("StripModule(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestReasonsAndReaders(t *testing.T) {
	v := cty.TupleVal([]cty.Value{cty.StringVal("10.0.0.0/8"), Unknown("var.b has no value"), Unknown("data.x.y is read at apply time")})
	if got := Reason(v); got != "data.x.y is read at apply time; var.b has no value" {
		t.Errorf("Reason = %q", got)
	}
	if WhollyKnown(v) || !Known(v) {
		t.Error("a known tuple with unknown elements")
	}
	elems, known := List(v)
	if !known || len(elems) != 3 {
		t.Fatalf("List = %v %v", elems, known)
	}
	if s, ok := String(elems[0]); !ok || s != "10.0.0.0/8" {
		t.Errorf("String = %q %v", s, ok)
	}
	if _, ok := String(elems[1]); ok {
		t.Error("String of an unknown")
	}
	if n, ok := Int(cty.StringVal("443").Mark(Why("x"))); !ok || n != 443 {
		t.Errorf("Int(\"443\") = %d %v", n, ok)
	}
	if b, ok := Bool(cty.StringVal("true")); !ok || !b {
		t.Error("Bool(\"true\")")
	}
	obj := cty.ObjectVal(map[string]cty.Value{"tags": cty.MapVal(map[string]cty.Value{"b": cty.StringVal("2"), "a": cty.StringVal("1")})})
	tags, known := StringMap(Get(obj, "tags"))
	if !known || tags["a"] != "1" || tags["b"] != "2" {
		t.Errorf("StringMap = %v", tags)
	}
	if Get(obj, "missing") != cty.NilVal || !Absent(Get(obj, "missing")) {
		t.Error("Get of a missing attribute")
	}
	if u := Get(Unknown("why"), "x"); Known(u) || Reason(u) != "why" {
		t.Error("Get on an unknown keeps it unknown with its reason")
	}
}
