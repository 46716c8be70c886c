package tencent

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/clusterwall/clusterwall/internal/source/input"
)

// FuzzRead feeds arbitrary documents to the reader, as a policies file
// named after a group and as a cluster's instances: it must return an
// estate or an error, never panic.
func FuzzRead(f *testing.F) {
	for _, seed := range []string{
		`{"Response": {"SecurityGroupPolicySet": {"Version": "60", "Ingress": [{"PolicyIndex": 0, "Protocol": "TCP", "Port": "80,443", "CidrBlock": "0.0.0.0/8", "Action": "ACCEPT"}], "Egress": []}, "RequestId": "x"}}`,
		`{"SecurityGroupPolicySet": {"Version": 7, "Ingress": [{"Protocol": "all", "SecurityGroupId": "sg-5xjpbfn2", "Action": "DROP"}, {"ServiceTemplate": {"ServiceGroupId": "ppmg-5tj9b2hx"}, "AddressTemplate": {"AddressId": "ipm-2vq8k1xd"}, "Action": "ACCEPT"}]}}`,
		`{"SecurityGroupSet": [{"SecurityGroupId": "sg-5xjpbfn2", "SecurityGroupName": "tke-worker-security-for-cls-7ph3twqe", "TagSet": [{"Key": "a", "Value": "b"}]}]}`,
		`{"AddressTemplateSet": [{"AddressTemplateId": "ipm-2vq8k1xd", "AddressSet": ["10.0.0.1-10.0.0.9", "10.1.0.0/16", "::1"]}], "AddressTemplateGroupSet": [{"AddressTemplateGroupId": "ipmg-6dx2q8vn", "AddressTemplateIdSet": ["ipm-2vq8k1xd"]}]}`,
		`{"ServiceTemplateSet": [{"ServiceTemplateId": "ppm-k8d2x5qw", "ServiceSet": ["tcp:22", "udp:53-54", "icmp"]}], "ServiceTemplateGroupSet": [{"ServiceTemplateGroupId": "ppmg-5tj9b2hx", "ServiceTemplateSet": [{"ServiceTemplateId": "ppm-3rw7m5kz", "ServiceSet": ["gre"]}]}]}`,
		`{"Clusters": [{"ClusterId": "cls-7ph3twqe", "ClusterType": "INDEPENDENT_CLUSTER", "ClusterNetworkSettings": {"ClusterCIDR": "172.16.0.0/16", "VpcId": "vpc-2ahkr4p8", "Subnets": ["subnet-1"]}, "Property": "{\"NetworkType\":\"VPC-CNI\"}"}], "VpcSet": [{"VpcId": "vpc-2ahkr4p8", "CidrBlock": "10.0.0.0/16"}]}`,
		`{"InstanceSet": [{"InstanceId": "ins-3k9fz2ma", "InstanceRole": "MASTER_ETCD", "LanIP": "10.0.1.12", "NodePoolId": "np-4fz7q2kd"}], "NodePoolSet": [{"NodePoolId": "np-4fz7q2kd", "ClusterInstanceId": "cls-7ph3twqe", "LaunchConfigurationId": "asc-9d2kx7we"}], "LaunchConfigurationSet": [{"LaunchConfigurationId": "asc-9d2kx7we", "SecurityGroupIds": ["sg-5xjpbfn2"]}]}`,
		`{"InstanceSet": [{"InstanceId": "ins-3k9fz2ma", "SecurityGroupIds": ["sg-5xjpbfn2"], "PrivateIpAddresses": ["10.0.1.12"], "VirtualPrivateCloud": {"VpcId": "vpc-2ahkr4p8"}}]}`,
		`{"ClusterExternalEndpoint": "https://198.51.100.80:443", "ClusterIntranetEndpoint": "10.0.2.9", "ClusterDomain": "cls-7ph3twqe.ccs.tencent-cloud.com", "SecurityGroup": "", "ClusterExternalACL": ["0.0.0.0/0"]}`,
		`{"Response": {"Error": {"Code": "x", "Message": "y"}, "RequestId": "z"}}`,
	} {
		f.Add(seed)
	}
	if data, err := os.ReadFile(filepath.Join("testdata", "tke-default", "sg-5xjpbfn2.json")); err == nil {
		f.Add(string(data))
	}
	f.Fuzz(func(t *testing.T, doc string) {
		_, _ = Read([]input.File{{Path: "sg-5xjpbfn2.json", Data: []byte(doc)}})
		_, _ = Read([]input.File{{Path: "cls-7ph3twqe-instances.json", Data: []byte(doc)}, {Path: "sg-q7m2kx9d.json", Data: []byte(doc)}})
	})
}
