package cloudformation

import (
	"fmt"
	"strings"
	"testing"

	"github.com/clusterwall/clusterwall/internal/source/input"
)

// evalOutput evaluates the Value of output Out in a template made of the
// header (Parameters, Conditions, Mappings) and the resources below.
func evalOutput(t *testing.T, header, expr string) (val, error) {
	t.Helper()
	doc := header + `
Resources:
  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties: {GroupDescription: x, VpcId: !Ref Vpc}
  Vpc:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.1.0.0/16}
  Subnet:
    Type: AWS::EC2::Subnet
    Properties: {CidrBlock: 10.1.2.0/24, VpcId: !Ref Vpc}
  Cluster:
    Type: AWS::EKS::Cluster
    Properties: {Name: !Sub "${Env}-k8s"}
  Unnamed:
    Type: AWS::EKS::Cluster
    Properties: {}
Outputs:
  Out:
    Value: ` + expr + "\n"
	tmpl, err := parseTemplate(input.File{Path: "t.yaml", Data: []byte(doc)})
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, doc)
	}
	r := &reader{templates: []*template{tmpl}, collide: map[string]int{}}
	return r.eval(tmpl, tmpl.outputs[0].value, 0)
}

const evalHeader = `
Parameters:
  Env: {Type: String, Default: prod}
  Region: {Type: String}
  Ports: {Type: CommaDelimitedList, Default: "80, 443"}
  Ids: {Type: "List<AWS::EC2::SecurityGroup::Id>"}
  Ami: {Type: "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>", Default: /aws/x}
  Num: {Type: Number, Default: 3}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsDev: !Not [!Condition IsProd]
  InEU: !Equals [!Ref Region, eu-west-1]
  ProdEU: !And [!Condition IsProd, !Condition InEU]
  ProdOrEU: !Or [!Condition IsProd, !Condition InEU]
  DevEU: !And [!Condition IsDev, !Condition InEU]
  SameParam: !Equals [!Ref Region, !Ref Region]
  ListEq: !Equals [!Ref Ports, ["80", "443"]]
Mappings:
  M:
    prod: {Cidr: 10.0.0.0/8, List: [a, b]}
`

func TestEvaluate(t *testing.T) {
	for _, tc := range []struct{ expr, want string }{
		{`!Ref Env`, "prod"},
		{`!Ref Num`, "3"},
		{`!Ref Region`, "${Region}"},
		{`!Ref Ports`, "80,443"},
		{`!Select [1, !Ref Ports]`, "443"},
		{`!Ref Sg`, "${Sg}"},
		{`!GetAtt Sg.GroupId`, "${Sg}"},
		{`!GetAtt [Sg, GroupId]`, "${Sg}"},
		{`!GetAtt Sg.VpcId`, "${Vpc}"},
		{`!GetAtt Vpc.CidrBlock`, "10.1.0.0/16"},
		{`!GetAtt Subnet.CidrBlock`, "10.1.2.0/24"},
		{`!GetAtt Cluster.ClusterSecurityGroupId`, "${Cluster.ClusterSecurityGroupId}"},
		{`!GetAtt Cluster.Endpoint`, "${Cluster.Endpoint}"},
		// Ref of an EKS cluster is its name.
		{`!Ref Cluster`, "prod-k8s"},
		{`!Ref Unnamed`, "${Unnamed}"},
		{`!Ref AWS::Region`, "${AWS::Region}"},
		{`!Ref AWS::StackName`, "${AWS::StackName}"},
		{`!Sub "${Env}-${AWS::Region}-${Sg}-${Vpc.CidrBlock}"`, "prod-${AWS::Region}-${Sg}-10.1.0.0/16"},
		{`!Sub ["${A}/${B}", {A: !Ref Env, B: x}]`, "prod/x"},
		{`!Sub "${!Literal} and ${Env}"`, "${Literal} and prod"},
		{`!Sub "no variables"`, "no variables"},
		{`!Join [",", [a, !Ref Env, !Ref Sg]]`, "a,prod,${Sg}"},
		{`!Join ["", []]`, ""},
		{`!Select [1, !Split [",", !Join [",", [!Ref Sg, !Ref Vpc]]]]`, "${Vpc}"},
		{`!Split [",", "a,b,,c"]`, "a,b,,c"},
		{`!Select [2, !Split [",", "a,b,,c"]]`, ""},
		{`!If [IsProd, yes, no]`, "yes"},
		{`!If [IsDev, yes, no]`, "no"},
		{`!If [IsProd, !Ref AWS::NoValue, no]`, "${unknown}"},
		{`!If [InEU, eu, other]`, "${If:InEU}"},
		{`!If [ProdEU, a, b]`, "${If:ProdEU}"},
		{`!If [ProdOrEU, a, b]`, "a"},
		{`!If [DevEU, a, b]`, "b"},
		{`!If [SameParam, a, b]`, "a"},
		{`!If [ListEq, a, b]`, "a"},
		{`!If [InEU, same, same]`, "same"},
		{`!FindInMap [M, !Ref Env, Cidr]`, "10.0.0.0/8"},
		{`!FindInMap [M, !Ref Env, List]`, "a,b"},
		{`!FindInMap [M, !Ref Region, Cidr]`, "${unknown}"},
		{`!FindInMap [M, dev, Cidr, {DefaultValue: 0.0.0.0/0}]`, "0.0.0.0/0"},
		{`!Cidr [10.0.0.0/16, 3, 8]`, "10.0.0.0/24,10.0.1.0/24,10.0.2.0/24"},
		{`!Select [1, !Cidr ["2001:db8::/56", 2, 64]]`, "2001:db8:0:1::/64"},
		{`!Select [0, !GetAZs ""]`, "${unknown}"},
		{`!ImportValue other-stack-Sg`, "${ImportValue:other-stack-Sg}"},
		{`!Base64 abc`, "YWJj"},
		{`!Ref Ids`, "${unknown}"},
		{`!Ref Ami`, "${unknown}"},
		{`{"Fn::Length": [a, b, c]}`, "3"},
		{`!Equals [a, a]`, "true"},
		{`{"Fn::Sub": "${AWS::StackName}::SecurityGroup"}`, "${AWS::StackName}::SecurityGroup"},
	} {
		v, err := evalOutput(t, evalHeader, tc.expr)
		if err != nil {
			t.Errorf("%s: %v", tc.expr, err)
			continue
		}
		if got := v.render(); got != tc.want {
			t.Errorf("%s = %q, want %q", tc.expr, got, tc.want)
		}
	}
}

func TestEvaluateUnknownSaysWhy(t *testing.T) {
	for _, tc := range []struct{ expr, want string }{
		{`!Ref Region`, "parameter Region has no Default"},
		{`!If [InEU, a, b]`, "depends on condition InEU, which the input does not decide: parameter Region has no Default"},
		{`!Select [0, !GetAZs ""]`, "availability zones"},
		{`!ImportValue x`, "no template of the input exports it"},
		{`!Ref Ami`, "SSM Parameter Store"},
		{`!Ref AWS::AccountId`, "AWS::AccountId is known only when the stack is deployed"},
	} {
		v, err := evalOutput(t, evalHeader, tc.expr)
		if err != nil {
			t.Fatal(err)
		}
		if why := v.whyUnknown(); !strings.Contains(why, tc.want) {
			t.Errorf("%s: why = %q, want %q", tc.expr, why, tc.want)
		}
	}
}

func TestEvaluateLongFormJSON(t *testing.T) {
	v, err := evalOutput(t, evalHeader, `{"Fn::Join": ["-", [{"Ref": "Env"}, {"Fn::Select": ["0", {"Fn::Split": ["/", {"Fn::GetAtt": ["Vpc", "CidrBlock"]}]}]}]]}`)
	if err != nil {
		t.Fatal(err)
	}
	if got := v.render(); got != "prod-10.1.0.0" {
		t.Errorf("got %q", got)
	}
}

func TestAliasesAndMergeKeys(t *testing.T) {
	e, err := readString(t, "a.yaml", `
Resources:
  A:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: a
      SecurityGroupIngress:
        - &https {IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 10.0.0.0/8}
        - <<: *https
          CidrIp: 10.1.0.0/16
  B:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: b
      SecurityGroupIngress: [*https]
`)
	if err != nil {
		t.Fatal(err)
	}
	hasRules(t, rulesOf(t, e, "A"), "in tcp/443 10.0.0.0/8", "in tcp/443 10.1.0.0/16")
	hasRules(t, rulesOf(t, e, "B"), "in tcp/443 10.0.0.0/8")
}

func TestAliasBombIsBounded(t *testing.T) {
	// Each level lists the one before ten times: 10^8 values once expanded.
	var b strings.Builder
	b.WriteString("l0: &l0 [a, a, a, a, a, a, a, a, a, a]\n")
	for i := 1; i <= 7; i++ {
		fmt.Fprintf(&b, "l%d: &l%d [", i, i)
		for j := 0; j < 10; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "*l%d", i-1)
		}
		b.WriteString("]\n")
	}
	b.WriteString("Resources:\n  G:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      SecurityGroupIngress: *l7\n")
	_, err := readString(t, "bomb.yaml", b.String())
	if err == nil || !strings.Contains(err.Error(), "too large") {
		t.Errorf("error = %v", err)
	}
}
