// Package tfaws maps the instances of Terraform aws_* resources (from an
// evaluated HCL configuration or a plan) into the model: security groups
// and their rules, VPCs, subnets and prefix lists, and the EKS clusters
// with their control plane, node groups, Fargate profiles and load
// balancers. What the configuration does not decide is unknown, with the
// reason; nothing is guessed.
package tfaws

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/zclconf/go-cty/cty"

	"github.com/clusterwall/clusterwall/internal/model"
	"github.com/clusterwall/clusterwall/internal/source/tfinst"
	"github.com/clusterwall/clusterwall/internal/srcpos"
)

// Mapper maps aws_* resources.
type Mapper struct{}

// Prefixes implements tfinst.Mapper.
func (Mapper) Prefixes() []string { return []string{"aws_"} }

// Computed attributes that name other objects.
const (
	attrClusterGroup      = "vpc_config[0].cluster_security_group_id"
	attrRemoteAccessGroup = "resources[0].remote_access_security_group_id"
	attrVPCDefaultGroup   = "default_security_group_id"
)

// References implements tfinst.Mapper.
func (Mapper) References(typ string) []string {
	switch typ {
	case "aws_eks_cluster":
		return []string{attrClusterGroup}
	case "aws_eks_node_group":
		return []string{attrRemoteAccessGroup}
	case "aws_vpc":
		return []string{attrVPCDefaultGroup}
	case "aws_launch_template", "aws_launch_configuration":
		// Computed from name_prefix when name is not given; node groups
		// and Auto Scaling groups name them by it.
		return []string{"name"}
	}
	return nil
}

// IDAttribute implements tfinst.Mapper: an EKS cluster's id is its name,
// which configurations use in tags (kubernetes.io/cluster/${….id}).
func (Mapper) IDAttribute(typ string) string {
	if typ == "aws_eks_cluster" {
		return "name"
	}
	return ""
}

// Tags that tie resources to an EKS cluster.
const (
	tagK8sClusterPrefix = "kubernetes.io/cluster/"
	tagEKSClusterName   = "aws:eks:cluster-name"
)

type clusterInfo struct {
	c    *model.Cluster
	inst *tfinst.Instance // nil for a cluster the configuration only names
}

type mapper struct {
	c        *tfinst.Context
	e        *model.Estate
	clusters []*clusterInfo
}

// Map implements tfinst.Mapper.
func (Mapper) Map(c *tfinst.Context) error {
	m := &mapper{c: c, e: c.Estate}
	steps := []func() error{
		m.vpcs, m.subnets, m.prefixLists, m.securityGroups, m.eksClusters,
		m.nodeGroups, m.autoscalingGroups, m.fargateProfiles, m.loadBalancers,
		m.securityGroupRules, m.vpcSecurityGroupRules, m.eksAddons, m.vpcEndpoints,
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	m.completeReferences()
	return nil
}

func (m *mapper) vpcs() error {
	for _, in := range m.c.Of("aws_vpc") {
		if !m.c.Expanded(in, "the VPC") {
			continue
		}
		v := &model.VPC{ID: m.c.Key(in.Address), Origin: in.Origin}
		for _, attr := range []string{"cidr_block", "ipv6_cidr_block"} {
			if err := m.addCIDR(&v.CIDRs, in, attr); err != nil {
				return err
			}
		}
		m.e.VPCs[v.ID] = v
	}
	for _, typ := range []string{"aws_vpc_ipv4_cidr_block_association", "aws_vpc_ipv6_cidr_block_association"} {
		for _, in := range m.c.Of(typ) {
			if !m.c.Expanded(in, "the CIDR block association") {
				continue
			}
			key, why := m.c.RefKey(tfinst.Get(in.Values, "vpc_id"))
			v := m.e.VPCs[key]
			if v == nil {
				if why != "" {
					m.c.Note("%s: the VPC is not known (%s)", in.Address, why)
				}
				continue
			}
			attr := "cidr_block"
			if strings.Contains(typ, "ipv6") {
				attr = "ipv6_cidr_block"
			}
			if err := m.addCIDR(&v.CIDRs, in, attr); err != nil {
				return err
			}
		}
	}
	return nil
}

// addCIDR appends a known CIDR attribute; unknown ones are left out (the
// VPC's range is then smaller than it is, which only makes "vpc" and
// "internet" less precise).
func (m *mapper) addCIDR(dst *[]netip.Prefix, in *tfinst.Instance, attr string) error {
	v := tfinst.Get(in.Values, attr)
	s, ok := tfinst.String(v)
	if !ok || s == "" || tfinst.ContainsRef(s) {
		return nil
	}
	p, err := parsePrefix(s)
	if err != nil {
		return srcpos.Errorf(in.Origin, "%s: %v", attr, err)
	}
	if !slices.Contains(*dst, p) {
		*dst = append(*dst, p)
	}
	return nil
}

func (m *mapper) subnets() error {
	for _, in := range m.c.Of("aws_subnet") {
		if !m.c.Expanded(in, "the subnet") {
			continue
		}
		vpc, _ := m.c.RefKey(tfinst.Get(in.Values, "vpc_id"))
		s := &model.Subnet{ID: m.c.Key(in.Address), VPC: vpc, Origin: in.Origin}
		for _, attr := range []string{"cidr_block", "ipv6_cidr_block"} {
			if err := m.addCIDR(&s.CIDRs, in, attr); err != nil {
				return err
			}
		}
		m.e.Subnets[s.ID] = s
	}
	return nil
}

func (m *mapper) prefixLists() error {
	for _, in := range m.c.Of("aws_ec2_managed_prefix_list") {
		if !m.c.Expanded(in, "the prefix list") {
			continue
		}
		set := &model.AddressSet{ID: m.c.Key(in.Address), Origin: in.Origin}
		set.Name, _ = tfinst.String(tfinst.Get(in.Values, "name"))
		if why := in.UnknownBlocks["entry"]; why != "" {
			set.Unknown = "the entries are not known: " + why
		}
		for i, e := range tfinst.Blocks(in.Values, "entry") {
			cidr := tfinst.Get(e, "cidr")
			s, ok := tfinst.String(cidr)
			if !ok || tfinst.ContainsRef(s) {
				set.Unknown = "an entry is not known: " + tfinst.ReasonOr(cidr, "it is computed at apply time")
				continue
			}
			p, err := parsePrefix(s)
			if err != nil {
				return srcpos.Errorf(in.BlockOrigin(fmt.Sprintf("entry[%d]", i)), "cidr: %v", err)
			}
			set.Prefixes = append(set.Prefixes, p)
		}
		m.e.AddressSets[set.ID] = set
	}
	for _, in := range m.c.Of("aws_ec2_managed_prefix_list_entry") {
		key, why := m.c.RefKey(tfinst.Get(in.Values, "prefix_list_id"))
		set := m.e.AddressSets[key]
		if set == nil {
			if why != "" {
				m.c.Note("%s: the prefix list is not known (%s)", in.Address, why)
			}
			continue
		}
		if in.ExpansionUnknown != "" {
			set.Unknown = fmt.Sprintf("%s: %s", in.Address, in.ExpansionUnknown)
			continue
		}
		cidr := tfinst.Get(in.Values, "cidr")
		s, ok := tfinst.String(cidr)
		if !ok || tfinst.ContainsRef(s) {
			set.Unknown = fmt.Sprintf("%s: the cidr is not known: %s", in.Address, tfinst.ReasonOr(cidr, "it is computed at apply time"))
			continue
		}
		p, err := parsePrefix(s)
		if err != nil {
			return srcpos.Errorf(in.Origin, "cidr: %v", err)
		}
		set.Prefixes = append(set.Prefixes, p)
	}
	return nil
}

func (m *mapper) securityGroups() error {
	for _, in := range m.c.Of("aws_security_group") {
		if !m.c.Expanded(in, "the security group") {
			continue
		}
		key := m.c.Key(in.Address)
		g := &model.Group{ID: key, Provider: model.AWS, Origin: in.Origin}
		g.Name, _ = tfinst.String(tfinst.Get(in.Values, "name"))
		g.Description, _ = tfinst.String(tfinst.Get(in.Values, "description"))
		if g.Description == "" && tfinst.Absent(tfinst.Get(in.Values, "description")) {
			g.Description = "Managed by Terraform" // the provider's default
		}
		g.VPC, _ = m.c.RefKey(tfinst.Get(in.Values, "vpc_id"))
		g.Tags, _ = tfinst.StringMap(tfinst.Get(in.Values, "tags"))
		if name := g.Tags["Name"]; name != "" && name != g.Name {
			g.Aliases = append(g.Aliases, name)
		}
		if prefix, ok := tfinst.String(tfinst.Get(in.Values, "name_prefix")); ok && g.Name == "" {
			// AWS adds a unique suffix; users know the group by the prefix.
			if p := strings.TrimRight(prefix, "-_"); p != "" && !slices.Contains(g.Aliases, p) {
				g.Aliases = append(g.Aliases, p)
			}
		}
		g.Aliases = append(g.Aliases, m.c.Aliases(in.Address)...)
		// Terraform removes the allow-all egress rule that AWS adds, so a
		// group has exactly the rules the configuration gives it.
		for _, dir := range []model.Direction{model.Ingress, model.Egress} {
			attr := dir.String()
			if why := in.UnknownBlocks[attr]; why != "" {
				g.ExclusiveRules = true
				g.RulesUnknown = joinWhy(g.RulesUnknown, fmt.Sprintf("the %s rules are made by a dynamic block over a value that is not known: %s", attr, why))
			}
			v := tfinst.Get(in.Values, attr)
			if v == cty.NilVal {
				continue
			}
			// Inline rules (even an empty list) own the whole rule set of
			// the group: Terraform removes rules added by other resources.
			g.ExclusiveRules = true
			elems, known := tfinst.List(v)
			if !known {
				g.RulesUnknown = joinWhy(g.RulesUnknown, fmt.Sprintf("the %s rules are not known: %s", attr, tfinst.ReasonOr(v, "they are computed at apply time")))
				continue
			}
			for i, r := range elems {
				loc := in.BlockOrigin(fmt.Sprintf("%s[%d]", attr, i))
				if !tfinst.Known(r) {
					g.RulesUnknown = joinWhy(g.RulesUnknown, fmt.Sprintf("%s rule %d is not known: %s", attr, i, tfinst.ReasonOr(r, "it is computed at apply time")))
					continue
				}
				if t := r.Type(); tfinst.Absent(r) || !(t.IsObjectType() || t.IsMapType()) {
					return srcpos.Errorf(loc, "%s: expected rule objects ({protocol, from_port, to_port, cidr_blocks, …}), found %s", attr, tfinst.Describe(r))
				}
				rules, err := m.inlineRule(dir, r, key, loc)
				if err != nil {
					return err
				}
				g.Rules = append(g.Rules, rules...)
			}
		}
		m.e.AddGroup(g)
	}
	return nil
}

func joinWhy(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

func (m *mapper) inlineRule(dir model.Direction, r cty.Value, group string, loc srcpos.Location) ([]model.Rule, error) {
	svcs, portsUnknown, err := services(tfinst.Get(r, "protocol"), tfinst.Get(r, "from_port"), tfinst.Get(r, "to_port"), loc)
	if err != nil {
		return nil, err
	}
	ps := &peerSet{m: m, loc: loc}
	if err := ps.cidrs("cidr_blocks", tfinst.Get(r, "cidr_blocks")); err != nil {
		return nil, err
	}
	if err := ps.cidrs("ipv6_cidr_blocks", tfinst.Get(r, "ipv6_cidr_blocks")); err != nil {
		return nil, err
	}
	ps.prefixLists("prefix_list_ids", tfinst.Get(r, "prefix_list_ids"))
	ps.groups("security_groups", tfinst.Get(r, "security_groups"))
	ps.self(tfinst.Get(r, "self"), group)
	desc, _ := tfinst.String(tfinst.Get(r, "description"))
	if len(ps.peers) == 0 {
		m.c.Note("%s: an %s rule names no source or destination, so it allows nothing", loc, dir)
	}
	return rulesFor(dir, svcs, portsUnknown, ps.peers, desc, "", false, loc), nil
}

// group returns the group of a key, making one whose rules are unknown
// when the configuration only names it.
func (m *mapper) group(key string) *model.Group {
	if g := m.e.Groups[key]; g != nil {
		return g
	}
	g := &model.Group{ID: key, Provider: model.AWS, RulesUnknown: m.undeclared(key)}
	m.e.Groups[key] = g
	return g
}

// undeclared says why the rules of a group named but not declared in the
// configuration are not known.
func (m *mapper) undeclared(key string) string {
	addr := strings.TrimPrefix(key, m.c.Prefix)
	if strings.HasSuffix(addr, "."+attrVPCDefaultGroup) {
		return fmt.Sprintf("%s is the VPC's default security group, whose rules the configuration does not manage", addr)
	}
	if strings.HasPrefix(key, "sg-") {
		return fmt.Sprintf("%s is not declared in the configuration (add `aws ec2 describe-security-groups --group-ids %s` output)", key, key)
	}
	return fmt.Sprintf("%s is named but not declared in the configuration, so its rules are not known", addr)
}

// ruleTarget finds the group a rule resource adds to, or notes why not.
// It is nil too when the resource's count or for_each is not known: the
// group's rules are then not known, and say so.
func (m *mapper) ruleTarget(in *tfinst.Instance) *model.Group {
	key, why := m.c.RefKey(tfinst.Get(in.Values, "security_group_id"))
	if key == "" {
		m.c.Note("%s: the security group it adds to is not known (%s), so the rule is left out", in.Address, cmp.Or(why, "security_group_id is not set"))
		return nil
	}
	g := m.group(key)
	if in.ExpansionUnknown != "" {
		g.RulesUnknown = joinWhy(g.RulesUnknown, in.ExpansionUnknown)
		return nil
	}
	return g
}

// securityGroupRules maps aws_security_group_rule.
func (m *mapper) securityGroupRules() error {
	for _, in := range m.c.Of("aws_security_group_rule") {
		v := in.Values
		g := m.ruleTarget(in)
		if g == nil {
			continue
		}
		typ := tfinst.Get(v, "type")
		var dir model.Direction
		switch s, _ := tfinst.String(typ); s {
		case "ingress":
			dir = model.Ingress
		case "egress":
			dir = model.Egress
		case "":
			g.RulesUnknown = joinWhy(g.RulesUnknown, fmt.Sprintf("the type of %s is not known: %s", in.Address, tfinst.ReasonOr(typ, "type is not set")))
			continue
		default:
			return srcpos.Errorf(in.Origin, "type %q: expected ingress or egress", s)
		}
		svcs, portsUnknown, err := services(tfinst.Get(v, "protocol"), tfinst.Get(v, "from_port"), tfinst.Get(v, "to_port"), in.Origin)
		if err != nil {
			return err
		}
		ps := &peerSet{m: m, loc: in.Origin}
		if err := ps.cidrs("cidr_blocks", tfinst.Get(v, "cidr_blocks")); err != nil {
			return err
		}
		if err := ps.cidrs("ipv6_cidr_blocks", tfinst.Get(v, "ipv6_cidr_blocks")); err != nil {
			return err
		}
		ps.prefixLists("prefix_list_ids", tfinst.Get(v, "prefix_list_ids"))
		ps.groups("source_security_group_id", tfinst.Get(v, "source_security_group_id"))
		ps.self(tfinst.Get(v, "self"), g.ID)
		if len(ps.peers) == 0 {
			m.c.Note("%s: the rule names no source or destination, so it allows nothing", in.Address)
		}
		desc, _ := tfinst.String(tfinst.Get(v, "description"))
		g.Rules = append(g.Rules, rulesFor(dir, svcs, portsUnknown, ps.peers, desc, in.Address, true, in.Origin)...)
	}
	return nil
}

// vpcSecurityGroupRules maps aws_vpc_security_group_ingress_rule and
// aws_vpc_security_group_egress_rule: one peer each.
func (m *mapper) vpcSecurityGroupRules() error {
	for _, typ := range []string{"aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule"} {
		dir := model.Ingress
		if strings.Contains(typ, "egress") {
			dir = model.Egress
		}
		for _, in := range m.c.Of(typ) {
			v := in.Values
			g := m.ruleTarget(in)
			if g == nil {
				continue
			}
			svcs, portsUnknown, err := services(tfinst.Get(v, "ip_protocol"), tfinst.Get(v, "from_port"), tfinst.Get(v, "to_port"), in.Origin)
			if err != nil {
				return err
			}
			ps := &peerSet{m: m, loc: in.Origin}
			if err := ps.cidrs("cidr_ipv4", tfinst.Get(v, "cidr_ipv4")); err != nil {
				return err
			}
			if err := ps.cidrs("cidr_ipv6", tfinst.Get(v, "cidr_ipv6")); err != nil {
				return err
			}
			ps.prefixLists("prefix_list_id", tfinst.Get(v, "prefix_list_id"))
			ps.groups("referenced_security_group_id", tfinst.Get(v, "referenced_security_group_id"))
			if len(ps.peers) == 0 {
				m.c.Note("%s: the rule names no peer, so it allows nothing", in.Address)
			}
			desc, _ := tfinst.String(tfinst.Get(v, "description"))
			g.Rules = append(g.Rules, rulesFor(dir, svcs, portsUnknown, ps.peers, desc, in.Address, true, in.Origin)...)
		}
	}
	return nil
}

func (m *mapper) vpcEndpoints() error {
	for _, in := range m.c.Of("aws_vpc_endpoint") {
		svc, _ := tfinst.String(tfinst.Get(in.Values, "service_name"))
		if svc == "" {
			svc = "a service not known before apply"
		}
		m.c.Note("%s (%s): VPC endpoints and their security groups are not analysed yet", in.Address, tfinst.Printable(svc))
	}
	return nil
}

// completeReferences gives every group and prefix list that a rule or a
// member names, but the configuration does not declare, an entry whose
// contents are unknown.
func (m *mapper) completeReferences() {
	var groups, sets []string
	for _, g := range m.e.SortedGroups() {
		for _, r := range g.Rules {
			switch r.Peer.Kind {
			case model.PeerGroup:
				groups = append(groups, r.Peer.Group)
			case model.PeerAddressSet:
				sets = append(sets, r.Peer.Set)
			}
		}
	}
	for _, ci := range m.clusters {
		for _, mem := range ci.c.Members {
			groups = append(groups, mem.Groups...)
		}
	}
	for _, lb := range m.e.LoadBalancers {
		groups = append(groups, lb.Groups...)
	}
	for _, key := range groups {
		m.group(key)
	}
	for _, key := range sets {
		if m.e.AddressSets[key] != nil {
			continue
		}
		why := fmt.Sprintf("%s is not declared in the configuration, so its entries are not known", strings.TrimPrefix(key, m.c.Prefix))
		if strings.HasPrefix(key, "pl-") {
			why = fmt.Sprintf("the entries of prefix list %s are not in the input (add `aws ec2 get-managed-prefix-list-entries --prefix-list-id %s` output, saved as %s.json)", key, key, key)
		}
		m.e.AddressSets[key] = &model.AddressSet{ID: key, Unknown: why}
	}
}
