package tencent

import "encoding/json"

// The shapes below are what the Tencent Cloud API answers (tencentcloud-sdk-go
// vpc v20170312, tke v20180525, cvm v20170312, as v20180419) and what tccli
// prints: the answer inside {"Response": {…}} (tccli 2.x and the API
// Explorer) or without it (tccli 3.x), RequestId or not. Only the fields
// clusterwall uses are declared; encoding/json ignores the rest. Fields the
// API types loosely are kept raw, so that real output never fails to decode.

// envelope is one file: the answer, wrapped or not.
type envelope struct {
	Response *document `json:"Response"`
	document
}

type document struct {
	Error *apiError `json:"Error"`

	// vpc DescribeSecurityGroups
	SecurityGroupSet []securityGroup `json:"SecurityGroupSet"`
	// vpc DescribeSecurityGroupPolicies
	SecurityGroupPolicySet *policySet `json:"SecurityGroupPolicySet"`
	// vpc DescribeAddressTemplates, DescribeAddressTemplateGroups
	AddressTemplateSet      []addressTemplate      `json:"AddressTemplateSet"`
	AddressTemplateGroupSet []addressTemplateGroup `json:"AddressTemplateGroupSet"`
	// vpc DescribeServiceTemplates, DescribeServiceTemplateGroups
	ServiceTemplateSet      []serviceTemplate      `json:"ServiceTemplateSet"`
	ServiceTemplateGroupSet []serviceTemplateGroup `json:"ServiceTemplateGroupSet"`
	// vpc DescribeVpcs, DescribeSubnets
	VpcSet    []vpc    `json:"VpcSet"`
	SubnetSet []subnet `json:"SubnetSet"`
	// tke DescribeClusters
	Clusters []cluster `json:"Clusters"`
	// cvm DescribeInstances and tke DescribeClusterInstances both answer
	// with an InstanceSet; the elements tell them apart.
	InstanceSet []instance `json:"InstanceSet"`
	// tke DescribeClusterNodePools
	NodePoolSet []nodePool `json:"NodePoolSet"`
	// as DescribeLaunchConfigurations
	LaunchConfigurationSet []launchConfiguration `json:"LaunchConfigurationSet"`
	// tke DescribeClusterEndpoints (and the older DescribeClusterSecurity)
	endpoints
}

// topKeys are the answer keys this reader understands; a JSON object with
// any of them (at the top or inside "Response") is Tencent Cloud output.
var topKeys = []string{"SecurityGroupSet", "SecurityGroupPolicySet", "AddressTemplateSet", "AddressTemplateGroupSet",
	"ServiceTemplateSet", "ServiceTemplateGroupSet", "VpcSet", "SubnetSet", "Clusters", "InstanceSet", "NodePoolSet",
	"LaunchConfigurationSet", "ClusterExternalEndpoint", "ClusterIntranetEndpoint", "PgwEndpoint"}

type apiError struct {
	Code    string `json:"Code"`
	Message string `json:"Message"`
}

type tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

type securityGroup struct {
	SecurityGroupID   string `json:"SecurityGroupId"`
	SecurityGroupName string `json:"SecurityGroupName"`
	SecurityGroupDesc string `json:"SecurityGroupDesc"`
	TagSet            []tag  `json:"TagSet"`
}

type policySet struct {
	// Version is a string in the SDK and a number in some tccli output.
	Version json.RawMessage `json:"Version"`
	Ingress []policy        `json:"Ingress"`
	Egress  []policy        `json:"Egress"`
}

type policy struct {
	PolicyIndex     *int64 `json:"PolicyIndex"`
	Protocol        string `json:"Protocol"`
	Port            string `json:"Port"`
	ServiceTemplate *struct {
		ServiceID      string `json:"ServiceId"`
		ServiceGroupID string `json:"ServiceGroupId"`
	} `json:"ServiceTemplate"`
	CidrBlock       string `json:"CidrBlock"`
	Ipv6CidrBlock   string `json:"Ipv6CidrBlock"`
	SecurityGroupID string `json:"SecurityGroupId"`
	AddressTemplate *struct {
		AddressID      string `json:"AddressId"`
		AddressGroupID string `json:"AddressGroupId"`
	} `json:"AddressTemplate"`
	Action            string `json:"Action"`
	PolicyDescription string `json:"PolicyDescription"`
	Direction         string `json:"Direction"`
}

type addressTemplate struct {
	AddressTemplateID   string   `json:"AddressTemplateId"`
	AddressTemplateName string   `json:"AddressTemplateName"`
	AddressSet          []string `json:"AddressSet"`
	AddressExtraSet     []struct {
		Address string `json:"Address"`
	} `json:"AddressExtraSet"`
}

type addressTemplateGroup struct {
	AddressTemplateGroupID   string   `json:"AddressTemplateGroupId"`
	AddressTemplateGroupName string   `json:"AddressTemplateGroupName"`
	AddressTemplateIDSet     []string `json:"AddressTemplateIdSet"`
	// Newer SDKs list the members as {AddressTemplateId, AddressTemplateName}.
	AddressTemplateSet []struct {
		AddressTemplateID string `json:"AddressTemplateId"`
	} `json:"AddressTemplateSet"`
}

type serviceTemplate struct {
	ServiceTemplateID   string   `json:"ServiceTemplateId"`
	ServiceTemplateName string   `json:"ServiceTemplateName"`
	ServiceSet          []string `json:"ServiceSet"`
	ServiceExtraSet     []struct {
		Service string `json:"Service"`
	} `json:"ServiceExtraSet"`
}

type serviceTemplateGroup struct {
	ServiceTemplateGroupID   string   `json:"ServiceTemplateGroupId"`
	ServiceTemplateGroupName string   `json:"ServiceTemplateGroupName"`
	ServiceTemplateIDSet     []string `json:"ServiceTemplateIdSet"`
	// Newer SDKs embed the member templates whole.
	ServiceTemplateSet []serviceTemplate `json:"ServiceTemplateSet"`
}

type vpc struct {
	VpcID            string `json:"VpcId"`
	VpcName          string `json:"VpcName"`
	CidrBlock        string `json:"CidrBlock"`
	Ipv6CidrBlock    string `json:"Ipv6CidrBlock"`
	AssistantCidrSet []struct {
		CidrBlock string `json:"CidrBlock"`
	} `json:"AssistantCidrSet"`
}

type subnet struct {
	SubnetID      string `json:"SubnetId"`
	VpcID         string `json:"VpcId"`
	CidrBlock     string `json:"CidrBlock"`
	Ipv6CidrBlock string `json:"Ipv6CidrBlock"`
}

type cluster struct {
	ClusterID              string `json:"ClusterId"`
	ClusterName            string `json:"ClusterName"`
	ClusterType            string `json:"ClusterType"`
	ClusterNetworkSettings struct {
		ClusterCIDR     string   `json:"ClusterCIDR"`
		ServiceCIDR     string   `json:"ServiceCIDR"`
		Ipv6ServiceCIDR string   `json:"Ipv6ServiceCIDR"`
		VpcID           string   `json:"VpcId"`
		Subnets         []string `json:"Subnets"`
	} `json:"ClusterNetworkSettings"`
	// Property is a JSON document in a string:
	// "{\"NodeNameType\":\"lan-ip\",\"NetworkType\":\"GR\"}".
	Property string `json:"Property"`
}

type clusterProperty struct {
	NetworkType string `json:"NetworkType"`
	VpcCniType  string `json:"VpcCniType"`
}

// instance is an element of either InstanceSet: a CVM instance
// (DescribeInstances: SecurityGroupIds, PrivateIpAddresses,
// VirtualPrivateCloud) or a cluster's node (DescribeClusterInstances:
// InstanceRole, LanIP, NodePoolId).
type instance struct {
	InstanceID string `json:"InstanceId"`

	// cvm
	InstanceName        string   `json:"InstanceName"`
	SecurityGroupIDs    []string `json:"SecurityGroupIds"`
	PrivateIPAddresses  []string `json:"PrivateIpAddresses"`
	IPv6Addresses       []string `json:"IPv6Addresses"`
	VirtualPrivateCloud *struct {
		VpcID    string `json:"VpcId"`
		SubnetID string `json:"SubnetId"`
	} `json:"VirtualPrivateCloud"`
	Tags []tag `json:"Tags"`

	// tke
	InstanceRole       string `json:"InstanceRole"`
	LanIP              string `json:"LanIP"`
	NodePoolID         string `json:"NodePoolId"`
	AutoscalingGroupID string `json:"AutoscalingGroupId"`
}

// isClusterNode tells a DescribeClusterInstances element from a CVM one.
func (i *instance) isClusterNode() bool {
	return i.InstanceRole != "" || i.LanIP != "" || i.NodePoolID != ""
}

type nodePool struct {
	NodePoolID            string `json:"NodePoolId"`
	Name                  string `json:"Name"`
	ClusterInstanceID     string `json:"ClusterInstanceId"`
	LaunchConfigurationID string `json:"LaunchConfigurationId"`
	AutoscalingGroupID    string `json:"AutoscalingGroupId"`
}

type launchConfiguration struct {
	LaunchConfigurationID   string   `json:"LaunchConfigurationId"`
	LaunchConfigurationName string   `json:"LaunchConfigurationName"`
	SecurityGroupIDs        []string `json:"SecurityGroupIds"`
}

// endpoints is DescribeClusterEndpoints (ClusterExternalEndpoint,
// ClusterIntranetEndpoint, ClusterDomain, SecurityGroup,
// ClusterIntranetSubnetId, ClusterExternalACL) and the older
// DescribeClusterSecurity (ClusterExternalEndpoint, PgwEndpoint, Domain,
// SecurityPolicy).
type endpoints struct {
	ClusterExternalEndpoint *string  `json:"ClusterExternalEndpoint"`
	ClusterIntranetEndpoint string   `json:"ClusterIntranetEndpoint"`
	ClusterDomain           string   `json:"ClusterDomain"`
	ClusterExternalDomain   string   `json:"ClusterExternalDomain"`
	ClusterIntranetDomain   string   `json:"ClusterIntranetDomain"`
	ClusterIntranetSubnetID string   `json:"ClusterIntranetSubnetId"`
	SecurityGroup           string   `json:"SecurityGroup"`
	ClusterExternalACL      []string `json:"ClusterExternalACL"`
	// DescribeClusterSecurity
	PgwEndpoint    string   `json:"PgwEndpoint"`
	Domain         string   `json:"Domain"`
	SecurityPolicy []string `json:"SecurityPolicy"`
}

func (e *endpoints) present() bool {
	return e.ClusterExternalEndpoint != nil || e.ClusterIntranetEndpoint != "" || e.PgwEndpoint != ""
}
