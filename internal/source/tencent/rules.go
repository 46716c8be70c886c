package tencent

import (
	"bytes"
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"go4.org/netipx"

	"github.com/clusterwall/clusterwall/internal/model"
	"github.com/clusterwall/clusterwall/internal/netset"
	"github.com/clusterwall/clusterwall/internal/source/input"
	"github.com/clusterwall/clusterwall/internal/source/jsonpos"
	"github.com/clusterwall/clusterwall/internal/srcpos"
)

// pendingRule is a rule whose services come from a service template
// (ppm-…) or a service template group (ppmg-…), resolved once every file
// is read.
type pendingRule struct {
	group string
	index int // into the group's Rules
	svcID string
}

// policySet reads one DescribeSecurityGroupPolicies answer. The answer
// does not name its group, so the file's name must.
func (r *reader) policySet(file string, ps *policySet, n *jsonpos.Node, loc at) error {
	setLoc := loc(n, "")
	ids := groupIDsIn(file, "sg-")
	switch len(ids) {
	case 0:
		return srcpos.Errorf(setLoc, "DescribeSecurityGroupPolicies output does not name its security group: name the file after the group, such as sg-xxxxxxxx.json or sg-xxxxxxxx-policies.json (tccli vpc DescribeSecurityGroupPolicies --SecurityGroupId sg-xxxxxxxx > sg-xxxxxxxx.json)")
	case 1:
	default:
		return srcpos.Errorf(setLoc, "the file name holds several security group ids (%s): name the file after the one group whose policies it holds", strings.Join(ids, ", "))
	}
	id := ids[0]
	if v := bytes.TrimSpace(ps.Version); len(v) > 0 && v[0] != '"' && v[0] != 'n' {
		if _, err := strconv.ParseFloat(string(v), 64); err != nil {
			return srcpos.Errorf(setLoc, "SecurityGroupPolicySet.Version: expected a string or a number, found %s", v)
		}
	}
	if prev, ok := r.ruled[id]; ok {
		r.note("%s: the policies of the group are in both %s and %s; the first is used", id, prev, file)
		return nil
	}
	r.ruled[id] = file
	g := r.group(id, loc(n, id))
	if !r.described[id] {
		g.Origin = loc(n, id)
	}
	for dir, list := range [][]policy{ps.Ingress, ps.Egress} {
		d := model.Direction(dir)
		key := "Ingress"
		if d == model.Egress {
			key = "Egress"
		}
		for _, i := range matchOrder(list) {
			p := list[i]
			idx := i
			if p.PolicyIndex != nil {
				idx = int(*p.PolicyIndex)
			}
			rule, svcID, err := r.policyRule(p, d, id, loc(n.At(key, i), id))
			if err != nil {
				return err
			}
			rule.ID = fmt.Sprintf("%s[%d]", d, idx)
			g.Rules = append(g.Rules, rule)
			if svcID != "" {
				r.pending = append(r.pending, pendingRule{group: id, index: len(g.Rules) - 1, svcID: svcID})
			}
		}
	}
	return nil
}

// matchOrder returns the indexes of the policies in the order Tencent
// matches them: by PolicyIndex when every policy has one, else as listed.
func matchOrder(ps []policy) []int {
	order := make([]int, len(ps))
	indexed := true
	for i, p := range ps {
		order[i] = i
		indexed = indexed && p.PolicyIndex != nil
	}
	if indexed {
		slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(*ps[a].PolicyIndex, *ps[b].PolicyIndex) })
	}
	return order
}

// policyRule converts one policy. svcID names the service template the
// rule's services come from, to be resolved later.
func (r *reader) policyRule(p policy, dir model.Direction, own string, loc srcpos.Location) (model.Rule, string, error) {
	rule := model.Rule{Direction: dir, Description: p.PolicyDescription, Origin: loc}
	switch strings.ToUpper(strings.TrimSpace(p.Action)) {
	case "ACCEPT":
		rule.Action = model.Accept
	case "DROP":
		rule.Action = model.Drop
	default:
		return rule, "", srcpos.Errorf(loc, "Action %q: expected ACCEPT or DROP", p.Action)
	}
	svcID := ""
	if st := p.ServiceTemplate; st != nil {
		svcID = cmp.Or(strings.TrimSpace(st.ServiceID), strings.TrimSpace(st.ServiceGroupID))
	}
	if svcID != "" {
		// The template decides; until it is resolved the rule may match
		// anything.
		rule.Services = netset.AllServices()
	} else {
		svcs, err := policyServices(p.Protocol, p.Port)
		if err != nil {
			return rule, "", srcpos.Errorf(loc, "%v", err)
		}
		rule.Services = svcs
	}
	peer, err := r.policyPeer(p, own, loc)
	if err != nil {
		return rule, "", err
	}
	rule.Peer = peer
	return rule, svcID, nil
}

// policyPeer reads the one peer a policy names.
func (r *reader) policyPeer(p policy, own string, loc srcpos.Location) (model.Peer, error) {
	var addrID, addrGroupID string
	if at := p.AddressTemplate; at != nil {
		addrID, addrGroupID = strings.TrimSpace(at.AddressID), strings.TrimSpace(at.AddressGroupID)
	}
	cidr, cidr6, sg := strings.TrimSpace(p.CidrBlock), strings.TrimSpace(p.Ipv6CidrBlock), strings.TrimSpace(p.SecurityGroupID)
	var named []string
	for _, f := range []struct{ name, v string }{{"CidrBlock", cidr}, {"Ipv6CidrBlock", cidr6}, {"SecurityGroupId", sg},
		{"AddressTemplate.AddressId", addrID}, {"AddressTemplate.AddressGroupId", addrGroupID}} {
		if f.v != "" {
			named = append(named, f.name)
		}
	}
	switch len(named) {
	case 0:
		return model.Peer{}, srcpos.Errorf(loc, "policy names no peer: expected one of CidrBlock, Ipv6CidrBlock, SecurityGroupId or AddressTemplate")
	case 1:
	default:
		return model.Peer{}, srcpos.Errorf(loc, "policy names several peers (%s): the API allows only one", strings.Join(named, ", "))
	}
	switch {
	case cidr != "":
		pfx, err := policyCIDR(cidr, loc)
		return model.Peer{Kind: model.PeerCIDR, Prefix: pfx}, err
	case cidr6 != "":
		pfx, err := parsePrefix(cidr6, loc)
		if err == nil && !pfx.Addr().Is6() {
			err = srcpos.Errorf(loc, "Ipv6CidrBlock %q is an IPv4 range: expected an IPv6 one (IPv4 goes in CidrBlock)", cidr6)
		}
		return model.Peer{Kind: model.PeerCIDR, Prefix: pfx}, err
	case sg != "":
		// Another group stands for the private addresses of the instances
		// bound to it; the own id is the group itself.
		if sg != own {
			r.group(sg, loc)
		}
		return model.Peer{Kind: model.PeerGroup, Group: sg}, nil
	case addrID != "":
		r.addrRefs = append(r.addrRefs, ref{addrID, loc})
		return model.Peer{Kind: model.PeerAddressSet, Set: addrID}, nil
	}
	r.addrRefs = append(r.addrRefs, ref{addrGroupID, loc})
	return model.Peer{Kind: model.PeerAddressSet, Set: addrGroupID}, nil
}

// policyCIDR reads a policy's CidrBlock. Tencent maps 0.0.0.0/n to
// 0.0.0.0/0 ("0.0.0.0/n 都会映射为0.0.0.0/0", vpc SecurityGroupPolicy),
// so such a block is every IPv4 address, not the /n it says.
func policyCIDR(s string, loc srcpos.Location) (netip.Prefix, error) {
	p, err := parsePrefix(s, loc)
	if err == nil && p.Addr() == netip.IPv4Unspecified() {
		p = netip.PrefixFrom(p.Addr(), 0)
	}
	return p, err
}

// policyServices reads a Protocol and Port as the API gives them:
// protocols TCP, UDP, ICMP, ICMPv6, GRE or ALL in any case; ports "ALL"
// (or none), "80", "80,443" or "8000-8010", for TCP and UDP only.
func policyServices(proto, port string) (netset.Services, error) {
	proto, port = strings.TrimSpace(proto), strings.TrimSpace(port)
	if proto == "" {
		return netset.Services{}, fmt.Errorf("policy has no Protocol: expected TCP, UDP, ICMP, ICMPv6, GRE or ALL, or a ServiceTemplate")
	}
	// The API knows these protocols only (vpc SecurityGroupPolicy.Protocol);
	// netset reads more (SCTP, numbers), which no answer holds.
	var p uint8
	var all bool
	var err error
	switch strings.ToUpper(proto) {
	case "TCP", "UDP", "ICMP", "ICMPV6", "GRE", "ALL":
		p, all, err = netset.ParseProtocol(proto)
	default:
		err = fmt.Errorf("unknown protocol")
	}
	if err != nil {
		return netset.Services{}, fmt.Errorf("Protocol %q: expected TCP, UDP, ICMP, ICMPv6, GRE or ALL", proto)
	}
	allPorts := port == "" || strings.EqualFold(port, "all") || port == "-1"
	switch {
	case all:
		if !allPorts {
			return netset.Services{}, fmt.Errorf("Port %q with Protocol %s: the API allows only ALL", port, proto)
		}
		return netset.AllServices(), nil
	case !netset.HasPorts(p):
		if !allPorts {
			return netset.Services{}, fmt.Errorf("Port %q with Protocol %s: only TCP and UDP policies have ports", port, proto)
		}
		return netset.Protocol(p), nil
	case allPorts:
		return netset.Protocol(p), nil
	}
	var out netset.Services
	for _, part := range strings.Split(port, ",") {
		lo, hi, ok := portRange(part)
		if !ok {
			return netset.Services{}, fmt.Errorf("Port %q: expected ALL, a port (80), a list (80,443) or a range (8000-8010) of ports 0-65535", port)
		}
		out = out.Union(netset.Ports(p, lo, hi))
	}
	return out, nil
}

func portRange(s string) (lo, hi uint16, ok bool) {
	a, b, isRange := strings.Cut(strings.TrimSpace(s), "-")
	if !isRange {
		b = a
	}
	x, err1 := strconv.ParseUint(strings.TrimSpace(a), 10, 16)
	y, err2 := strconv.ParseUint(strings.TrimSpace(b), 10, 16)
	if err1 != nil || err2 != nil || x > y {
		return 0, 0, false
	}
	return uint16(x), uint16(y), true
}

// serviceEntry reads one entry of a service template: "tcp:80",
// "tcp: 8080", "udp:53-54", "tcp:80,443", "icmp", "gre", "ALL".
func serviceEntry(s string) (netset.Services, error) {
	proto, port, _ := strings.Cut(strings.TrimSpace(s), ":")
	return policyServices(proto, port)
}

type serviceTemplateDoc struct {
	t   serviceTemplate
	loc srcpos.Location
}

type serviceGroupDoc struct {
	g   serviceTemplateGroup
	loc srcpos.Location
}

type addressTemplateDoc struct {
	t   addressTemplate
	loc srcpos.Location
}

type addressGroupDoc struct {
	g   addressTemplateGroup
	loc srcpos.Location
}

// services resolves a service template or group: the services, or why
// they are not known.
func (r *reader) services(id string) (netset.Services, string) {
	if strings.HasPrefix(id, "ppmg-") {
		g := r.svcGroups[id]
		if g == nil {
			return netset.Services{}, fmt.Sprintf("the templates of service template group %s are not in the input (add `tccli vpc DescribeServiceTemplateGroups` and `tccli vpc DescribeServiceTemplates` output)", id)
		}
		var out netset.Services
		for _, m := range serviceMembers(g.g) {
			s, why := r.serviceTemplate(m)
			if why != "" {
				return netset.Services{}, fmt.Sprintf("service template group %s: %s", id, why)
			}
			out = out.Union(s)
		}
		return out, ""
	}
	return r.serviceTemplate(id)
}

func serviceMembers(g serviceTemplateGroup) []string {
	ids := slices.Clone(g.ServiceTemplateIDSet)
	for _, t := range g.ServiceTemplateSet {
		if t.ServiceTemplateID != "" && !slices.Contains(ids, t.ServiceTemplateID) {
			ids = append(ids, t.ServiceTemplateID)
		}
	}
	return ids
}

func (r *reader) serviceTemplate(id string) (netset.Services, string) {
	t := r.svcTemplates[id]
	if t == nil {
		return netset.Services{}, fmt.Sprintf("the protocols and ports of service template %s are not in the input (add `tccli vpc DescribeServiceTemplates` output)", id)
	}
	entries := slices.Clone(t.t.ServiceSet)
	for _, e := range t.t.ServiceExtraSet {
		if !slices.Contains(entries, e.Service) {
			entries = append(entries, e.Service)
		}
	}
	var out netset.Services
	for _, e := range entries {
		s, err := serviceEntry(e)
		if err != nil {
			return netset.Services{}, fmt.Sprintf("service template %s (%s) holds %q, which clusterwall cannot read: %v", id, t.loc, e, err)
		}
		out = out.Union(s)
	}
	return out, ""
}

// addressSet resolves an address template or group into a model set.
func (r *reader) addressSet(id string) *model.AddressSet {
	set := &model.AddressSet{ID: id}
	if strings.HasPrefix(id, "ipmg-") {
		g := r.addrGroups[id]
		if g == nil {
			set.Unknown = fmt.Sprintf("the templates of address template group %s are not in the input (add `tccli vpc DescribeAddressTemplateGroups` and `tccli vpc DescribeAddressTemplates` output)", id)
			return set
		}
		set.Name, set.Origin = g.g.AddressTemplateGroupName, g.loc
		for _, m := range addressMembers(g.g) {
			sub := r.addressTemplate(m)
			if sub.Unknown != "" {
				set.Prefixes, set.Unknown = nil, fmt.Sprintf("address template group %s: %s", id, sub.Unknown)
				return set
			}
			set.Prefixes = append(set.Prefixes, sub.Prefixes...)
		}
		set.Prefixes = netset.SetOf(set.Prefixes...).Prefixes()
		return set
	}
	return r.addressTemplate(id)
}

func addressMembers(g addressTemplateGroup) []string {
	ids := slices.Clone(g.AddressTemplateIDSet)
	for _, t := range g.AddressTemplateSet {
		if t.AddressTemplateID != "" && !slices.Contains(ids, t.AddressTemplateID) {
			ids = append(ids, t.AddressTemplateID)
		}
	}
	return ids
}

func (r *reader) addressTemplate(id string) *model.AddressSet {
	set := &model.AddressSet{ID: id}
	t := r.addrTemplates[id]
	if t == nil {
		set.Unknown = fmt.Sprintf("the addresses of address template %s are not in the input (add `tccli vpc DescribeAddressTemplates` output)", id)
		return set
	}
	set.Name, set.Origin = t.t.AddressTemplateName, t.loc
	entries := slices.Clone(t.t.AddressSet)
	for _, e := range t.t.AddressExtraSet {
		if !slices.Contains(entries, e.Address) {
			entries = append(entries, e.Address)
		}
	}
	var b netipx.IPSetBuilder
	for _, e := range entries {
		ps, ok := addressEntry(e)
		if !ok {
			set.Unknown = fmt.Sprintf("address template %s (%s) holds %q, which is not an address, a CIDR block or a range", id, t.loc, e)
			return set
		}
		for _, p := range ps {
			b.AddPrefix(p)
		}
	}
	s, _ := b.IPSet()
	set.Prefixes = s.Prefixes()
	return set
}

// addressEntry reads "10.0.0.1", "10.0.0.0/24" or "10.0.0.1-10.0.0.20".
func addressEntry(s string) ([]netip.Prefix, bool) {
	s = strings.TrimSpace(s)
	if a, b, ok := strings.Cut(s, "-"); ok {
		from, err1 := netip.ParseAddr(strings.TrimSpace(a))
		to, err2 := netip.ParseAddr(strings.TrimSpace(b))
		if err1 != nil || err2 != nil {
			return nil, false
		}
		rng := netipx.IPRangeFrom(from, to)
		if !rng.IsValid() {
			return nil, false
		}
		return rng.Prefixes(), true
	}
	if p, ok := input.ParsePrefix(s); ok {
		return []netip.Prefix{p}, true
	}
	return nil, false
}
