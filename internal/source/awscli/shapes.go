package awscli

// The shapes below are what `aws … --output json` prints. Only the fields
// clusterwall uses are declared; encoding/json ignores the rest.

type document struct {
	SecurityGroups       []securityGroup      `json:"SecurityGroups"`
	SecurityGroupRules   []securityGroupRule  `json:"SecurityGroupRules"`
	NetworkInterfaces    []networkInterface   `json:"NetworkInterfaces"`
	Vpcs                 []vpc                `json:"Vpcs"`
	Subnets              []subnet             `json:"Subnets"`
	PrefixLists          []prefixList         `json:"PrefixLists"`
	Entries              []prefixListEntry    `json:"Entries"`
	LoadBalancers        []loadBalancer       `json:"LoadBalancers"`
	Reservations         []reservation        `json:"Reservations"`
	LaunchTemplateVersns []launchTemplateVers `json:"LaunchTemplateVersions"`
	Cluster              *eksCluster          `json:"cluster"`
	Nodegroup            *eksNodegroup        `json:"nodegroup"`
}

// topKeys are the document keys this reader understands; a JSON object
// with any of them is AWS CLI output.
var topKeys = []string{"SecurityGroups", "SecurityGroupRules", "NetworkInterfaces", "Vpcs", "Subnets",
	"PrefixLists", "Entries", "LoadBalancers", "Reservations", "LaunchTemplateVersions", "cluster", "nodegroup"}

type tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

type securityGroup struct {
	GroupID             string         `json:"GroupId"`
	GroupName           string         `json:"GroupName"`
	Description         string         `json:"Description"`
	VpcID               string         `json:"VpcId"`
	OwnerID             string         `json:"OwnerId"`
	Tags                []tag          `json:"Tags"`
	IPPermissions       []ipPermission `json:"IpPermissions"`
	IPPermissionsEgress []ipPermission `json:"IpPermissionsEgress"`
}

type ipPermission struct {
	IPProtocol string `json:"IpProtocol"`
	FromPort   *int   `json:"FromPort"`
	ToPort     *int   `json:"ToPort"`
	IPRanges   []struct {
		CidrIP      string `json:"CidrIp"`
		Description string `json:"Description"`
	} `json:"IpRanges"`
	IPv6Ranges []struct {
		CidrIPv6    string `json:"CidrIpv6"`
		Description string `json:"Description"`
	} `json:"Ipv6Ranges"`
	PrefixListIDs []struct {
		PrefixListID string `json:"PrefixListId"`
		Description  string `json:"Description"`
	} `json:"PrefixListIds"`
	UserIDGroupPairs []struct {
		GroupID     string `json:"GroupId"`
		GroupName   string `json:"GroupName"`
		UserID      string `json:"UserId"`
		Description string `json:"Description"`
	} `json:"UserIdGroupPairs"`
}

type securityGroupRule struct {
	SecurityGroupRuleID string `json:"SecurityGroupRuleId"`
	GroupID             string `json:"GroupId"`
	IsEgress            bool   `json:"IsEgress"`
	IPProtocol          string `json:"IpProtocol"`
	FromPort            *int   `json:"FromPort"`
	ToPort              *int   `json:"ToPort"`
	CidrIPv4            string `json:"CidrIpv4"`
	CidrIPv6            string `json:"CidrIpv6"`
	PrefixListID        string `json:"PrefixListId"`
	ReferencedGroupInfo *struct {
		GroupID string `json:"GroupId"`
	} `json:"ReferencedGroupInfo"`
	Description string `json:"Description"`
}

type networkInterface struct {
	NetworkInterfaceID string `json:"NetworkInterfaceId"`
	Description        string `json:"Description"`
	InterfaceType      string `json:"InterfaceType"`
	Groups             []struct {
		GroupID   string `json:"GroupId"`
		GroupName string `json:"GroupName"`
	} `json:"Groups"`
	PrivateIPAddress   string `json:"PrivateIpAddress"`
	PrivateIPAddresses []struct {
		PrivateIPAddress string `json:"PrivateIpAddress"`
	} `json:"PrivateIpAddresses"`
	IPv6Addresses []struct {
		IPv6Address string `json:"Ipv6Address"`
	} `json:"Ipv6Addresses"`
	SubnetID         string `json:"SubnetId"`
	VpcID            string `json:"VpcId"`
	RequesterID      string `json:"RequesterId"`
	RequesterManaged bool   `json:"RequesterManaged"`
	Attachment       *struct {
		InstanceID      string `json:"InstanceId"`
		InstanceOwnerID string `json:"InstanceOwnerId"`
	} `json:"Attachment"`
	TagSet []tag `json:"TagSet"`
}

type vpc struct {
	VpcID                   string `json:"VpcId"`
	CidrBlock               string `json:"CidrBlock"`
	CidrBlockAssociationSet []struct {
		CidrBlock      string `json:"CidrBlock"`
		CidrBlockState struct {
			State string `json:"State"`
		} `json:"CidrBlockState"`
	} `json:"CidrBlockAssociationSet"`
	IPv6CidrBlockAssociationSet []struct {
		IPv6CidrBlock      string `json:"Ipv6CidrBlock"`
		IPv6CidrBlockState struct {
			State string `json:"State"`
		} `json:"Ipv6CidrBlockState"`
	} `json:"Ipv6CidrBlockAssociationSet"`
}

type subnet struct {
	SubnetID                    string `json:"SubnetId"`
	VpcID                       string `json:"VpcId"`
	CidrBlock                   string `json:"CidrBlock"`
	IPv6CidrBlockAssociationSet []struct {
		IPv6CidrBlock string `json:"Ipv6CidrBlock"`
	} `json:"Ipv6CidrBlockAssociationSet"`
}

type prefixList struct {
	PrefixListID   string `json:"PrefixListId"`
	PrefixListName string `json:"PrefixListName"`
}

type prefixListEntry struct {
	Cidr string `json:"Cidr"`
}

type loadBalancer struct {
	LoadBalancerName string   `json:"LoadBalancerName"`
	LoadBalancerArn  string   `json:"LoadBalancerArn"`
	Type             string   `json:"Type"`
	Scheme           string   `json:"Scheme"`
	VpcID            string   `json:"VpcId"`
	SecurityGroups   []string `json:"SecurityGroups"`
}

type reservation struct {
	Instances []instance `json:"Instances"`
}

type instance struct {
	InstanceID        string             `json:"InstanceId"`
	VpcID             string             `json:"VpcId"`
	SubnetID          string             `json:"SubnetId"`
	Tags              []tag              `json:"Tags"`
	NetworkInterfaces []networkInterface `json:"NetworkInterfaces"`
}

type launchTemplateVers struct {
	LaunchTemplateID   string `json:"LaunchTemplateId"`
	LaunchTemplateName string `json:"LaunchTemplateName"`
	VersionNumber      int    `json:"VersionNumber"`
	LaunchTemplateData struct {
		SecurityGroupIDs  []string `json:"SecurityGroupIds"`
		NetworkInterfaces []struct {
			Groups      []string `json:"Groups"`
			DeviceIndex *int     `json:"DeviceIndex"`
		} `json:"NetworkInterfaces"`
	} `json:"LaunchTemplateData"`
}

type eksCluster struct {
	Name               string `json:"name"`
	Arn                string `json:"arn"`
	Version            string `json:"version"`
	PlatformVersion    string `json:"platformVersion"`
	ResourcesVpcConfig struct {
		SubnetIDs              []string `json:"subnetIds"`
		SecurityGroupIDs       []string `json:"securityGroupIds"`
		ClusterSecurityGroupID string   `json:"clusterSecurityGroupId"`
		VpcID                  string   `json:"vpcId"`
		EndpointPublicAccess   *bool    `json:"endpointPublicAccess"`
		EndpointPrivateAccess  *bool    `json:"endpointPrivateAccess"`
		PublicAccessCidrs      []string `json:"publicAccessCidrs"`
	} `json:"resourcesVpcConfig"`
	KubernetesNetworkConfig struct {
		ServiceIPv4Cidr string `json:"serviceIpv4Cidr"`
		ServiceIPv6Cidr string `json:"serviceIpv6Cidr"`
		IPFamily        string `json:"ipFamily"`
	} `json:"kubernetesNetworkConfig"`
	Tags map[string]string `json:"tags"`
}

type eksNodegroup struct {
	NodegroupName string   `json:"nodegroupName"`
	ClusterName   string   `json:"clusterName"`
	Subnets       []string `json:"subnets"`
	RemoteAccess  *struct {
		Ec2SSHKey            string   `json:"ec2SshKey"`
		SourceSecurityGroups []string `json:"sourceSecurityGroups"`
	} `json:"remoteAccess"`
	Resources struct {
		AutoScalingGroups []struct {
			Name string `json:"name"`
		} `json:"autoScalingGroups"`
		RemoteAccessSecurityGroup string `json:"remoteAccessSecurityGroup"`
	} `json:"resources"`
	LaunchTemplate *struct {
		Name    string `json:"name"`
		Version string `json:"version"`
		ID      string `json:"id"`
	} `json:"launchTemplate"`
}
