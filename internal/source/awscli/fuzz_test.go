package awscli

import (
	"testing"

	"github.com/clusterwall/clusterwall/internal/source/input"
)

// FuzzRead feeds arbitrary documents to the reader: it must return an
// estate or an error, never panic.
func FuzzRead(f *testing.F) {
	for _, seed := range []string{
		`{"SecurityGroups": [{"GroupId": "sg-1", "IpPermissions": [{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]}]}`,
		`{"SecurityGroupRules": [{"GroupId": "sg-1", "IpProtocol": "-1", "CidrIpv6": "::/0", "IsEgress": true}]}`,
		`{"NetworkInterfaces": [{"NetworkInterfaceId": "eni-1", "Description": "Amazon EKS demo", "Groups": [{"GroupId": "sg-1"}], "PrivateIpAddress": "10.0.0.1"}]}`,
		`{"cluster": {"name": "demo", "resourcesVpcConfig": {"clusterSecurityGroupId": "sg-1", "endpointPublicAccess": true}}}`,
		`{"nodegroup": {"nodegroupName": "ng", "clusterName": "demo", "launchTemplate": {"id": "lt-1"}}}`,
		`{"Entries": [{"Cidr": "1.2.3.0/24"}]}`,
		`{"LoadBalancers": [{"LoadBalancerName": "k8s-x", "SecurityGroups": ["sg-2"]}]}`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		_, _ = Read([]input.File{{Path: "pl-0123456789abcdef0.json", Data: []byte(doc)}})
	})
}
