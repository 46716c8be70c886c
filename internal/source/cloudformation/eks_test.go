package cloudformation

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/clusterwall/clusterwall/internal/model"
	"github.com/clusterwall/clusterwall/internal/source/input"
)

func mustRead(t *testing.T, doc string) *model.Estate {
	t.Helper()
	e, err := readString(t, "t.yaml", doc)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func onlyCluster(t *testing.T, e *model.Estate) *model.Cluster {
	t.Helper()
	if len(e.Clusters) != 1 {
		t.Fatalf("clusters = %d", len(e.Clusters))
	}
	return e.Clusters[0]
}

func TestLegacyCluster(t *testing.T) {
	c := onlyCluster(t, mustRead(t, `
Resources:
  Cp:
    Type: AWS::EC2::SecurityGroup
    Properties: {GroupDescription: control plane}
  Old:
    Type: AWS::EKS::Cluster
    Properties:
      Name: old
      Version: "1.13"
      ResourcesVpcConfig: {SecurityGroupIds: [!Ref Cp], SubnetIds: [subnet-1]}
`))
	if !c.Legacy || c.ClusterGroup != "" {
		t.Errorf("cluster = %+v", c)
	}
	if cp := member(t, c, "control-plane"); !slices.Equal(cp.Groups, []string{"Cp"}) {
		t.Errorf("control plane = %+v", cp)
	}
	// Without SecurityGroupIds the control plane gets the VPC default group.
	c = onlyCluster(t, mustRead(t, "Resources:\n  Old:\n    Type: AWS::EKS::Cluster\n    Properties: {Name: old, Version: '1.12'}\n"))
	if cp := member(t, c, "control-plane"); cp.GroupsUnknown == "" || len(cp.Groups) > 0 {
		t.Errorf("control plane = %+v", cp)
	}
}

func TestManagedNodeGroupDefaultsAndRemoteAccess(t *testing.T) {
	e := mustRead(t, `
Resources:
  K:
    Type: AWS::EKS::Cluster
    Properties:
      Name: k
      ResourcesVpcConfig: {SubnetIds: [subnet-1], EndpointPublicAccess: false, EndpointPrivateAccess: true}
      KubernetesNetworkConfig: {IpFamily: ipv6}
  Plain:
    Type: AWS::EKS::Nodegroup
    Properties: {ClusterName: !Ref K, NodegroupName: plain}
  Ssh:
    Type: AWS::EKS::Nodegroup
    Properties:
      ClusterName: k
      NodegroupName: ssh
      RemoteAccess: {Ec2SshKey: my-key}
  Bastion:
    Type: AWS::EC2::SecurityGroup
    Properties: {GroupDescription: bastion}
  SshFromBastion:
    Type: AWS::EKS::Nodegroup
    Properties:
      ClusterName: k
      NodegroupName: ssh-bastion
      RemoteAccess: {Ec2SshKey: my-key, SourceSecurityGroups: [!Ref Bastion]}
  EmptyLT:
    Type: AWS::EC2::LaunchTemplate
    Properties: {LaunchTemplateData: {MetadataOptions: {HttpTokens: required}}}
  WithEmptyLT:
    Type: AWS::EKS::Nodegroup
    Properties: {ClusterName: k, NodegroupName: empty-lt, LaunchTemplate: {Id: !Ref EmptyLT}}
  ExternalLT:
    Type: AWS::EKS::Nodegroup
    Properties: {ClusterName: k, NodegroupName: external-lt, LaunchTemplate: {Id: lt-0123456789abcdef0}}
  Pods:
    Type: AWS::EKS::FargateProfile
    Properties: {ClusterName: k, FargateProfileName: serverless, Selectors: [{Namespace: default}]}
  Cni:
    Type: AWS::EKS::Addon
    Properties: {ClusterName: !Ref K, AddonName: VPC-CNI, AddonVersion: v1.18.0-eksbuild.1}
`)
	c := onlyCluster(t, e)
	const cg = "K.ClusterSecurityGroupId"
	if !c.IPv6 || c.Endpoint.Public != model.No || c.Endpoint.Private != model.Yes || len(c.Endpoint.PublicCIDRs) != 0 {
		t.Errorf("cluster = %+v", c)
	}
	if m := member(t, c, "nodes/plain"); !slices.Equal(m.Groups, []string{cg}) {
		t.Errorf("plain = %+v", m)
	}
	if m := member(t, c, "nodes/ssh"); !slices.Equal(m.Groups, []string{cg, "Ssh.RemoteAccessSecurityGroup"}) {
		t.Errorf("ssh = %+v", m)
	}
	hasRules(t, rulesOf(t, e, "Ssh.RemoteAccessSecurityGroup"), "in tcp/22 0.0.0.0/0", "out all 0.0.0.0/0")
	if g := e.Groups["Ssh.RemoteAccessSecurityGroup"]; !g.Implicit {
		t.Errorf("remote access group = %+v", g)
	}
	hasRules(t, rulesOf(t, e, "SshFromBastion.RemoteAccessSecurityGroup"), "in tcp/22 Bastion")
	if m := member(t, c, "nodes/empty-lt"); !slices.Equal(m.Groups, []string{cg}) {
		t.Errorf("empty launch template = %+v", m)
	}
	if m := member(t, c, "nodes/external-lt"); m.GroupsUnknown == "" || !strings.Contains(m.GroupsUnknown, "lt-0123456789abcdef0") {
		t.Errorf("external launch template = %+v", m)
	}
	if m := member(t, c, "nodes/serverless"); m.Kind != "fargate" || !slices.Equal(m.Groups, []string{cg}) {
		t.Errorf("fargate = %+v", m)
	}
	if len(c.AddOns) != 1 || c.AddOns[0].Name != "vpc-cni" || c.AddOns[0].Version != "v1.18.0-eksbuild.1" {
		t.Errorf("add-ons = %+v", c.AddOns)
	}
}

func TestSelfManagedNodes(t *testing.T) {
	for _, lcType := range []string{"AWS::AutoScaling::LaunchConfiguration", "AWS::EC2::LaunchConfiguration"} {
		e := mustRead(t, `
Resources:
  K:
    Type: AWS::EKS::Cluster
    Properties: {Name: k}
  Nodes:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: nodes
      GroupName: k-nodes
      Tags: [{Key: kubernetes.io/cluster/k, Value: owned}]
  ByConfig:
    Type: AWS::AutoScaling::AutoScalingGroup
    Properties:
      AutoScalingGroupName: by-config
      LaunchConfigurationName: !Ref Config
  Config:
    Type: `+lcType+`
    Properties: {SecurityGroups: [k-nodes, sg-0123456789abcdef0]}
  Mixed:
    Type: AWS::AutoScaling::AutoScalingGroup
    Properties:
      Tags: [{Key: Name, Value: mixed-nodes, PropagateAtLaunch: true}]
      MixedInstancesPolicy:
        LaunchTemplate:
          LaunchTemplateSpecification: {LaunchTemplateName: k-template, Version: "1"}
  Template:
    Type: AWS::EC2::LaunchTemplate
    Properties:
      LaunchTemplateName: k-template
      LaunchTemplateData:
        NetworkInterfaces:
          - {DeviceIndex: 0, Groups: [!Ref Nodes, !GetAtt K.ClusterSecurityGroupId]}
          - {DeviceIndex: 1, Groups: [sg-0fffffffffffffff0]}
  Bastion:
    Type: AWS::AutoScaling::AutoScalingGroup
    Properties: {AutoScalingGroupName: bastion, LaunchTemplate: {LaunchTemplateName: bastion}}
`)
		c := onlyCluster(t, e)
		if m := member(t, c, "nodes/by-config"); !slices.Equal(m.Groups, []string{"Nodes", "sg-0123456789abcdef0"}) || m.Kind != "self-managed" {
			t.Errorf("%s: by-config = %+v", lcType, m)
		}
		if m := member(t, c, "nodes/mixed-nodes"); !slices.Equal(m.Groups, []string{"Nodes", "K.ClusterSecurityGroupId"}) {
			t.Errorf("mixed = %+v", m)
		}
		if len(c.MembersOf(model.RoleNodes)) != 2 {
			t.Errorf("the bastion group is not tied to the cluster, yet nodes = %d", len(c.MembersOf(model.RoleNodes)))
		}
		if g := e.Groups["sg-0123456789abcdef0"]; g == nil || g.RulesUnknown == "" {
			t.Errorf("literal group = %+v", g)
		}
	}
}

func TestTaggedGroupsAndManagedFallback(t *testing.T) {
	// No node group: groups tagged for the cluster stand for the nodes.
	c := onlyCluster(t, mustRead(t, `
Resources:
  K:
    Type: AWS::EKS::Cluster
    Properties: {Name: k}
  Workers:
    Type: AWS::EC2::SecurityGroup
    Properties: {GroupDescription: w, Tags: [{Key: kubernetes.io/cluster/k, Value: shared}]}
`))
	if m := member(t, c, "nodes/Workers"); m.Kind != "tagged-group" {
		t.Errorf("tagged = %+v", m)
	}
	// Nothing at all: managed nodes with the cluster group, and a note.
	e := mustRead(t, "Resources:\n  K:\n    Type: AWS::EKS::Cluster\n    Properties: {Name: k}\n")
	if m := member(t, onlyCluster(t, e), "nodes/managed"); !slices.Equal(m.Groups, []string{"K.ClusterSecurityGroupId"}) {
		t.Errorf("fallback = %+v", m)
	}
	if !slices.ContainsFunc(e.Notes, func(n string) bool { return strings.Contains(n, "declares no nodes") }) {
		t.Errorf("notes = %v", e.Notes)
	}
}

func TestLoadBalancerMember(t *testing.T) {
	e := mustRead(t, `
Resources:
  K:
    Type: AWS::EKS::Cluster
    Properties: {Name: k}
  Alb:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: alb
      SecurityGroupIngress: [{IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 0.0.0.0/0}]
  Nodes:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: nodes
      Tags: [{Key: kubernetes.io/cluster/k, Value: owned}]
      SecurityGroupIngress: [{IpProtocol: tcp, FromPort: 30000, ToPort: 32767, SourceSecurityGroupId: !Ref Alb}]
  Lb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties: {Name: web, SecurityGroups: [!Ref Alb], Subnets: [!Ref S]}
  Other:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties: {Name: unrelated, Type: network, Scheme: internal, SecurityGroups: [sg-0aaaaaaaaaaaaaaa0]}
  S:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref V, CidrBlock: 10.0.1.0/24}
  V:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.0.0.0/16}
  V6:
    Type: AWS::EC2::VPCCidrBlock
    Properties: {VpcId: !Ref V, Ipv6CidrBlock: "2001:db8:1::/56"}
  V2:
    Type: AWS::EC2::VPCCidrBlock
    Properties: {VpcId: !Ref V, CidrBlock: 100.64.0.0/16}
`)
	c := onlyCluster(t, e)
	m := member(t, c, "load-balancer/web")
	if !slices.Equal(m.Groups, []string{"Alb"}) || m.Kind != "application" {
		t.Errorf("balancer = %+v", m)
	}
	if len(c.MembersOf(model.RoleLoadBalancer)) != 1 || len(e.LoadBalancers) != 2 {
		t.Errorf("balancers: members %d, estate %d", len(c.MembersOf(model.RoleLoadBalancer)), len(e.LoadBalancers))
	}
	if lb := e.LoadBalancers[0]; lb.VPC != "V" || lb.Cluster != "k" || lb.Scheme != "internet-facing" {
		t.Errorf("balancer = %+v", lb)
	}
	if v := e.VPCs["V"]; !slices.Equal(v.CIDRs, prefixes("10.0.0.0/16", "100.64.0.0/16", "2001:db8:1::/56")) {
		t.Errorf("VPC = %+v", v)
	}
}

func TestRulePeersAndProtocols(t *testing.T) {
	e := mustRead(t, `
Resources:
  G:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: g
      GroupName: app
      Tags: [{Key: Name, Value: app-tag}]
      SecurityGroupIngress:
        - {IpProtocol: icmp, FromPort: 8, ToPort: -1, CidrIp: 10.0.0.0/8}
        - {IpProtocol: icmpv6, FromPort: -1, ToPort: -1, CidrIpv6: "2001:db8::/32"}
        - {IpProtocol: 50, CidrIp: 10.0.0.0/8}
        - {IpProtocol: "17", FromPort: "53", ToPort: "53", CidrIp: 10.0.0.5}
        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, SourcePrefixListId: pl-0123456789abcdef0}
        - {IpProtocol: tcp, FromPort: 80, ToPort: 80, SourcePrefixListId: !Ref Office}
        - {IpProtocol: tcp, FromPort: 8080, ToPort: 8080, SourceSecurityGroupName: other}
        - {IpProtocol: tcp, FromPort: 8081, ToPort: 8081, SourceSecurityGroupName: nowhere}
        - {IpProtocol: -1, SourceSecurityGroupId: !GetAtt Vpc.DefaultSecurityGroup}
      SecurityGroupEgress:
        - {IpProtocol: tcp, FromPort: 443, ToPort: 443, DestinationPrefixListId: pl-0123456789abcdef0}
  O:
    Type: AWS::EC2::SecurityGroup
    Properties: {GroupDescription: o, GroupName: other}
  Office:
    Type: AWS::EC2::PrefixList
    Properties:
      PrefixListName: office
      AddressFamily: IPv4
      MaxEntries: 2
      Entries: [{Cidr: 198.51.100.0/24}, {Cidr: 203.0.113.0/24}]
  Vpc:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.0.0.0/16}
`)
	hasRules(t, rulesOf(t, e, "G"),
		"in icmp/8 10.0.0.0/8",
		"in icmpv6 2001:db8::/32",
		"in 50 10.0.0.0/8",
		"in udp/53 10.0.0.5/32",
		"in tcp/22 pl-0123456789abcdef0",
		"in tcp/80 Office",
		"in tcp/8080 O",
		"in tcp/8081 nowhere",
		"in all Vpc.DefaultSecurityGroup",
		"out tcp/443 pl-0123456789abcdef0")
	g := e.Groups["G"]
	if g.Name != "app" || !slices.Equal(g.Aliases, []string{"app", "app-tag"}) {
		t.Errorf("group = %+v", g)
	}
	if set := e.AddressSets["Office"]; set == nil || !slices.Equal(set.Prefixes, prefixes("198.51.100.0/24", "203.0.113.0/24")) || set.Name != "office" {
		t.Errorf("prefix list = %+v", set)
	}
	if set := e.AddressSets["pl-0123456789abcdef0"]; set == nil || set.Unknown == "" {
		t.Errorf("external prefix list = %+v", set)
	}
	for _, key := range []string{"nowhere", "Vpc.DefaultSecurityGroup"} {
		if g := e.Groups[key]; g == nil || g.RulesUnknown == "" {
			t.Errorf("%s = %+v", key, g)
		}
	}
}

func TestUnknownPortsAreAnUpperBound(t *testing.T) {
	e := mustRead(t, `
Parameters:
  Port: {Type: Number}
  Proto: {Type: String}
Resources:
  G:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: g
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: !Ref Port, ToPort: !Ref Port, CidrIp: 10.0.0.0/8}
        - {IpProtocol: !Ref Proto, FromPort: 1, ToPort: 2, CidrIp: 10.0.0.0/8}
`)
	hasRules(t, rulesOf(t, e, "G"),
		"in tcp 10.0.0.0/8 ?FromPort parameter Port has no Default…",
		"in all 10.0.0.0/8 ?IpProtocol parameter Proto has no Default…")
}

func TestUndecidedGroupAndTarget(t *testing.T) {
	e := mustRead(t, `
Parameters:
  Mode: {Type: String}
Conditions:
  A: !Equals [!Ref Mode, a]
Resources:
  Maybe:
    Type: AWS::EC2::SecurityGroup
    Condition: A
    Properties:
      GroupDescription: exists only in mode a
      SecurityGroupIngress: [{IpProtocol: tcp, FromPort: 1, ToPort: 1, CidrIp: 10.0.0.0/8}]
  X:
    Type: AWS::EC2::SecurityGroup
    Properties: {GroupDescription: x}
  Y:
    Type: AWS::EC2::SecurityGroup
    Properties: {GroupDescription: y}
  ToXOrY:
    Type: AWS::EC2::SecurityGroupIngress
    Properties: {GroupId: !If [A, !Ref X, !Ref Y], IpProtocol: tcp, FromPort: 2, ToPort: 2, CidrIp: 10.0.0.0/8}
  NoTarget:
    Type: AWS::EC2::SecurityGroupIngress
    Properties: {GroupId: !GetAtt Custom.GroupId, IpProtocol: tcp, FromPort: 3, ToPort: 3, CidrIp: 10.0.0.0/8}
  Custom:
    Type: Custom::Thing
`)
	hasRules(t, rulesOf(t, e, "Maybe"),
		"in tcp/1 10.0.0.0/8 ?the rule exists only if condition A is true…",
		"out all 0.0.0.0/0 ?the rule exists only if condition A is true…")
	hasRules(t, rulesOf(t, e, "X"), "in tcp/2 10.0.0.0/8 ?the rule exists only if condition A is true…")
	hasRules(t, rulesOf(t, e, "Y"), "in tcp/2 10.0.0.0/8 ?the rule exists only if condition A is false…")
	if !slices.ContainsFunc(e.Notes, func(n string) bool {
		return strings.Contains(n, "NoTarget adds a rule to a security group the input does not decide")
	}) {
		t.Errorf("notes = %v", e.Notes)
	}
}

func TestSameLogicalIDInTwoTemplates(t *testing.T) {
	data, err := readFixtureData("classic/amazon-eks-nodegroup.yaml")
	if err != nil {
		t.Fatal(err)
	}
	e, err := Read([]input.File{{Path: "ng/blue.yaml", Data: data}, {Path: "ng/green.yaml", Data: data}})
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"blue.NodeSecurityGroup", "green.NodeSecurityGroup", "blue.ClusterControlPlaneSecurityGroup"} {
		if e.Groups[key] == nil {
			t.Errorf("no group %s in %v", key, groupKeys(e))
		}
	}
	if e.Groups["NodeSecurityGroup"] != nil {
		t.Error("an unqualified key for a logical ID two templates use")
	}
	if !slices.Contains(e.Groups["blue.NodeSecurityGroup"].Aliases, "NodeSecurityGroup") {
		t.Errorf("aliases = %v", e.Groups["blue.NodeSecurityGroup"].Aliases)
	}
	hasRules(t, rulesOf(t, e, "green.NodeSecurityGroup"), "in all green.NodeSecurityGroup", "in tcp/443 green.ClusterControlPlaneSecurityGroup")
	// ClusterName is a parameter in both: two clusters, told apart by file.
	if len(e.Clusters) != 2 || e.Clusters[0].Name != "${ClusterName} (ng/blue.yaml)" {
		t.Errorf("clusters = %v, %v", e.Clusters[0].Name, e.Clusters[1].Name)
	}
}

func readFixtureData(p string) ([]byte, error) {
	return os.ReadFile("testdata/" + p)
}

func TestDetect(t *testing.T) {
	for _, tc := range []struct {
		path, data string
		keys       map[string]bool
		want       bool
	}{
		{"a.yaml", "AWSTemplateFormatVersion: '2010-09-09'\nResources: {}\n", nil, true},
		{"a.yml", "Resources:\n  X:\n    Type: AWS::EC2::SecurityGroup\n", nil, true},
		{"a.template", "Resources:\n  X:\n    Type: 'AWS::S3::Bucket'\n", nil, true},
		{"a.yaml", "Resources:\n  X:\n    Type: Custom::Thing\n", nil, false},
		{"deploy.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n", nil, false},
		{".clusterwall.yaml", "roles:\n  nodes: [sg-1]\n", nil, false},
		{"ci.yml", "on: push\njobs: {}\n", nil, false},
		// Broken YAML that looks like a template is claimed, so that its
		// error is reported instead of the file being skipped.
		{"broken.yaml", "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  X:\n   Type: AWS::EC2::SecurityGroup\n  Properties: [\n", nil, true},
		{"broken.yaml", "Resources:\n  X:\n    Type: AWS::EC2::SecurityGroup\n     Properties: x\n", nil, true},
		{"broken.yaml", "a: [\n", nil, false},
		{"t.json", `{"Resources": {"X": {"Type": "AWS::EC2::VPC"}}}`, map[string]bool{"Resources": true}, true},
		{"t.json", `{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {}}`, map[string]bool{"AWSTemplateFormatVersion": true, "Resources": true}, true},
		{"t.json", `{"SecurityGroups": []}`, map[string]bool{"SecurityGroups": true}, false},
		{"t.json", `{"resource": {"aws_vpc": {}}}`, map[string]bool{"resource": true}, false},
	} {
		if got := Detect(tc.path, []byte(tc.data), tc.keys); got != tc.want {
			t.Errorf("Detect(%s, %q) = %v", tc.path, tc.data, got)
		}
	}
}

func TestDetectJSONThatYAMLRejects(t *testing.T) {
	doc := "{\n\t\"Resources\": {\n\t\t\"X\": {\"Type\": \"AWS::EC2::SecurityGroup\", \"Properties\": {\"GroupDescription\": \"a\\/b\"}}\n\t}\n}\n"
	if !Detect("t.json", []byte(doc), map[string]bool{"Resources": true}) {
		t.Error("not detected")
	}
	e, err := readString(t, "t.json", doc)
	if err != nil || e.Groups["X"].Description != "a/b" {
		t.Errorf("read: %v", err)
	}
}
