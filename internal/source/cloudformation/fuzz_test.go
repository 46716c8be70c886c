package cloudformation

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/clusterwall/clusterwall/internal/source/input"
)

// FuzzRead feeds arbitrary documents to the reader, alone and next to a
// template that exports values: it must return an estate or an error,
// never panic or hang.
func FuzzRead(f *testing.F) {
	for _, seed := range []string{
		"Resources:\n  G:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      SecurityGroupIngress:\n        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: !Ref P}\n",
		"Parameters:\n  P: {Type: String}\nConditions:\n  C: !Equals [!Ref P, x]\nResources:\n  R:\n    Type: AWS::EC2::SecurityGroupIngress\n    Condition: C\n    Properties: {GroupId: !ImportValue e-SG, IpProtocol: -1, SourceSecurityGroupId: !GetAtt K.ClusterSecurityGroupId}\n  K:\n    Type: AWS::EKS::Cluster\n    Properties: {Name: !Sub '${P}-k', Version: '1.13'}\n",
		`{"Resources": {"N": {"Type": "AWS::EKS::Nodegroup", "Properties": {"ClusterName": "c", "LaunchTemplate": {"Id": {"Ref": "L"}}, "RemoteAccess": {"Ec2SshKey": "k"}, "Subnets": {"Fn::Split": [",", {"Fn::Join": [",", ["a", {"Ref": "AWS::Region"}]]}]}}}, "L": {"Type": "AWS::EC2::LaunchTemplate", "Properties": {"LaunchTemplateData": {"NetworkInterfaces": [{"DeviceIndex": 0, "Groups": [{"Fn::If": ["X", "a", "b"]}]}]}}}}, "Conditions": {"X": {"Fn::Or": [{"Condition": "X"}]}}}`,
		"Resources:\n  V:\n    Type: AWS::EC2::VPC\n    Properties: {CidrBlock: !Select [1, !Cidr [10.0.0.0/16, 256, 8]]}\n  A: &a\n    Type: AWS::EC2::Subnet\n    Properties: {CidrBlock: !GetAtt V.CidrBlock, VpcId: !Ref V}\n  B: *a\n",
		"Resources:\n  A:\n    Type: AWS::AutoScaling::AutoScalingGroup\n    Properties:\n      LaunchConfigurationName: !Ref C\n      Tags: [{Key: !Sub 'kubernetes.io/cluster/${AWS::StackName}', Value: owned}]\n  C:\n    Type: AWS::AutoScaling::LaunchConfiguration\n    Properties: {SecurityGroups: [sg-1, web]}\n",
		"a: &a [*a]\nResources: {}\n",
		"Resources: {G: {Type: AWS::EC2::SecurityGroup, Properties: {SecurityGroupEgress: !If [C, [], !Ref AWS::NoValue]}}}\nConditions: {C: !Not [!Equals [!FindInMap [M, a, b], x]]}\nMappings: {M: {a: {b: [1]}}}\n",
		"{\"Resources\": {\"x\": {\"Type\": \"AWS::EC2::SecurityGroup\", \"Properties\": {\"GroupName\": \"\\ud83d\\ude00\\/\"}}}}",
	} {
		f.Add(seed)
	}
	export, err := os.ReadFile(filepath.Join("testdata", "eksctl", "eksctl-prod-cluster.json"))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		done := make(chan struct{})
		defer close(done)
		go func() {
			select {
			case <-done:
			case <-time.After(20 * time.Second):
				panic(fmt.Sprintf("Read takes over 20s on %q", doc))
			}
		}()
		_, _ = Read([]input.File{{Path: "t.yaml", Data: []byte(doc)}})
		_, _ = Read([]input.File{{Path: "cluster.json", Data: export}, {Path: "t.json", Data: []byte(doc)}})
		_ = Detect("t.yaml", []byte(doc), nil)
	})
}
