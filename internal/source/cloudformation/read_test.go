package cloudformation

import (
	"errors"
	"fmt"
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

// readFiles reads fixture files (paths under testdata) together; their
// paths in the estate are relative to testdata.
func readFiles(t *testing.T, paths ...string) *model.Estate {
	t.Helper()
	e, err := Read(load(t, paths...))
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func load(t *testing.T, paths ...string) []input.File {
	t.Helper()
	var files []input.File
	for _, p := range paths {
		matches, _ := filepath.Glob(filepath.Join("testdata", p))
		if len(matches) == 0 {
			t.Fatalf("no fixture %s", p)
		}
		for _, m := range matches {
			if info, err := os.Stat(m); err == nil && info.IsDir() {
				entries, _ := os.ReadDir(m)
				for _, e := range entries {
					files = append(files, readFixture(t, filepath.Join(m, e.Name())))
				}
				continue
			}
			files = append(files, readFixture(t, m))
		}
	}
	return files
}

func readFixture(t *testing.T, p string) input.File {
	t.Helper()
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	rel, _ := filepath.Rel("testdata", p)
	return input.File{Path: filepath.ToSlash(rel), Data: data}
}

func readString(t *testing.T, name, doc string) (*model.Estate, error) {
	t.Helper()
	return Read([]input.File{{Path: name, Data: []byte(doc)}})
}

// ruleText prints a rule as the tests expect it: "in tcp/443 from
// 10.0.0.0/8", with "?" and the reason when the rule is not decided.
func ruleText(r model.Rule) string {
	dir := "in"
	if r.Direction == model.Egress {
		dir = "out"
	}
	s := fmt.Sprintf("%s %s %s", dir, r.Services, r.Peer)
	if r.Peer.Kind == model.PeerUnknown {
		s += " ?peer:" + r.Peer.Why
	}
	if r.PortsUnknown != "" {
		s += " ?" + r.PortsUnknown
	}
	return s
}

func rulesOf(t *testing.T, e *model.Estate, group string) []string {
	t.Helper()
	g := e.Groups[group]
	if g == nil {
		t.Fatalf("no group %s; groups: %v", group, groupKeys(e))
	}
	var out []string
	for _, r := range g.Rules {
		out = append(out, ruleText(r))
	}
	return out
}

func groupKeys(e *model.Estate) []string {
	var out []string
	for _, g := range e.SortedGroups() {
		out = append(out, g.ID)
	}
	return out
}

// hasRules checks that each expectation matches a rule: exactly, or as a
// prefix when it ends with "…".
func hasRules(t *testing.T, got []string, want ...string) {
	t.Helper()
	for _, w := range want {
		ok := slices.ContainsFunc(got, func(g string) bool {
			if p, cut := strings.CutSuffix(w, "…"); cut {
				return strings.HasPrefix(g, p)
			}
			return g == w
		})
		if !ok {
			t.Errorf("no rule %q in\n  %s", w, strings.Join(got, "\n  "))
		}
	}
}

func member(t *testing.T, c *model.Cluster, qualified string) *model.Member {
	t.Helper()
	for _, m := range c.Members {
		if m.Qualified() == qualified {
			return m
		}
	}
	var names []string
	for _, m := range c.Members {
		names = append(names, m.Qualified())
	}
	t.Fatalf("cluster %s has no member %s; members: %v", c.Name, qualified, names)
	return nil
}

func prefixes(ss ...string) []netip.Prefix {
	var out []netip.Prefix
	for _, s := range ss {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
}

func TestEKSClusterWithNodeGroupYAML(t *testing.T) {
	e := readFiles(t, "eks-yaml/cluster.yaml")
	checkEKSDemo(t, e, "eks-yaml/cluster.yaml")
}

func TestEKSClusterWithNodeGroupJSON(t *testing.T) {
	// The JSON fixture is tab-indented and uses the escape \/, which
	// yaml.v3 rejects: it goes through the JSON decoder instead.
	e := readFiles(t, "eks-json/cluster.json")
	checkEKSDemo(t, e, "eks-json/cluster.json")
	if d := e.Groups["NodeSecurityGroup"].Description; d != "Security group of the nodes / workers" {
		t.Errorf("description = %q", d)
	}
}

func checkEKSDemo(t *testing.T, e *model.Estate, file string) {
	t.Helper()
	if len(e.Clusters) != 1 {
		t.Fatalf("clusters = %d", len(e.Clusters))
	}
	c := e.Clusters[0]
	if c.Name != "demo" || c.Platform != model.EKS || c.Legacy || c.IPv6 || c.VPC != "Vpc" || c.ClusterGroup != "Cluster.ClusterSecurityGroupId" {
		t.Errorf("cluster = %+v", c)
	}
	if c.Origin.File != file || c.Origin.Address != "Cluster" || c.Origin.Line == 0 {
		t.Errorf("cluster origin = %+v", c.Origin)
	}
	if !slices.Equal(c.Networks.VPC, prefixes("10.20.0.0/16")) {
		t.Errorf("VPC CIDRs = %v", c.Networks.VPC)
	}
	// !Cidr [10.20.0.0/16, 4, 12] gives /20s; the mapping picks 0 and 1.
	if !slices.Equal(c.Networks.Subnets, prefixes("10.20.0.0/20", "10.20.16.0/20")) {
		t.Errorf("subnets = %v", c.Networks.Subnets)
	}
	if !slices.Equal(c.Networks.Services, prefixes("172.20.0.0/16")) {
		t.Errorf("services = %v", c.Networks.Services)
	}
	if c.Endpoint.Public != model.Yes || c.Endpoint.Private != model.Yes || !slices.Equal(c.Endpoint.PublicCIDRs, prefixes("203.0.113.0/24")) {
		t.Errorf("endpoint = %+v", c.Endpoint)
	}
	cp := member(t, c, "control-plane")
	if !slices.Equal(cp.Groups, []string{"Cluster.ClusterSecurityGroupId", "ControlPlaneSecurityGroup"}) || cp.GroupsUnknown != "" {
		t.Errorf("control plane = %+v", cp)
	}
	ng := member(t, c, "nodes/general")
	if !slices.Equal(ng.Groups, []string{"NodeSecurityGroup", "Cluster.ClusterSecurityGroupId"}) || ng.Kind != "managed-node-group" {
		t.Errorf("node group = %+v", ng)
	}
	if len(c.AddOns) != 1 || c.AddOns[0].Name != "coredns" {
		t.Errorf("add-ons = %+v", c.AddOns)
	}
	cg := e.Groups["Cluster.ClusterSecurityGroupId"]
	if cg == nil || !cg.Implicit || cg.Name != "eks-cluster-sg-demo" || cg.Tags["kubernetes.io/cluster/demo"] != "owned" || cg.VPC != "Vpc" {
		t.Errorf("cluster group = %+v", cg)
	}
	node := e.Groups["NodeSecurityGroup"]
	if node.Name != "demo-nodes" || node.VPC != "Vpc" || node.Tags["kubernetes.io/cluster/demo"] != "owned" || !slices.Contains(node.Aliases, "demo-nodes") {
		t.Errorf("node group = %+v", node)
	}
	// The group's own SecurityGroupEgress replaces the default egress.
	hasRules(t, rulesOf(t, e, "NodeSecurityGroup"),
		"in all Cluster.ClusterSecurityGroupId",
		"in all NodeSecurityGroup",
		"in tcp/10250 ControlPlaneSecurityGroup",
		"out all 0.0.0.0/0")
	if n := len(rulesOf(t, e, "NodeSecurityGroup")); n != 4 {
		t.Errorf("node group has %d rules, want 4", n)
	}
	hasRules(t, rulesOf(t, e, "ControlPlaneSecurityGroup"),
		"in tcp/443 203.0.113.0/24",
		"in tcp/443 NodeSecurityGroup",
		"out all 0.0.0.0/0", "out all ::/0")
	for _, r := range e.Groups["NodeSecurityGroup"].Rules {
		if r.Origin.File != file || r.Origin.Line == 0 {
			t.Errorf("rule %s has origin %+v", ruleText(r), r.Origin)
		}
		if r.Peer.Kind == model.PeerGroup && r.Peer.Group == "ControlPlaneSecurityGroup" && (!r.Standalone || r.ID != "ControlPlaneToKubelet" || r.Origin.Address != "ControlPlaneToKubelet") {
			t.Errorf("standalone rule = %+v", r)
		}
	}
}

func TestYAMLAndJSONAgree(t *testing.T) {
	y := readFiles(t, "eks-yaml/cluster.yaml")
	j := readFiles(t, "eks-json/cluster.json")
	if a, b := groupKeys(y), groupKeys(j); !slices.Equal(a, b) {
		t.Fatalf("groups: yaml %v, json %v", a, b)
	}
	for _, k := range groupKeys(y) {
		if a, b := rulesOf(t, y, k), rulesOf(t, j, k); !slices.Equal(a, b) {
			t.Errorf("%s: yaml %v, json %v", k, a, b)
		}
	}
}

func TestEksctlClusterAndNodegroupStacks(t *testing.T) {
	e := readFiles(t, "eksctl")
	if len(e.Clusters) != 1 {
		t.Fatalf("clusters = %+v", e.Clusters)
	}
	c := e.Clusters[0]
	if c.Name != "prod" || c.ClusterGroup != "ControlPlane.ClusterSecurityGroupId" || c.VPC != "VPC" {
		t.Errorf("cluster = %+v", c)
	}
	cp := member(t, c, "control-plane")
	if !slices.Equal(cp.Groups, []string{"ControlPlane.ClusterSecurityGroupId", "ControlPlaneSecurityGroup"}) {
		t.Errorf("control plane = %+v", cp)
	}
	// The managed node group's launch template imports the cluster group.
	ng := member(t, c, "nodes/general")
	if !slices.Equal(ng.Groups, []string{"ControlPlane.ClusterSecurityGroupId"}) || ng.GroupsUnknown != "" {
		t.Errorf("managed node group = %+v", ng)
	}
	// Fn::Split of an imported Fn::Join of subnet references.
	if !slices.Equal(ng.Addrs, prefixes("192.168.64.0/19", "192.168.96.0/19")) {
		t.Errorf("managed node group addresses = %v", ng.Addrs)
	}
	// The self-managed group's launch template is found by its name,
	// ${AWS::StackName} in both places.
	sm := member(t, c, "nodes/prod-workers-Node")
	if !slices.Equal(sm.Groups, []string{"ClusterSharedNodeSecurityGroup", "SG"}) || sm.Kind != "self-managed" {
		t.Errorf("self-managed node group = %+v", sm)
	}
	hasRules(t, rulesOf(t, e, "ControlPlaneSecurityGroup"),
		"out all 0.0.0.0/0", "out all ::/0",
		"out tcp/1025-65535 SG", "out tcp/443 SG", "in tcp/443 SG")
	hasRules(t, rulesOf(t, e, "SG"),
		"in tcp/1025-65535 ControlPlaneSecurityGroup", "in tcp/443 ControlPlaneSecurityGroup", "out all 0.0.0.0/0")
	hasRules(t, rulesOf(t, e, "ClusterSharedNodeSecurityGroup"),
		"in all ClusterSharedNodeSecurityGroup", "in all ControlPlane.ClusterSecurityGroupId")
	hasRules(t, rulesOf(t, e, "ControlPlane.ClusterSecurityGroupId"), "in all ClusterSharedNodeSecurityGroup")
	if g := e.Groups["ControlPlane.ClusterSecurityGroupId"]; !g.Implicit || g.RulesUnknown != "" {
		t.Errorf("cluster group = %+v", g)
	}
	if !slices.ContainsFunc(e.Notes, func(n string) bool { return strings.Contains(n, "taken to be eksctl-prod-cluster") }) {
		t.Errorf("notes = %v", e.Notes)
	}
}

func TestEksctlNodegroupStacksAlone(t *testing.T) {
	e := readFiles(t, "eksctl/eksctl-prod-nodegroup-*.json")
	if len(e.Clusters) != 1 {
		t.Fatalf("clusters = %+v", e.Clusters)
	}
	c := e.Clusters[0]
	const cg, cpsg = "eksctl-prod-cluster::ClusterSecurityGroupId", "eksctl-prod-cluster::SecurityGroup"
	if c.Name != "prod" || c.ClusterGroup != cg {
		t.Errorf("cluster = %+v", c)
	}
	if cp := member(t, c, "control-plane"); !slices.Equal(cp.Groups, []string{cg, cpsg}) {
		t.Errorf("control plane = %+v", cp)
	}
	g := e.Groups[cg]
	if !g.Implicit || g.RulesUnknown == "" {
		t.Errorf("imported cluster group = %+v", g)
	}
	if g := e.Groups[cpsg]; g.RulesUnknown == "" || !strings.Contains(g.RulesUnknown, "Fn::ImportValue") {
		t.Errorf("imported control-plane group = %+v", g)
	}
	hasRules(t, rulesOf(t, e, cpsg), "out tcp/1025-65535 SG", "in tcp/443 SG")
	if sm := member(t, c, "nodes/prod-workers-Node"); !slices.Equal(sm.Groups, []string{"eksctl-prod-cluster::SharedNodeSecurityGroup", "SG"}) {
		t.Errorf("self-managed = %+v", sm)
	}
}

func TestClassicNodeGroupTemplate(t *testing.T) {
	e := readFiles(t, "classic/amazon-eks-nodegroup.yaml")
	if len(e.Clusters) != 1 {
		t.Fatalf("clusters = %+v", e.Clusters)
	}
	c := e.Clusters[0]
	// ClusterName has no Default: the cluster is named by the parameter.
	if c.Name != "${ClusterName}" || c.ClusterGroup != "" || c.Endpoint.Public != model.Unset {
		t.Errorf("cluster = %+v", c)
	}
	cp := member(t, c, "control-plane")
	if !slices.Equal(cp.Groups, []string{"ClusterControlPlaneSecurityGroup"}) {
		t.Errorf("control plane = %+v", cp)
	}
	nodes := c.MembersOf(model.RoleNodes)
	if len(nodes) != 1 || !slices.Equal(nodes[0].Groups, []string{"NodeSecurityGroup"}) || nodes[0].Kind != "self-managed" {
		t.Fatalf("nodes = %+v", nodes)
	}
	g := e.Groups["ClusterControlPlaneSecurityGroup"]
	if g == nil || g.RulesUnknown == "" || !strings.Contains(g.RulesUnknown, "parameter ClusterControlPlaneSecurityGroup") {
		t.Fatalf("parameter group = %+v", g)
	}
	hasRules(t, rulesOf(t, e, "ClusterControlPlaneSecurityGroup"),
		"in tcp/443 NodeSecurityGroup", "out tcp/1025-65535 NodeSecurityGroup", "out tcp/443 NodeSecurityGroup")
	hasRules(t, rulesOf(t, e, "NodeSecurityGroup"),
		"in all NodeSecurityGroup", "in tcp/1025-65535 ClusterControlPlaneSecurityGroup", "in tcp/443 ClusterControlPlaneSecurityGroup",
		"out all 0.0.0.0/0", "out all ::/0")
	if tags := e.Groups["NodeSecurityGroup"].Tags; tags["kubernetes.io/cluster/${ClusterName}"] != "owned" {
		t.Errorf("tags = %v", tags)
	}
}

func TestConditionsAndParameters(t *testing.T) {
	e := readFiles(t, "conditions/app.yaml")
	if e.Groups["DevOnlyGroup"] != nil {
		t.Error("DevOnlyGroup exists although its condition IsDev is false")
	}
	got := rulesOf(t, e, "AppGroup")
	hasRules(t, got,
		// CommaDelimitedList default, Fn::Select, Fn::FindInMap by parameter.
		"in tcp/8080 10.0.0.0/8",
		// Fn::If on a decided condition: only the true branch.
		"in tcp/443 0.0.0.0/0",
		// Fn::If on an undecided condition with AWS::NoValue: a rule that may exist.
		"in tcp/22 198.51.100.0/24 ?the rule exists only if condition SSHEnabled is true (the input does not decide it: parameter EnableSSH has no Default…",
		// A parameter without Default as a peer.
		"in tcp/9100 (unknown) ?peer:CidrIp parameter MonitoringCidr has no Default…",
		// An undecided Fn::If inside a rule: each branch may exist.
		"in tcp/8443 10.1.0.0/16 ?the rule exists only if condition SSHEnabled is true…",
		"in tcp/8443 10.2.0.0/16 ?the rule exists only if condition SSHEnabled is false…",
		// Resource conditions: false And → left out; undecided → may exist.
		"in tcp/2222 192.0.2.0/24 ?the rule exists only if condition ProdAndSSH is true…",
		"in tcp/5005 10.9.0.0/16 ?the rule exists only if condition DevOrSSH is true…",
		// SecurityGroupEgress is AWS::NoValue in prod: the default egress stays.
		"out all 0.0.0.0/0", "out all ::/0")
	for _, r := range got {
		if strings.Contains(r, "tcp/80 ") || strings.HasPrefix(r, "in tcp/22 0.0.0.0/0") || strings.Contains(r, "out all 10.0.0.0/8") {
			t.Errorf("rule %q should not exist", r)
		}
	}
	if len(got) != 10 {
		t.Errorf("%d rules:\n  %s", len(got), strings.Join(got, "\n  "))
	}
}

func TestStandaloneEgressKeepsDefaultEgress(t *testing.T) {
	e := readFiles(t, "default-egress/stack.yaml")
	web := rulesOf(t, e, "Web")
	hasRules(t, web, "out all 0.0.0.0/0", "out all ::/0", "out tcp/5432 Db", "in tcp/443 0.0.0.0/0")
	db := rulesOf(t, e, "Db")
	hasRules(t, db, "out tcp/443 10.0.0.0/8", "in tcp/5432 Web")
	if slices.ContainsFunc(db, func(s string) bool { return strings.HasPrefix(s, "out all") }) {
		t.Errorf("Db lists its own egress, yet has the default: %v", db)
	}
	hasRules(t, rulesOf(t, e, "Empty"), "out all 0.0.0.0/0", "out all ::/0")
	for _, r := range e.Groups["Web"].Rules {
		if r.Direction == model.Egress && r.Peer.Kind == model.PeerCIDR && (r.Standalone || r.Origin.Address != "Web") {
			t.Errorf("default egress rule = %+v", r)
		}
	}
}

func TestImportValueUnknowns(t *testing.T) {
	e := readFiles(t, "importvalue/nodes.yaml")
	got := rulesOf(t, e, "Nodes")
	hasRules(t, got,
		// An import no template exports names a group known by its export.
		"in tcp/22 shared-BastionSecurityGroup",
		// An export name built from a parameter without Default.
		"in tcp/10250 ${NetworkStack}-ControlPlaneSecurityGroup",
		// An imported CIDR is unknown.
		"in tcp/30000-32767 (unknown) ?peer:CidrIp Fn::ImportValue network-AdminCidr: no template of the input exports it")
	if g := e.Groups["Nodes"]; g.VPC != "" {
		t.Errorf("VPC = %q, want unknown", g.VPC)
	}
	for _, key := range []string{"shared-BastionSecurityGroup", "platform-ControlPlaneSecurityGroup"} {
		g := e.Groups[key]
		if g == nil || g.RulesUnknown == "" || g.Implicit {
			t.Errorf("%s = %+v", key, g)
		}
	}
	hasRules(t, rulesOf(t, e, "platform-ControlPlaneSecurityGroup"), "in tcp/443 Nodes")
}

func TestBrokenTemplates(t *testing.T) {
	for _, tc := range []struct{ file, want string }{
		{"broken/syntax.yaml", "broken/syntax.yaml:7:6: invalid YAML: did not find expected key"},
		{"broken/no-type.yaml", "broken/no-type.yaml:7:3: resource NodesSSH has no Type"},
		{"broken/bad-select.yaml", "broken/bad-select.yaml:11:19: Fn::Select: expected [index, list]"},
		{"broken/bad-cidr.json", "broken/bad-cidr.json:9:75: CidrIp: \"10.0.0.300/8\" is not a CIDR block"},
	} {
		_, err := Read(load(t, tc.file))
		var se *srcpos.Error
		if err == nil || !errors.As(err, &se) || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q…", tc.file, err, tc.want)
		}
	}
}

func TestIntrinsicErrors(t *testing.T) {
	for _, tc := range []struct{ name, doc, want string }{
		{"unknown function", "Resources:\n  G:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: !Frobnicate x\n", "x.yaml:5:25: unknown intrinsic function Fn::Frobnicate"},
		{"GetAtt shape", "Resources:\n  G:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      VpcId: !GetAtt Vpc\n", "x.yaml:5:14: Fn::GetAtt: expected LogicalID.Attribute"},
		{"Join shape", "Resources:\n  G:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      VpcId: {\"Fn::Join\": \"x\"}\n", "x.yaml:5:14: Fn::Join: expected [delimiter, [values…]]"},
		{"Ref to nothing", "Resources:\n  G:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      VpcId: !Ref Vcp\n", "x.yaml:5:14: Ref Vcp: the template declares no parameter or resource Vcp"},
		{"Sub of nothing", "Resources:\n  G:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupName: !Sub '${Nam}-nodes'\n", "x.yaml:5:18: Ref Nam: the template declares no parameter or resource Nam"},
		{"GetAtt of nothing", "Resources:\n  G:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      SecurityGroupIngress:\n        - {IpProtocol: tcp, FromPort: 1, ToPort: 1, SourceSecurityGroupId: !GetAtt Clster.ClusterSecurityGroupId}\n", "Fn::GetAtt Clster.ClusterSecurityGroupId: the template declares no resource Clster"},
		{"If condition missing", "Resources:\n  G:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      VpcId: !If [Nope, a, b]\n", "x.yaml:5:19: condition \"Nope\" is not in the Conditions section"},
		{"Sub shape", "Resources:\n  G:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      VpcId: !Sub [a, b, c]\n", "x.yaml:5:14: Fn::Sub: expected a string"},
		{"Select out of range", "Resources:\n  G:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      VpcId: !Select [2, [a, b]]\n", "x.yaml:5:23: Fn::Select: index 2 is out of range"},
		{"condition loop", "Conditions:\n  A: !Condition B\n  B: !Condition A\nResources:\n  G:\n    Type: AWS::EC2::SecurityGroup\n    Condition: A\n", "depends on itself"},
		{"resource without Type", "Resources:\n  G:\n    Properties: {}\n", "x.yaml:2:3: resource G has no Type"},
		{"no Resources", "AWSTemplateFormatVersion: '2010-09-09'\n", "x.yaml:1:1: expected a Resources section"},
		{"rule without protocol", "Resources:\n  G:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      SecurityGroupIngress:\n        - CidrIp: 10.0.0.0/8\n", "x.yaml:6:11: rule without IpProtocol"},
		{"rule without peer", "Resources:\n  G:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      SecurityGroupIngress:\n        - IpProtocol: tcp\n          FromPort: 1\n          ToPort: 2\n", "x.yaml:6:11: rule without a peer"},
		{"bad protocol", "Resources:\n  G:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      SecurityGroupIngress:\n        - {IpProtocol: tcpx, CidrIp: 10.0.0.0/8}\n", "x.yaml:6:24: IpProtocol: unknown protocol"},
		{"list as a peer", "Resources:\n  G:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      SecurityGroupIngress:\n        - {IpProtocol: tcp, CidrIp: [10.0.0.0/8]}\n", "x.yaml:6:37: CidrIp: expected a single value, found a list"},
		{"bad port", "Resources:\n  G:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      SecurityGroupIngress:\n        - {IpProtocol: tcp, FromPort: x, ToPort: 2, CidrIp: 10.0.0.0/8}\n", "x.yaml:6:39: FromPort: expected a whole number"},
	} {
		_, err := readString(t, "x.yaml", tc.doc)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
	}
}
