package remedy

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/clusterwall/clusterwall/internal/model"
	"github.com/clusterwall/clusterwall/internal/netset"
	"github.com/clusterwall/clusterwall/internal/srcpos"
)

func estate() *model.Estate {
	e := model.NewEstate()
	add := func(g *model.Group) { e.Groups[g.ID] = g }
	add(&model.Group{ID: "aws_security_group.node", Name: "node", Provider: model.AWS, Format: Terraform, Origin: srcpos.Location{File: "sg.tf", Line: 3}})
	add(&model.Group{ID: "aws_security_group.inline", Name: "inline", Provider: model.AWS, Format: Terraform, ExclusiveRules: true, Origin: srcpos.Location{File: "sg.tf", Line: 20}})
	add(&model.Group{ID: "aws_eks_cluster.x.vpc_config[0].cluster_security_group_id", Provider: model.AWS, Format: Terraform, Implicit: true})
	add(&model.Group{ID: "NodeSG", Provider: model.AWS, Format: CloudFormation})
	add(&model.Group{ID: "ControlPlaneSG", Provider: model.AWS, Format: CloudFormation, RulesUnknown: "a parameter"})
	add(&model.Group{ID: "sg-0abc", Provider: model.AWS, Format: AWSCLI})
	add(&model.Group{ID: "sg-5xjpbfn2", Provider: model.Tencent, Format: TencentAPI})
	add(&model.Group{ID: "tencentcloud_security_group.w", Provider: model.Tencent, Format: Terraform, Rules: []model.Rule{
		{Origin: srcpos.Location{Address: "tencentcloud_security_group_rule_set.w"}}}})
	return e
}

func TestSnippets(t *testing.T) {
	e := estate()
	kubelet := netset.Ports(netset.TCP, 10250, 10250)
	fromGroup := func(g string) model.Peer { return model.Peer{Kind: model.PeerGroup, Group: g} }
	for _, tc := range []struct {
		name string
		c    Change
		want []string
	}{
		{"terraform standalone", Change{Group: "aws_security_group.node", Rule: model.Rule{Direction: model.Ingress, Services: kubelet,
			Peer: fromGroup("aws_eks_cluster.x.vpc_config[0].cluster_security_group_id"), Description: "kubelet (EKS-REQ-KUBELET)"}},
			[]string{`resource "aws_vpc_security_group_ingress_rule" "node_ingress_tcp_10250" {`, `security_group_id = aws_security_group.node.id`,
				`referenced_security_group_id = aws_eks_cluster.x.vpc_config[0].cluster_security_group_id`, `ip_protocol = "tcp"`, `from_port = 10250`}},
		{"terraform inline", Change{Group: "aws_security_group.inline", Rule: model.Rule{Direction: model.Ingress, Services: netset.Ports(netset.UDP, 53, 53),
			Peer: fromGroup("aws_security_group.inline")}},
			[]string{"# add inside aws_security_group.inline (sg.tf:20):", "ingress {", `protocol    = "udp"`, "self        = true"}},
		{"terraform remove", Change{Remove: true, Group: "aws_security_group.inline", Rule: model.Rule{Direction: model.Ingress, Origin: srcpos.Location{File: "sg.tf", Line: 25}}},
			[]string{"# remove the ingress block at sg.tf:25 from aws_security_group.inline"}},
		{"cloudformation parameter peer", Change{Group: "NodeSG", Rule: model.Rule{Direction: model.Ingress, Services: kubelet, Peer: fromGroup("ControlPlaneSG")}},
			[]string{"Type: AWS::EC2::SecurityGroupIngress", "GroupId: !GetAtt NodeSG.GroupId", "SourceSecurityGroupId: !Ref ControlPlaneSG", "FromPort: 10250"}},
		{"aws cli add", Change{Group: "sg-0abc", Rule: model.Rule{Direction: model.Egress, Services: netset.AllServices(),
			Peer: model.Peer{Kind: model.PeerCIDR, Prefix: netip.MustParsePrefix("10.0.0.0/16")}}},
			[]string{`aws ec2 authorize-security-group-egress --group-id sg-0abc --ip-permissions '[{"IpProtocol":"-1","IpRanges":[{"CidrIp":"10.0.0.0/16"}]}]'`}},
		{"aws cli remove by id", Change{Remove: true, Group: "sg-0abc", Rule: model.Rule{Direction: model.Ingress, ID: "sgr-1"}},
			[]string{"aws ec2 revoke-security-group-ingress --group-id sg-0abc --security-group-rule-ids sgr-1"}},
		{"tccli add first", Change{Group: "sg-5xjpbfn2", First: true, Rule: model.Rule{Direction: model.Ingress, Services: netset.Ports(netset.TCP, 30000, 32768),
			Peer: model.Peer{Kind: model.PeerCIDR, Prefix: netip.MustParsePrefix("100.64.0.0/10")}}},
			[]string{"tccli vpc CreateSecurityGroupPolicies --SecurityGroupId sg-5xjpbfn2", `"PolicyIndex":0`, `"Port":"30000-32768"`, `"Protocol":"TCP"`, `"CidrBlock":"100.64.0.0/10"`}},
		{"tccli remove", Change{Remove: true, Group: "sg-5xjpbfn2", Rule: model.Rule{Direction: model.Ingress, ID: "ingress[3]"}},
			[]string{`DeleteSecurityGroupPolicies --SecurityGroupId sg-5xjpbfn2 --SecurityGroupPolicySet '{"Ingress":[{"PolicyIndex":3}]}'`}},
		{"tencent rule set", Change{Group: "tencentcloud_security_group.w", First: true, Rule: model.Rule{Direction: model.Ingress, Services: netset.Ports(netset.UDP, 53, 53),
			Peer: model.Peer{Kind: model.PeerCIDR, Prefix: netip.MustParsePrefix("172.16.0.0/16")}}},
			[]string{"# add as the first ingress block of tencentcloud_security_group_rule_set.w:", `action = "ACCEPT"`, `cidr_block = "172.16.0.0/16"`, `protocol = "UDP"`, `port = "53"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Snippet(e, tc.c)
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("missing %q in\n%s", w, got)
				}
			}
		})
	}
}

func TestAWSDescription(t *testing.T) {
	if got := AWSDescription("nodes → control-plane tcp/443 (EKS-REQ-API) “ok”"); got != "nodes  control-plane tcp/443 (EKS-REQ-API) ok" {
		t.Errorf("got %q", got)
	}
	if got := AWSDescription(strings.Repeat("a", 300)); len(got) != 255 {
		t.Errorf("length %d", len(got))
	}
}
