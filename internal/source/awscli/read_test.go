package awscli

import (
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/clusterwall/clusterwall/internal/model"
	"github.com/clusterwall/clusterwall/internal/source/input"
	"github.com/clusterwall/clusterwall/internal/srcpos"
)

func readDir(t *testing.T, dir string) *model.Estate {
	t.Helper()
	var files []input.File
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, input.File{Path: e.Name(), Data: data})
	}
	e, err := Read(files)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func read(t *testing.T, docs ...string) (*model.Estate, error) {
	t.Helper()
	var files []input.File
	for i, d := range docs {
		files = append(files, input.File{Path: filepathFor(i, d), Data: []byte(d)})
	}
	return Read(files)
}

func filepathFor(i int, doc string) string {
	if strings.Contains(doc, `"Entries"`) {
		return "pl-0123456789abcdef0.json"
	}
	return "f" + string(rune('0'+i)) + ".json"
}

func TestIpPermissionsExpandOnePeerPerRule(t *testing.T) {
	e, err := read(t, `{"SecurityGroups": [{
  "GroupId": "sg-1", "GroupName": "web", "VpcId": "vpc-1",
  "IpPermissions": [{
    "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
    "IpRanges": [{"CidrIp": "0.0.0.0/0"}, {"CidrIp": "10.1.2.3/16", "Description": "office"}],
    "Ipv6Ranges": [{"CidrIpv6": "::/0"}],
    "PrefixListIds": [{"PrefixListId": "pl-0123456789abcdef0"}],
    "UserIdGroupPairs": [{"GroupId": "sg-1", "UserId": "111122223333"}]
  }, {
    "IpProtocol": "icmp", "FromPort": 8, "ToPort": -1, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]
  }, {
    "IpProtocol": "50", "FromPort": 0, "ToPort": 0, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]
  }],
  "IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]
}]}`)
	if err != nil {
		t.Fatal(err)
	}
	g := e.Groups["sg-1"]
	if g == nil || g.Name != "web" || g.VPC != "vpc-1" {
		t.Fatalf("group = %+v", g)
	}
	want := []struct {
		dir  model.Direction
		svcs string
		peer string
		line int
	}{
		{model.Ingress, "tcp/443", "0.0.0.0/0", 5},
		{model.Ingress, "tcp/443", "10.1.0.0/16", 5},
		{model.Ingress, "tcp/443", "::/0", 6},
		{model.Ingress, "tcp/443", "pl-0123456789abcdef0", 7},
		{model.Ingress, "tcp/443", "sg-1", 8},
		{model.Ingress, "icmp/8", "10.0.0.0/8", 10},
		{model.Ingress, "50", "10.0.0.0/8", 12},
		{model.Egress, "all", "0.0.0.0/0", 14},
	}
	if len(g.Rules) != len(want) {
		t.Fatalf("got %d rules, want %d", len(g.Rules), len(want))
	}
	for i, w := range want {
		r := g.Rules[i]
		if r.Direction != w.dir || r.Services.String() != w.svcs || r.Peer.String() != w.peer || r.Origin.Line != w.line {
			t.Errorf("rule %d = %s %s %s line %d, want %s %s %s line %d", i, r.Direction, r.Services, r.Peer, r.Origin.Line, w.dir, w.svcs, w.peer, w.line)
		}
	}
	if g.Rules[1].Description != "office" {
		t.Errorf("description = %q", g.Rules[1].Description)
	}
}

func TestSecurityGroupRulesReplaceIpPermissions(t *testing.T) {
	e, err := read(t,
		`{"SecurityGroups": [{"GroupId": "sg-1", "IpPermissions": [{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]}]}`,
		`{"SecurityGroupRules": [{"SecurityGroupRuleId": "sgr-1", "GroupId": "sg-1", "IsEgress": false, "IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIpv4": "0.0.0.0/0"}]}`)
	if err != nil {
		t.Fatal(err)
	}
	rules := e.Groups["sg-1"].Rules
	if len(rules) != 1 || rules[0].ID != "sgr-1" {
		t.Fatalf("rules = %+v, want the one from describe-security-group-rules", rules)
	}
}

func TestGroupNamedButNotDescribedHasUnknownRules(t *testing.T) {
	e, err := read(t, `{"NetworkInterfaces": [{"NetworkInterfaceId": "eni-1", "Groups": [{"GroupId": "sg-9", "GroupName": "x"}], "PrivateIpAddress": "10.0.0.5"}]}`)
	if err != nil {
		t.Fatal(err)
	}
	if g := e.Groups["sg-9"]; g == nil || g.RulesUnknown == "" {
		t.Fatalf("sg-9 = %+v, want rules unknown", g)
	}
}

// A group listed without its name (describe-network-interfaces may omit
// GroupName) on a CNI interface of a cluster used to crash the reader.
func TestGroupListedWithoutNameHasUnknownRules(t *testing.T) {
	e, err := read(t, `{"NetworkInterfaces": [{"NetworkInterfaceId": "eni-1", "Groups": [{"GroupId": "sg-1"}], "PrivateIpAddress": "10.0.0.1",
  "TagSet": [{"Key": "cluster.k8s.amazonaws.com/name", "Value": "demo"}]}]}`)
	if err != nil {
		t.Fatal(err)
	}
	if g := e.Groups["sg-1"]; g == nil || g.RulesUnknown == "" {
		t.Fatalf("sg-1 = %+v, want rules unknown", g)
	}
	if _, err := read(t, `{"NetworkInterfaces": [{"NetworkInterfaceId": "eni-1", "Groups": [{"GroupName": "x"}]}]}`); err == nil || !strings.Contains(err.Error(), "without GroupId") {
		t.Fatalf("err = %v, want a group without GroupId", err)
	}
}

func TestPrefixListEntriesNeedTheListInTheFileName(t *testing.T) {
	e, err := read(t, `{"Entries": [{"Cidr": "52.94.0.0/22"}, {"Cidr": "54.231.0.0/16"}]}`)
	if err != nil {
		t.Fatal(err)
	}
	set := e.AddressSets["pl-0123456789abcdef0"]
	if set == nil || set.Unknown != "" || len(set.Prefixes) != 2 {
		t.Fatalf("set = %+v", set)
	}
	_, err = Read([]input.File{{Path: "entries.json", Data: []byte(`{"Entries": []}`)}})
	if err == nil || !strings.Contains(err.Error(), "name the file after it") {
		t.Fatalf("err = %v", err)
	}
}

func TestBadInputNamesFileAndLine(t *testing.T) {
	for _, tc := range []struct{ doc, want string }{
		{"{\"SecurityGroups\": [\n  {\"GroupId\": \"sg-1\",}\n]}", "f0.json:2:"},
		{"{\"SecurityGroups\": [{\"GroupId\": \"sg-1\",\n \"IpPermissions\": [{\"IpProtocol\": \"tcpx\"}]}]}", "f0.json:2: IpProtocol"},
		{"{\"SecurityGroups\": [{\"GroupId\": \"sg-1\",\n \"IpPermissions\": [{\"IpProtocol\": \"tcp\", \"FromPort\": 22, \"ToPort\": 22,\n \"IpRanges\": [{\"CidrIp\": \"300.0.0.0/8\"}]}]}]}", "f0.json:2: \"300.0.0.0/8\" is not a CIDR"},
		{"{\"SecurityGroups\": [{\"GroupId\": 7}]}", "f0.json:1:"},
		{"{\"SecurityGroupRules\": [{\"SecurityGroupRuleId\": \"sgr-1\", \"GroupId\": \"sg-1\", \"IpProtocol\": \"tcp\", \"FromPort\": 1, \"ToPort\": 2}]}", "names no peer"},
	} {
		_, err := read(t, tc.doc)
		var se *srcpos.Error
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: err = %v, want %q", tc.doc, err, tc.want)
		} else if !errorsAs(err, &se) {
			t.Errorf("%q: err %T is not a *srcpos.Error", tc.doc, err)
		}
	}
}

func errorsAs(err error, target **srcpos.Error) bool {
	se, ok := err.(*srcpos.Error)
	if ok {
		*target = se
	}
	return ok
}

func TestExampleRoles(t *testing.T) {
	e := readDir(t, "../../../examples/eks-aws-cli")
	if len(e.Clusters) != 1 {
		t.Fatalf("clusters = %d", len(e.Clusters))
	}
	c := e.Clusters[0]
	if c.Name != "demo" || c.ClusterGroup == "" || c.Endpoint.Public != model.Yes || c.Endpoint.Private != model.Yes {
		t.Fatalf("cluster = %+v", c)
	}
	roles := map[string]int{}
	for _, m := range c.Members {
		roles[m.Role]++
		if !m.AddrsExact || m.Interfaces == 0 {
			t.Errorf("member %s: addresses not from its interfaces", m.Qualified())
		}
	}
	if roles[model.RoleControlPlane] != 1 || roles[model.RoleNodes] != 1 || roles[model.RoleLoadBalancer] != 1 {
		t.Errorf("roles = %v", roles)
	}
	cp := c.MembersOf(model.RoleControlPlane)[0]
	if !slices.Contains(cp.Groups, c.ClusterGroup) {
		t.Errorf("control plane groups %v lack the cluster group %s", cp.Groups, c.ClusterGroup)
	}
	if ng := c.MembersOf(model.RoleNodes)[0]; ng.Name != "general" {
		t.Errorf("node group name = %q, want the managed node group's name", ng.Name)
	}
	if len(c.Networks.VPC) == 0 || !c.Networks.VPC[0].Contains(netip.MustParseAddr("10.0.0.1")) {
		t.Errorf("VPC CIDRs = %v", c.Networks.VPC)
	}
}

func TestClusterFromTagsAlone(t *testing.T) {
	e, err := read(t, `{"SecurityGroups": [
 {"GroupId": "sg-c", "GroupName": "eks-cluster-sg-prod-1", "VpcId": "vpc-1",
  "Tags": [{"Key": "aws:eks:cluster-name", "Value": "prod"}, {"Key": "kubernetes.io/cluster/prod", "Value": "owned"}],
  "IpPermissions": [{"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": "sg-c"}]}],
  "IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]},
 {"GroupId": "sg-n", "GroupName": "prod-node", "VpcId": "vpc-1",
  "Tags": [{"Key": "kubernetes.io/cluster/prod", "Value": "owned"}]}
]}`)
	if err != nil {
		t.Fatal(err)
	}
	if len(e.Clusters) != 1 || e.Clusters[0].Name != "prod" || e.Clusters[0].ClusterGroup != "sg-c" {
		t.Fatalf("clusters = %+v", e.Clusters)
	}
	nodes := e.Clusters[0].MembersOf(model.RoleNodes)
	if len(nodes) != 1 || !slices.Equal(nodes[0].Groups, []string{"sg-n"}) {
		t.Fatalf("nodes = %+v, want the tagged node group", nodes)
	}
	if len(e.Notes) == 0 {
		t.Error("no note says the nodes were inferred from tags")
	}
}

func TestServicesConversion(t *testing.T) {
	p := func(n int) *int { return &n }
	for _, tc := range []struct {
		proto    string
		from, to *int
		want     string
	}{
		{"-1", nil, nil, "all"},
		{"tcp", p(0), p(65535), "tcp"},
		{"6", p(22), p(22), "tcp/22"},
		{"udp", p(53), p(53), "udp/53"},
		{"icmp", p(-1), p(-1), "icmp"},
		{"icmp", p(3), p(4), "icmp/3:4"},
		{"icmpv6", p(128), p(-1), "icmpv6/128"},
		{"47", nil, nil, "47"},
	} {
		got, err := services(tc.proto, tc.from, tc.to, srcpos.Location{})
		if err != nil || got.String() != tc.want {
			t.Errorf("services(%s) = %v, %v; want %s", tc.proto, got, err, tc.want)
		}
	}
	if _, err := services("tcp", p(30), p(20), srcpos.Location{}); err == nil {
		t.Error("reversed port range accepted")
	}
}

// Branch interfaces of security groups for pods carry only the pods'
// groups, which nothing tags; the VPC resource controller tags the
// interface itself kubernetes.io/cluster/<name>.
func TestBranchInterfacesAreThePods(t *testing.T) {
	e, err := read(t, `{"cluster": {"name": "payroll", "resourcesVpcConfig": {"clusterSecurityGroupId": "sg-c", "vpcId": "vpc-1"}}}`,
		`{"NetworkInterfaces": [{
  "Description": "aws-k8s-branch-eni", "Groups": [{"GroupId": "sg-pod", "GroupName": "payroll-api-pods"}],
  "InterfaceType": "branch", "NetworkInterfaceId": "eni-b1", "PrivateIpAddress": "10.90.10.30",
  "RequesterId": "AROAVVEP4MR3J7BDQXZCX:eks-vpc-resource-controller", "RequesterManaged": false, "Status": "in-use",
  "SubnetId": "subnet-1", "VpcId": "vpc-1",
  "TagSet": [{"Key": "eks:eni:owner", "Value": "eks-vpc-resource-controller"},
             {"Key": "kubernetes.io/cluster/payroll", "Value": "owned"},
             {"Key": "vpcresources.k8s.aws/trunk-eni-id", "Value": "eni-t1"},
             {"Key": "vpcresources.k8s.aws/vlan-id", "Value": "1"}]}]}`)
	if err != nil {
		t.Fatal(err)
	}
	pods := e.Clusters[0].MembersOf(model.RolePods)
	if len(pods) != 1 || !slices.Equal(pods[0].Groups, []string{"sg-pod"}) {
		t.Fatalf("pods = %+v, want one member with sg-pod", pods)
	}
}

// Without describe-cluster and control-plane interfaces, the control
// plane certainly has the cluster group (tagged aws:eks:cluster-name) but
// may have additional groups the input does not name.
func TestControlPlaneWithoutDescribeClusterMayHaveMoreGroups(t *testing.T) {
	e, err := read(t, `{"SecurityGroups": [{"GroupId": "sg-c", "GroupName": "eks-cluster-sg-ml-1", "VpcId": "vpc-1",
  "Tags": [{"Key": "aws:eks:cluster-name", "Value": "ml"}], "IpPermissions": [], "IpPermissionsEgress": []}]}`)
	if err != nil {
		t.Fatal(err)
	}
	cp := e.Clusters[0].MembersOf(model.RoleControlPlane)
	if len(cp) != 1 || !slices.Equal(cp[0].Groups, []string{"sg-c"}) || cp[0].GroupsMore == "" {
		t.Fatalf("control plane = %+v, want sg-c and maybe more", cp)
	}
}
