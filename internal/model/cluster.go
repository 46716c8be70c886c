package model

import (
	"net/netip"
	"slices"
	"strings"

	"github.com/clusterwall/clusterwall/internal/srcpos"
)

// Platform is the managed Kubernetes service a cluster runs on.
type Platform string

const (
	EKS Platform = "eks"
	TKE Platform = "tke"
)

// Well-known roles. A role names a part of a cluster; users may add their
// own (monitoring, bastion, …) with --role.
const (
	RoleControlPlane = "control-plane"
	RoleNodes        = "nodes"
	RoleLoadBalancer = "load-balancer"
	RolePods         = "pods"
	RoleVPC          = "vpc"
	RoleInternet     = "internet"
	RoleMonitoring   = "monitoring"
	RoleBastion      = "bastion"
)

// Tri is a yes/no answer that the input may leave open.
type Tri int8

const (
	Unset Tri = iota
	Yes
	No
)

// TriOf converts a known boolean.
func TriOf(b bool) Tri {
	if b {
		return Yes
	}
	return No
}

// Cluster is one Kubernetes cluster and the network parts that serve it.
type Cluster struct {
	Name     string
	Platform Platform
	VPC      string
	Networks Networks
	// Members are the classes of interfaces that play a role in the
	// cluster; each class shares one ordered set of groups.
	Members  []*Member
	Endpoint Endpoint
	// ClusterGroup is the key of the group that the platform itself
	// creates for the cluster (EKS: the cluster security group).
	ClusterGroup string
	// IPv6 is set for EKS clusters whose ipFamily is ipv6.
	IPv6 bool
	// Legacy is set for EKS clusters from before the cluster security group
	// (Kubernetes < 1.14 or platform < eks.3): the control-plane group the
	// user passed is then the only one on the control-plane interfaces.
	Legacy bool
	// Independent is set for TKE clusters whose masters the user runs.
	Independent bool
	// NetworkMode is the TKE network_type (GR, VPC-CNI, CiliumOverlay).
	NetworkMode string
	AddOns      []AddOn
	Origin      srcpos.Location
}

// Networks are the address ranges of a cluster.
type Networks struct {
	VPC      []netip.Prefix // the cluster network (VPC CIDRs)
	Pods     []netip.Prefix // the container network, when distinct from the VPC
	Services []netip.Prefix
	Subnets  []netip.Prefix // subnets the cluster's interfaces live in
}

// Member is one class of interfaces in a cluster: all of them have the same
// ordered groups and play the same role.
type Member struct {
	Role string // control-plane, nodes, load-balancer, pods, or a user role
	// Name tells members of one role apart: a node group's name, "eni" for
	// EKS control-plane interfaces, "public-endpoint".
	Name string
	// Kind says what made the member: managed-node-group, self-managed,
	// fargate, launch-template, cluster-eni, public-endpoint, alb, nlb, …
	Kind   string
	Groups []string
	// GroupsUnknown, when set, says why the input does not decide the
	// member's groups.
	GroupsUnknown string
	// GroupsMore, when set, says why the interfaces may have groups
	// besides Groups, which they certainly have (EKS control-plane
	// interfaces without describe-cluster: the cluster group and
	// additional groups the input does not name).
	GroupsMore string
	// Addrs are the member's addresses. When AddrsExact, each address (a
	// /32 or /128) is one real interface; otherwise Addrs only bounds where
	// the member's addresses lie (its subnets, or the VPC).
	Addrs      []netip.Prefix
	AddrsExact bool
	// Interfaces counts the network interfaces found for the member.
	Interfaces int
	Origin     srcpos.Location
}

// Member kinds other packages act on.
const (
	// KindAPIEndpoint marks a member that stands for a managed API
	// endpoint: it accepts connections and never opens them.
	KindAPIEndpoint = "api-endpoint"
	// KindPrivateAPIEndpoint marks a managed API endpoint on a private
	// address of the VPC without a security group of its own (TKE's
	// intranet endpoint); assemble gives it what routing allows: tcp/443
	// from the VPC.
	KindPrivateAPIEndpoint = "private-api-endpoint"
	// KindPodNetwork marks pods that live in a container network of their
	// own on their nodes: they leave through the nodes' groups, but other
	// groups' rules naming those groups do not cover their addresses.
	KindPodNetwork = "pod-network"
)

// IsAPIEndpoint reports whether the member is a managed API endpoint.
func (m *Member) IsAPIEndpoint() bool {
	return m.Kind == KindAPIEndpoint || m.Kind == KindPrivateAPIEndpoint
}

// Qualified names the member as users may type it: "nodes/ng-1", or the
// role alone when the member has no name.
func (m *Member) Qualified() string {
	if m.Name == "" {
		return m.Role
	}
	return m.Role + "/" + m.Name
}

// Endpoint is the Kubernetes API server endpoint configuration.
type Endpoint struct {
	Public  Tri
	Private Tri
	// PublicCIDRs may reach the public endpoint (EKS publicAccessCidrs).
	PublicCIDRs []netip.Prefix
	Origin      srcpos.Location
}

// AddOn is a component installed in a cluster that needs network flows.
type AddOn struct {
	Name    string // catalog name, lower case: istio, gatekeeper, metrics-server, …
	Version string
	Source  string // helm_release, aws_eks_addon, flag, …
	Origin  srcpos.Location
}

// MembersOf returns the members that play a role; "nodes/ng-1" selects one
// node group.
func (c *Cluster) MembersOf(role string) []*Member {
	base, name, one := strings.Cut(role, "/")
	var out []*Member
	for _, m := range c.Members {
		if m.Role == base && (!one || m.Name == name) {
			out = append(out, m)
		}
	}
	return out
}

// Roles lists, for each role, the keys of the groups its members have, in
// first-seen order without duplicates.
func (c *Cluster) Roles(groups map[string]*Group) map[string][]string {
	out := map[string][]string{}
	for _, m := range c.Members {
		for _, g := range m.Groups {
			if m.IsAPIEndpoint() && (groups[g] == nil || groups[g].Implicit) {
				continue // the platform's endpoint; only a group of the user's on it counts
			}
			if !slices.Contains(out[m.Role], g) {
				out[m.Role] = append(out[m.Role], g)
			}
		}
	}
	return out
}
