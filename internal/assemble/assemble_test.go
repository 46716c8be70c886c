package assemble

import (
	"testing"

	"github.com/clusterwall/clusterwall/internal/knowledge"
	"github.com/clusterwall/clusterwall/internal/model"
)

func TestRoleTags(t *testing.T) {
	e := model.NewEstate()
	e.Groups["sg-n"] = &model.Group{ID: "sg-n", Name: "nodes", Provider: model.AWS, Tags: map[string]string{TagRole: "nodes", TagCluster: "prod"}}
	e.Groups["sg-c"] = &model.Group{ID: "sg-c", Name: "cp", Provider: model.AWS, Tags: map[string]string{TagRole: "control-plane", TagCluster: "prod"}}
	e.Groups["sg-x"] = &model.Group{ID: "sg-x", Provider: model.AWS}
	if err := Apply(e, knowledge.MustLoad(), Options{}); err != nil {
		t.Fatal(err)
	}
	c := e.Cluster("prod")
	if c == nil || len(c.MembersOf(model.RoleNodes)) != 1 || len(c.MembersOf(model.RoleControlPlane)) != 1 {
		t.Fatalf("cluster = %+v", c)
	}
	if c.MembersOf(model.RoleNodes)[0].Name != "nodes" {
		t.Errorf("member name = %q", c.MembersOf(model.RoleNodes)[0].Name)
	}
}

func TestParseRole(t *testing.T) {
	for in, want := range map[string]RoleOverride{
		"nodes=sg-1":                         {Role: "nodes", Group: "sg-1"},
		"prod:nodes/ng1=sg-1":                {Cluster: "prod", Role: "nodes/ng1", Group: "sg-1"},
		"monitoring=aws_security_group.prom": {Role: "monitoring", Group: "aws_security_group.prom"},
	} {
		got, err := ParseRole(in)
		if err != nil || got != want {
			t.Errorf("ParseRole(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, bad := range []string{"nodes", "=sg-1", "internet=sg-1", "vpc=sg-1"} {
		if _, err := ParseRole(bad); err == nil {
			t.Errorf("ParseRole(%q) accepted", bad)
		}
	}
}
