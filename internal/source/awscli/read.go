// Package awscli reads the JSON that the AWS CLI prints for EC2, EKS and
// ELBv2 describe commands, in any subset and spread over any files, and
// infers from what real accounts contain which groups and interfaces
// belong to which EKS cluster and role.
package awscli

import (
	"fmt"
	"net/netip"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/clusterwall/clusterwall/internal/model"
	"github.com/clusterwall/clusterwall/internal/netset"
	"github.com/clusterwall/clusterwall/internal/source/input"
	"github.com/clusterwall/clusterwall/internal/source/jsonpos"
	"github.com/clusterwall/clusterwall/internal/srcpos"
)

// Detect reports whether a JSON object with these top-level keys is AWS
// CLI output.
func Detect(keys map[string]bool) bool {
	for _, k := range topKeys {
		if keys[k] {
			return true
		}
	}
	return false
}

// reader collects every document before inference, because what one file
// says (a cluster) changes how another (its interfaces) is read.
type reader struct {
	groups      map[string]*model.Group
	groupOrder  []string
	ruleGroups  map[string][]model.Rule // rules from describe-security-group-rules, by group
	enis        []*model.Interface
	eniSeen     map[string]bool
	instances   map[string]*instanceInfo
	vpcs        map[string]*model.VPC
	subnets     map[string]*model.Subnet
	prefixLists map[string]*model.AddressSet
	lbs         []*model.LoadBalancer
	templates   map[string][]string // launch template id and name → groups
	clusters    []clusterDoc
	nodegroups  []nodegroupDoc
}

type instanceInfo struct {
	tags map[string]string
}

type clusterDoc struct {
	c   *eksCluster
	loc srcpos.Location
}

type nodegroupDoc struct {
	ng  *eksNodegroup
	loc srcpos.Location
}

// Read reads AWS CLI JSON files into an estate.
func Read(files []input.File) (*model.Estate, error) {
	r := &reader{
		groups: map[string]*model.Group{}, ruleGroups: map[string][]model.Rule{}, eniSeen: map[string]bool{},
		instances: map[string]*instanceInfo{}, vpcs: map[string]*model.VPC{}, subnets: map[string]*model.Subnet{},
		prefixLists: map[string]*model.AddressSet{}, templates: map[string][]string{},
	}
	for _, f := range files {
		if err := r.file(f); err != nil {
			return nil, err
		}
	}
	return r.build(), nil
}

var prefixListIDInName = regexp.MustCompile(`pl-[0-9a-f]{8,17}`)

func (r *reader) file(f input.File) error {
	var d document
	doc, err := jsonpos.Parse(f.Path, f.Data, &d)
	if err != nil {
		return err
	}
	root := doc.Root
	at := func(n *jsonpos.Node, addr string) srcpos.Location {
		return srcpos.Location{File: f.Path, Line: n.LineOf(1), Address: addr}
	}
	for i, sg := range d.SecurityGroups {
		if err := r.securityGroup(sg, root.At("SecurityGroups", i), at); err != nil {
			return err
		}
	}
	for i, sgr := range d.SecurityGroupRules {
		if err := r.securityGroupRule(sgr, at(root.At("SecurityGroupRules", i), sgr.SecurityGroupRuleID)); err != nil {
			return err
		}
	}
	for i := range d.NetworkInterfaces {
		if err := r.eni(&d.NetworkInterfaces[i], "", at(root.At("NetworkInterfaces", i), d.NetworkInterfaces[i].NetworkInterfaceID)); err != nil {
			return err
		}
	}
	for i, res := range d.Reservations {
		for j, inst := range res.Instances {
			info := &instanceInfo{tags: tagMap(inst.Tags)}
			r.instances[inst.InstanceID] = info
			for k := range inst.NetworkInterfaces {
				n := &inst.NetworkInterfaces[k]
				if err := r.eni(n, inst.InstanceID, at(root.At("Reservations", i, "Instances", j, "NetworkInterfaces", k), n.NetworkInterfaceID)); err != nil {
					return err
				}
			}
		}
	}
	for i, v := range d.Vpcs {
		if err := r.vpc(v, at(root.At("Vpcs", i), v.VpcID)); err != nil {
			return err
		}
	}
	for i, s := range d.Subnets {
		loc := at(root.At("Subnets", i), s.SubnetID)
		sub := &model.Subnet{ID: s.SubnetID, VPC: s.VpcID, Origin: loc}
		for _, c := range append([]string{s.CidrBlock}, ipv6Blocks(s)...) {
			if c == "" {
				continue
			}
			p, err := parsePrefix(c, loc)
			if err != nil {
				return err
			}
			sub.CIDRs = append(sub.CIDRs, p)
		}
		r.subnets[s.SubnetID] = sub
	}
	for i, pl := range d.PrefixLists {
		set := r.prefixList(pl.PrefixListID)
		set.Name, set.Origin = pl.PrefixListName, at(root.At("PrefixLists", i), pl.PrefixListID)
	}
	if d.Entries != nil {
		id := prefixListIDInName.FindString(filepath.Base(f.Path))
		if id == "" {
			return srcpos.Errorf(srcpos.Location{File: f.Path, Line: root.At("Entries").LineOf(1)},
				"get-managed-prefix-list-entries output does not name its prefix list: name the file after it, such as pl-0123456789abcdef0.json")
		}
		set := r.prefixList(id)
		set.Unknown, set.Prefixes = "", nil
		for i, e := range d.Entries {
			p, err := parsePrefix(e.Cidr, at(root.At("Entries", i), id))
			if err != nil {
				return err
			}
			set.Prefixes = append(set.Prefixes, p)
		}
		if set.Origin.IsZero() {
			set.Origin = at(root.At("Entries"), id)
		}
	}
	for i, lb := range d.LoadBalancers {
		r.lbs = append(r.lbs, &model.LoadBalancer{Name: lb.LoadBalancerName, Type: lb.Type, Scheme: lb.Scheme,
			VPC: lb.VpcID, Groups: lb.SecurityGroups, Origin: at(root.At("LoadBalancers", i), lb.LoadBalancerName)})
	}
	for _, lt := range d.LaunchTemplateVersns {
		groups := lt.LaunchTemplateData.SecurityGroupIDs
		for _, n := range lt.LaunchTemplateData.NetworkInterfaces {
			if n.DeviceIndex == nil || *n.DeviceIndex == 0 {
				groups = append(groups, n.Groups...)
			}
		}
		for _, key := range []string{lt.LaunchTemplateID, lt.LaunchTemplateName} {
			if key != "" {
				r.templates[key] = groups
			}
		}
	}
	if d.Cluster != nil {
		r.clusters = append(r.clusters, clusterDoc{d.Cluster, at(root.At("cluster"), d.Cluster.Name)})
	}
	if d.Nodegroup != nil {
		r.nodegroups = append(r.nodegroups, nodegroupDoc{d.Nodegroup, at(root.At("nodegroup"), d.Nodegroup.NodegroupName)})
	}
	return nil
}

func ipv6Blocks(s subnet) []string {
	var out []string
	for _, b := range s.IPv6CidrBlockAssociationSet {
		out = append(out, b.IPv6CidrBlock)
	}
	return out
}

func (r *reader) prefixList(id string) *model.AddressSet {
	set := r.prefixLists[id]
	if set == nil {
		set = &model.AddressSet{ID: id, Unknown: fmt.Sprintf("the entries of prefix list %s are not in the input (add `aws ec2 get-managed-prefix-list-entries --prefix-list-id %s` output, saved as %s.json)", id, id, id)}
		r.prefixLists[id] = set
	}
	return set
}

func tagMap(tags []tag) map[string]string {
	if len(tags) == 0 {
		return nil
	}
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[t.Key] = t.Value
	}
	return m
}

func (r *reader) group(id string) *model.Group {
	g := r.groups[id]
	if g == nil {
		g = &model.Group{ID: id, Provider: model.AWS}
		r.groups[id] = g
		r.groupOrder = append(r.groupOrder, id)
	}
	return g
}

func (r *reader) securityGroup(sg securityGroup, n *jsonpos.Node, at func(*jsonpos.Node, string) srcpos.Location) error {
	if sg.GroupID == "" {
		return srcpos.Errorf(at(n, ""), "security group without GroupId")
	}
	g := r.group(sg.GroupID)
	if len(g.Rules) > 0 || !g.Origin.IsZero() {
		return nil // the same group listed twice (two overlapping outputs): the first wins
	}
	g.Name, g.VPC, g.Description, g.Tags = sg.GroupName, sg.VpcID, sg.Description, tagMap(sg.Tags)
	g.Origin = at(n, sg.GroupID)
	if name := g.Tags["Name"]; name != "" && name != g.Name {
		g.Aliases = append(g.Aliases, name)
	}
	both := [][]ipPermission{sg.IPPermissions, sg.IPPermissionsEgress}
	peers := 0
	for _, perms := range both {
		for _, p := range perms {
			peers += len(p.IPRanges) + len(p.IPv6Ranges) + len(p.PrefixListIDs) + len(p.UserIDGroupPairs)
		}
	}
	if peers > 0 {
		g.Rules = make([]model.Rule, 0, peers) // one rule per peer: no regrowing for large groups
	}
	for dir, perms := range both {
		key := "IpPermissions"
		if dir == 1 {
			key = "IpPermissionsEgress"
		}
		for i, p := range perms {
			var err error
			if g.Rules, err = appendPermissionRules(g.Rules, p, model.Direction(dir), sg.GroupID, n.At(key, i), at); err != nil {
				return err
			}
		}
	}
	return nil
}

// appendPermissionRules expands one IpPermission, which may name many
// peers, into one rule per peer, appended to out.
func appendPermissionRules(out []model.Rule, p ipPermission, dir model.Direction, groupID string, n *jsonpos.Node, at func(*jsonpos.Node, string) srcpos.Location) ([]model.Rule, error) {
	loc := at(n, groupID)
	svcs, err := services(p.IPProtocol, p.FromPort, p.ToPort, loc)
	if err != nil {
		return nil, err
	}
	add := func(peer model.Peer, desc string, pn *jsonpos.Node) {
		out = append(out, model.Rule{Direction: dir, Services: svcs, Peer: peer, Description: desc,
			Origin: srcpos.Location{File: loc.File, Line: pn.LineOf(loc.Line), Address: groupID}})
	}
	for i, c := range p.IPRanges {
		pfx, err := parsePrefix(c.CidrIP, loc)
		if err != nil {
			return nil, err
		}
		add(model.Peer{Kind: model.PeerCIDR, Prefix: pfx}, c.Description, n.At("IpRanges", i))
	}
	for i, c := range p.IPv6Ranges {
		pfx, err := parsePrefix(c.CidrIPv6, loc)
		if err != nil {
			return nil, err
		}
		add(model.Peer{Kind: model.PeerCIDR, Prefix: pfx}, c.Description, n.At("Ipv6Ranges", i))
	}
	for i, pl := range p.PrefixListIDs {
		add(model.Peer{Kind: model.PeerAddressSet, Set: pl.PrefixListID}, pl.Description, n.At("PrefixListIds", i))
	}
	for i, ug := range p.UserIDGroupPairs {
		id := ug.GroupID
		if id == "" {
			id = ug.GroupName
		}
		add(model.Peer{Kind: model.PeerGroup, Group: id}, ug.Description, n.At("UserIdGroupPairs", i))
	}
	return out, nil
}

func (r *reader) securityGroupRule(s securityGroupRule, loc srcpos.Location) error {
	if s.GroupID == "" {
		return srcpos.Errorf(loc, "security group rule without GroupId")
	}
	svcs, err := services(s.IPProtocol, s.FromPort, s.ToPort, loc)
	if err != nil {
		return err
	}
	rule := model.Rule{Direction: model.Ingress, Services: svcs, Description: s.Description, ID: s.SecurityGroupRuleID, Origin: loc}
	if s.IsEgress {
		rule.Direction = model.Egress
	}
	switch {
	case s.CidrIPv4 != "" || s.CidrIPv6 != "":
		pfx, err := parsePrefix(s.CidrIPv4+s.CidrIPv6, loc)
		if err != nil {
			return err
		}
		rule.Peer = model.Peer{Kind: model.PeerCIDR, Prefix: pfx}
	case s.PrefixListID != "":
		rule.Peer = model.Peer{Kind: model.PeerAddressSet, Set: s.PrefixListID}
	case s.ReferencedGroupInfo != nil && s.ReferencedGroupInfo.GroupID != "":
		rule.Peer = model.Peer{Kind: model.PeerGroup, Group: s.ReferencedGroupInfo.GroupID}
	default:
		return srcpos.Errorf(loc, "security group rule %s names no peer: expected CidrIpv4, CidrIpv6, PrefixListId or ReferencedGroupInfo", s.SecurityGroupRuleID)
	}
	r.group(s.GroupID)
	r.ruleGroups[s.GroupID] = append(r.ruleGroups[s.GroupID], rule)
	return nil
}

// services converts an EC2 protocol and port pair. For ICMP the ports are
// the type and code, -1 meaning all; "-1" or a protocol other than tcp,
// udp, icmp and icmpv6 means every port.
func services(proto string, from, to *int, loc srcpos.Location) (netset.Services, error) {
	p, all, err := netset.ParseProtocol(proto)
	if err != nil {
		return netset.Services{}, srcpos.Errorf(loc, "IpProtocol: %v", err)
	}
	if all {
		return netset.AllServices(), nil
	}
	lo, hi := -1, -1
	if from != nil {
		lo = *from
	}
	if to != nil {
		hi = *to
	}
	switch {
	case netset.IsICMP(p):
		return netset.ICMPType(p, lo, hi), nil
	case !netset.HasPorts(p):
		return netset.Protocol(p), nil
	case from == nil && to == nil, lo == -1 && hi == -1:
		return netset.Protocol(p), nil
	case lo < 0 || hi > 65535 || lo > hi:
		return netset.Services{}, srcpos.Errorf(loc, "port range %d-%d: expected 0-65535 with FromPort ≤ ToPort", lo, hi)
	}
	return netset.Ports(p, uint16(lo), uint16(hi)), nil
}

func parsePrefix(s string, loc srcpos.Location) (netip.Prefix, error) {
	if p, ok := input.ParsePrefix(s); ok {
		return p, nil
	}
	return netip.Prefix{}, srcpos.Errorf(loc, "%q is not a CIDR block (expected such as 10.0.0.0/16 or ::/0)", strings.TrimSpace(s))
}

func (r *reader) eni(n *networkInterface, instanceID string, loc srcpos.Location) error {
	if n.NetworkInterfaceID == "" || r.eniSeen[n.NetworkInterfaceID] {
		return nil
	}
	r.eniSeen[n.NetworkInterfaceID] = true
	ifc := &model.Interface{ID: n.NetworkInterfaceID, Description: n.Description, Type: n.InterfaceType,
		Subnet: n.SubnetID, VPC: n.VpcID, Tags: tagMap(n.TagSet), Requester: n.RequesterID, Instance: instanceID, Origin: loc}
	if n.Attachment != nil && n.Attachment.InstanceID != "" {
		ifc.Instance = n.Attachment.InstanceID
	}
	for _, g := range n.Groups {
		if g.GroupID == "" {
			return srcpos.Errorf(loc, "network interface %s lists a group without GroupId", n.NetworkInterfaceID)
		}
		ifc.Groups = append(ifc.Groups, g.GroupID)
		// Every group an interface names is in the estate, described or
		// not: one left out would be a group whose rules nobody knows.
		if grp := r.group(g.GroupID); grp.Name == "" {
			grp.Name = g.GroupName
		}
	}
	ips := []string{n.PrivateIPAddress}
	for _, a := range n.PrivateIPAddresses {
		ips = append(ips, a.PrivateIPAddress)
	}
	for _, a := range n.IPv6Addresses {
		ips = append(ips, a.IPv6Address)
	}
	for _, s := range ips {
		if s == "" {
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return srcpos.Errorf(loc, "%q is not an IP address", s)
		}
		if !slices.Contains(ifc.Addrs, a) {
			ifc.Addrs = append(ifc.Addrs, a)
		}
	}
	r.enis = append(r.enis, ifc)
	return nil
}

func (r *reader) vpc(v vpc, loc srcpos.Location) error {
	m := &model.VPC{ID: v.VpcID, Origin: loc}
	cidrs := []string{v.CidrBlock}
	for _, a := range v.CidrBlockAssociationSet {
		if a.CidrBlockState.State == "" || a.CidrBlockState.State == "associated" {
			cidrs = append(cidrs, a.CidrBlock)
		}
	}
	for _, a := range v.IPv6CidrBlockAssociationSet {
		if a.IPv6CidrBlockState.State == "" || a.IPv6CidrBlockState.State == "associated" {
			cidrs = append(cidrs, a.IPv6CidrBlock)
		}
	}
	for _, c := range cidrs {
		if c == "" {
			continue
		}
		p, err := parsePrefix(c, loc)
		if err != nil {
			return err
		}
		if !slices.Contains(m.CIDRs, p) {
			m.CIDRs = append(m.CIDRs, p)
		}
	}
	r.vpcs[v.VpcID] = m
	return nil
}
