// Package model owns the provider-neutral picture of a network that every
// reader produces and every analysis consumes: security groups and their
// rules, network interfaces, named address sets, VPCs, load balancers and
// clusters with the roles of their parts. It imports nothing of
// clusterwall's above the set algebra and source locations.
package model

import (
	"net/netip"
	"strings"

	"github.com/clusterwall/clusterwall/internal/netset"
	"github.com/clusterwall/clusterwall/internal/srcpos"
)

// Provider says whose rule semantics a group follows.
type Provider string

const (
	// AWS groups only allow, and the groups of an interface add up.
	AWS Provider = "aws"
	// Tencent groups hold ordered ACCEPT/DROP rules; first match wins.
	Tencent Provider = "tencent"
)

// Direction is the side of an interface a rule filters.
type Direction uint8

const (
	Ingress Direction = iota
	Egress
)

func (d Direction) String() string {
	if d == Egress {
		return "egress"
	}
	return "ingress"
}

// Action is what a matching rule does. AWS rules always accept.
type Action uint8

const (
	Accept Action = iota
	Drop
)

func (a Action) String() string {
	if a == Drop {
		return "DROP"
	}
	return "ACCEPT"
}

// PeerKind says what a rule's peer (source of ingress, destination of
// egress) is.
type PeerKind uint8

const (
	// PeerCIDR is an IPv4 or IPv6 prefix.
	PeerCIDR PeerKind = iota
	// PeerGroup is every interface that has a security group (a self rule
	// names the rule's own group).
	PeerGroup
	// PeerAddressSet is a named set of prefixes: an AWS managed prefix list
	// or a Tencent address template (group).
	PeerAddressSet
	// PeerUnknown is a peer the input cannot decide (a Terraform value
	// known only after apply); Peer.Why says what is missing.
	PeerUnknown
)

// Peer is the other end a rule names.
type Peer struct {
	Kind   PeerKind
	Prefix netip.Prefix // PeerCIDR
	// Except are addresses of Prefix the rule does not cover (the public
	// API endpoint is not used by clients inside the VPC when the private
	// endpoint is on), with the reason.
	Except    []netip.Prefix
	ExceptWhy string
	// Maybe, when set, says the rule only may cover Prefix: it applies
	// under a condition the input does not decide (nodes reach a public
	// endpoint through NAT addresses the input does not give).
	Maybe string
	Group string // PeerGroup: the key of the group in Estate.Groups
	Set   string // PeerAddressSet: the key in Estate.AddressSets
	Why   string // PeerUnknown: what the input does not say
	// SomeGroup, with PeerUnknown, says the peer is a security group the
	// input does not identify (source_security_group_id = var.x): it may
	// be any interface's group, but never an address outside every group.
	SomeGroup bool
}

// String prints the peer as a user would write it.
func (p Peer) String() string {
	switch p.Kind {
	case PeerCIDR:
		if len(p.Except) > 0 {
			ex := make([]string, len(p.Except))
			for i, e := range p.Except {
				ex[i] = e.String()
			}
			s := p.Prefix.String() + " except " + strings.Join(ex, ", ")
			if p.ExceptWhy != "" {
				s += " (" + p.ExceptWhy + ")"
			}
			return s
		}
		return p.Prefix.String()
	case PeerGroup:
		return p.Group
	case PeerAddressSet:
		return p.Set
	}
	return "(unknown)"
}

// Rule is one security-group rule.
type Rule struct {
	Direction Direction
	Action    Action
	// Services the rule matches. When PortsUnknown is set, the input does
	// not say exactly and Services is only an upper bound.
	Services     netset.Services
	PortsUnknown string
	Peer         Peer
	Description  string
	// ID names the rule where the input has a name for it: an sgr-… id,
	// a resource address, or a Tencent policy index.
	ID string
	// Standalone rules are declared by a resource of their own
	// (aws_security_group_rule, AWS::EC2::SecurityGroupIngress, …) rather
	// than inside their group.
	Standalone bool
	Origin     srcpos.Location
}

// Known reports whether the input fully decides what the rule matches.
func (r *Rule) Known() bool { return r.PortsUnknown == "" && r.Peer.Kind != PeerUnknown }

// Group is a security group.
type Group struct {
	// ID is the key by which rules and interfaces refer to the group: an
	// sg-… id, a Terraform resource address, or a CloudFormation logical ID.
	ID          string
	Name        string
	Aliases     []string // other names users may type for it
	Provider    Provider
	VPC         string
	Description string
	Tags        map[string]string
	// Rules in input order; for Tencent this order is the match order
	// within each direction.
	Rules []Rule
	// RulesUnknown, when set, says why the input does not give all of the
	// group's rules (a group referenced but not described, rules made by
	// for_each over an unknown value).
	RulesUnknown string
	// Implicit groups exist although no input declares them, such as the
	// cluster security group that EKS creates.
	Implicit bool
	// ExclusiveRules: the group's own declaration owns its whole rule set
	// (Terraform inline rules, a Tencent rule set), so rules declared by
	// other resources are removed on the next apply.
	ExclusiveRules bool
	// Format is the input format the group was read from (the loader's
	// kind: terraform, cloudformation, aws-cli-json, …), so that fixes are
	// written in the input's own language.
	Format string
	Origin srcpos.Location
}

// RulesOf returns the group's rules of one direction, in order.
func (g *Group) RulesOf(d Direction) []*Rule {
	var out []*Rule
	for i := range g.Rules {
		if g.Rules[i].Direction == d {
			out = append(out, &g.Rules[i])
		}
	}
	return out
}

// Label prints the group as "sg-0abc (name)" or its ID.
func (g *Group) Label() string {
	if g.Name != "" && g.Name != g.ID {
		return g.ID + " (" + g.Name + ")"
	}
	return g.ID
}

// AddressSet is a named set of prefixes that rules may reference.
type AddressSet struct {
	ID       string
	Name     string
	Prefixes []netip.Prefix
	// Unknown, when set, says why the entries are not known.
	Unknown string
	Origin  srcpos.Location
}

// InterfaceVPCEndpoint is the Type of an interface VPC endpoint's
// network interfaces (AWS InterfaceType "vpc_endpoint").
const InterfaceVPCEndpoint = "vpc_endpoint"

// Interface is a network interface (ENI) with its ordered security groups.
type Interface struct {
	ID          string
	Description string
	Type        string // interface, branch, trunk, …
	Groups      []string
	Addrs       []netip.Addr
	Subnet      string
	VPC         string
	Tags        map[string]string
	// Requester is the RequesterId or service that made the interface.
	Requester string
	Instance  string
	Origin    srcpos.Location
}

// VPC is a virtual network with its address ranges.
type VPC struct {
	ID     string
	CIDRs  []netip.Prefix
	Origin srcpos.Location
}

// Subnet is a subnet of a VPC.
type Subnet struct {
	ID     string
	VPC    string
	CIDRs  []netip.Prefix
	Origin srcpos.Location
}

// LoadBalancer is an AWS ELB or Tencent CLB.
type LoadBalancer struct {
	Name    string
	Type    string // application, network, gateway, classic, clb
	Scheme  string // internet-facing, internal
	VPC     string
	Groups  []string
	Cluster string // set when the input ties the balancer to a cluster
	Origin  srcpos.Location
}
