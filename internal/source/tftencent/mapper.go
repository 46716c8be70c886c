// Package tftencent maps the instances of Terraform tencentcloud_*
// resources (from an evaluated HCL configuration or a plan) into the
// model: security groups with their ordered ACCEPT/DROP rules (rule sets,
// lite rules and single rules), address and protocol templates, VPCs and
// subnets, and TKE clusters with their masters, API endpoints, workers,
// node pools and CLBs. Groups follow Tencent semantics: first match wins,
// groups in binding order, a group without rules drops everything. What
// the configuration does not decide is unknown, with the reason; nothing
// is guessed.
package tftencent

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/zclconf/go-cty/cty"

	"github.com/clusterwall/clusterwall/internal/model"
	"github.com/clusterwall/clusterwall/internal/netset"
	"github.com/clusterwall/clusterwall/internal/source/tfinst"
	"github.com/clusterwall/clusterwall/internal/srcpos"
)

// Mapper maps tencentcloud_* resources.
type Mapper struct{}

// Prefixes implements tfinst.Mapper.
func (Mapper) Prefixes() []string { return []string{"tencentcloud_"} }

// References implements tfinst.Mapper: the resources mapped here name
// each other by id only.
func (Mapper) References(string) []string { return nil }

// IDAttribute implements tfinst.Mapper: no id equals a configured
// attribute (a cluster's id is cls-…, not its name).
func (Mapper) IDAttribute(string) string { return "" }

// Resource types.
const (
	typeVPC             = "tencentcloud_vpc"
	typeSubnet          = "tencentcloud_subnet"
	typeGroup           = "tencentcloud_security_group"
	typeRuleSet         = "tencentcloud_security_group_rule_set"
	typeLiteRule        = "tencentcloud_security_group_lite_rule"
	typeRule            = "tencentcloud_security_group_rule"
	typeAddrTemplate    = "tencentcloud_address_template"
	typeAddrGroup       = "tencentcloud_address_template_group"
	typeSvcTemplate     = "tencentcloud_protocol_template"
	typeSvcGroup        = "tencentcloud_protocol_template_group"
	typeCluster         = "tencentcloud_kubernetes_cluster"
	typeClusterEndpoint = "tencentcloud_kubernetes_cluster_endpoint"
	typeNodePool        = "tencentcloud_kubernetes_node_pool"
	typeNativeNodePool  = "tencentcloud_kubernetes_native_node_pool"
	typeScaleWorker     = "tencentcloud_kubernetes_scale_worker"
	typeCLB             = "tencentcloud_clb_instance"
)

type mapper struct {
	c *tfinst.Context
	e *model.Estate
	// svcs are the protocol templates and groups the configuration
	// declares, by key.
	svcs map[string]svcTemplate
	// owners: the resource that owns each group's whole rule set (a rule
	// set or a lite rule), by group key.
	owners   map[string]string
	clusters []*clusterInfo
}

type svcTemplate struct {
	svcs netset.Services
	why  string // why the services are not known
}

// Map implements tfinst.Mapper.
func (Mapper) Map(c *tfinst.Context) error {
	m := &mapper{c: c, e: c.Estate, svcs: map[string]svcTemplate{}, owners: map[string]string{}}
	steps := []func() error{
		m.vpcs, m.subnets, m.addressTemplates, m.serviceTemplates, m.securityGroups,
		m.ruleSets, m.liteRules, m.singleRules,
		m.kubernetesClusters, m.clusterEndpoints, m.nodePools, m.nativeNodePools, m.scaleWorkers,
		m.loadBalancers, m.unsupported,
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	m.finishClusters()
	m.completeReferences()
	return nil
}

func joinWhy(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "" || strings.Contains(a, b):
		return a
	}
	return a + "; " + b
}

// str reads a known string attribute without references; "" when it is
// absent, empty, unknown or computed.
func str(v cty.Value, name string) string {
	s, ok := tfinst.String(tfinst.Get(v, name))
	if !ok || tfinst.ContainsRef(s) {
		return ""
	}
	return strings.TrimSpace(s)
}

// set reports whether an attribute is given: present, not null, not "".
// An unknown value counts as given.
func set(v cty.Value) bool {
	if tfinst.Absent(v) {
		return false
	}
	if s, ok := tfinst.String(v); ok && strings.TrimSpace(s) == "" {
		return false
	}
	return true
}

func (m *mapper) vpcs() error {
	for _, in := range m.c.Of(typeVPC) {
		if !m.c.Expanded(in, "the VPC") {
			continue
		}
		v := &model.VPC{ID: m.c.Key(in.Address), Origin: in.Origin}
		if err := m.addCIDRs(&v.CIDRs, in, "cidr_block", tfinst.Get(in.Values, "cidr_block")); err != nil {
			return err
		}
		// Secondary ranges of the VPC (assistant CIDRs).
		if err := m.addCIDRs(&v.CIDRs, in, "assistant_cidrs", tfinst.Get(in.Values, "assistant_cidrs")); err != nil {
			return err
		}
		m.e.VPCs[v.ID] = v
	}
	return nil
}

// addCIDRs appends the known CIDRs of an attribute that holds one or a
// list; unknown ones are left out (the VPC's range is then smaller than
// it is, which only makes "vpc" and "internet" less precise) with a note.
func (m *mapper) addCIDRs(dst *[]netip.Prefix, in *tfinst.Instance, attr string, v cty.Value) error {
	elems, known := tfinst.List(v)
	if !known {
		m.c.Note("%s: %s is not known (%s)", in.Address, attr, tfinst.ReasonOr(v, "it is computed at apply time"))
		return nil
	}
	for _, e := range elems {
		if tfinst.Absent(e) {
			continue
		}
		s, ok := tfinst.String(e)
		if !ok || tfinst.ContainsRef(s) {
			m.c.Note("%s: %s is not known (%s)", in.Address, attr, tfinst.ReasonOr(e, "it is computed at apply time"))
			continue
		}
		if strings.TrimSpace(s) == "" {
			continue
		}
		p, err := netip.ParsePrefix(strings.TrimSpace(s))
		if err != nil {
			return srcpos.Errorf(in.BlockOrigin(attr), "%s: %q is not a CIDR block (expected such as 10.0.0.0/16)", attr, s)
		}
		if p = p.Masked(); !slices.Contains(*dst, p) {
			*dst = append(*dst, p)
		}
	}
	return nil
}

func (m *mapper) subnets() error {
	for _, in := range m.c.Of(typeSubnet) {
		if !m.c.Expanded(in, "the subnet") {
			continue
		}
		vpc, _ := m.c.RefKey(tfinst.Get(in.Values, "vpc_id"))
		s := &model.Subnet{ID: m.c.Key(in.Address), VPC: vpc, Origin: in.Origin}
		if err := m.addCIDRs(&s.CIDRs, in, "cidr_block", tfinst.Get(in.Values, "cidr_block")); err != nil {
			return err
		}
		m.e.Subnets[s.ID] = s
	}
	return nil
}

// addressTemplates maps address templates (IPs, CIDRs, ranges) and their
// groups into address sets.
func (m *mapper) addressTemplates() error {
	for _, in := range m.c.Of(typeAddrTemplate) {
		if !m.c.Expanded(in, "the address template") {
			continue
		}
		set := &model.AddressSet{ID: m.c.Key(in.Address), Name: str(in.Values, "name"), Origin: in.Origin}
		var entries []cty.Value
		var paths []string
		addrs := tfinst.Get(in.Values, "addresses")
		list, known := tfinst.List(addrs)
		if !known {
			set.Unknown = "the addresses are not known: " + tfinst.ReasonOr(addrs, "they are computed at apply time")
		}
		for i, e := range list {
			entries, paths = append(entries, e), append(paths, fmt.Sprintf("addresses[%d]", i))
		}
		if why := in.UnknownBlocks["address_extra_set"]; why != "" {
			set.Unknown = joinWhy(set.Unknown, "the addresses are not known: "+why)
		}
		for i, b := range tfinst.Blocks(in.Values, "address_extra_set") {
			entries, paths = append(entries, tfinst.Get(b, "address")), append(paths, fmt.Sprintf("address_extra_set[%d]", i))
		}
		for i, e := range entries {
			s, ok := tfinst.String(e)
			if !ok || tfinst.ContainsRef(s) {
				set.Unknown = joinWhy(set.Unknown, "an address is not known: "+tfinst.ReasonOr(e, "it is computed at apply time"))
				continue
			}
			ps, err := AddressEntry(s)
			if err != nil {
				return srcpos.Errorf(in.BlockOrigin(paths[i]), "%s: %v", strings.Split(paths[i], "[")[0], err)
			}
			set.Prefixes = append(set.Prefixes, ps...)
		}
		if set.Unknown != "" {
			set.Prefixes = nil
		} else {
			set.Prefixes = netset.SetOf(set.Prefixes...).Prefixes()
		}
		m.e.AddressSets[set.ID] = set
	}
	for _, in := range m.c.Of(typeAddrGroup) {
		if !m.c.Expanded(in, "the address template group") {
			continue
		}
		set := &model.AddressSet{ID: m.c.Key(in.Address), Name: str(in.Values, "name"), Origin: in.Origin}
		keys, why := m.keys(tfinst.Get(in.Values, "template_ids"), "template_ids")
		set.Unknown = why
		for _, k := range keys {
			sub := m.e.AddressSets[k]
			switch {
			case sub == nil:
				set.Unknown = joinWhy(set.Unknown, m.undeclaredSet(k))
			case sub.Unknown != "":
				set.Unknown = joinWhy(set.Unknown, fmt.Sprintf("%s: %s", m.label(k), sub.Unknown))
			default:
				set.Prefixes = append(set.Prefixes, sub.Prefixes...)
			}
		}
		if set.Unknown != "" {
			set.Prefixes = nil
		} else {
			set.Prefixes = netset.SetOf(set.Prefixes...).Prefixes()
		}
		m.e.AddressSets[set.ID] = set
	}
	return nil
}

// serviceTemplates reads protocol templates ("tcp:80", "udp:53-54",
// "icmp") and their groups.
func (m *mapper) serviceTemplates() error {
	for _, in := range m.c.Of(typeSvcTemplate) {
		if !m.c.Expanded(in, "the protocol template") {
			continue
		}
		var t svcTemplate
		protos := tfinst.Get(in.Values, "protocols")
		list, known := tfinst.List(protos)
		if !known {
			t.why = "the protocols are not known: " + tfinst.ReasonOr(protos, "they are computed at apply time")
		}
		for _, b := range tfinst.Blocks(in.Values, "service_extra_set") {
			list = append(list, tfinst.Get(b, "service"))
		}
		for _, e := range list {
			s, ok := tfinst.String(e)
			if !ok || tfinst.ContainsRef(s) {
				t.why = joinWhy(t.why, "a protocol is not known: "+tfinst.ReasonOr(e, "it is computed at apply time"))
				continue
			}
			svcs, err := ServiceEntry(s)
			if err != nil {
				return srcpos.Errorf(in.BlockOrigin("protocols"), "protocols: %v", err)
			}
			t.svcs = t.svcs.Union(svcs)
		}
		m.svcs[m.c.Key(in.Address)] = t
	}
	for _, in := range m.c.Of(typeSvcGroup) {
		if !m.c.Expanded(in, "the protocol template group") {
			continue
		}
		var t svcTemplate
		keys, why := m.keys(tfinst.Get(in.Values, "template_ids"), "template_ids")
		t.why = why
		for _, k := range keys {
			if svcs, why := m.serviceTemplate(k); why != "" {
				t.why = joinWhy(t.why, why)
			} else {
				t.svcs = t.svcs.Union(svcs)
			}
		}
		m.svcs[m.c.Key(in.Address)] = t
	}
	return nil
}

// label is a key as users wrote it: without the configuration's prefix.
func (m *mapper) label(key string) string { return strings.TrimPrefix(key, m.c.Prefix) }

func (m *mapper) undeclaredSet(key string) string {
	if strings.HasPrefix(key, "ipmg-") {
		return fmt.Sprintf("the templates of address template group %s are not in the input (add `tccli vpc DescribeAddressTemplateGroups` and `tccli vpc DescribeAddressTemplates` output)", key)
	}
	if strings.HasPrefix(key, "ipm-") {
		return fmt.Sprintf("the addresses of address template %s are not in the input (add `tccli vpc DescribeAddressTemplates` output)", key)
	}
	return fmt.Sprintf("%s is named but not declared in the configuration, so its addresses are not known", m.label(key))
}

func (m *mapper) undeclaredService(key string) string {
	if strings.HasPrefix(key, "ppm") {
		return fmt.Sprintf("the protocols and ports of protocol template %s are not in the input (add `tccli vpc DescribeServiceTemplates` output)", key)
	}
	return fmt.Sprintf("%s is named but not declared in the configuration, so its protocols and ports are not known", m.label(key))
}

// keys decodes a list of ids (template_ids, security_group_ids,
// subnet_ids) into keys, in order; why says what is not known about it.
func (m *mapper) keys(v cty.Value, attr string) (keys []string, why string) {
	elems, known := tfinst.List(v)
	if !known {
		return nil, fmt.Sprintf("%s is not known: %s", attr, tfinst.ReasonOr(v, "it is computed at apply time"))
	}
	for _, e := range elems {
		k, w := m.c.RefKey(e)
		if w != "" {
			why = joinWhy(why, fmt.Sprintf("%s: %s", attr, w))
			continue
		}
		if k = strings.TrimSpace(k); k != "" && !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	return keys, why
}

// securityGroups maps tencentcloud_security_group: a name, a description
// and tags, no rules. Tencent creates a group with no rules, which drops
// everything in both directions until rules are added.
func (m *mapper) securityGroups() error {
	for _, in := range m.c.Of(typeGroup) {
		if !m.c.Expanded(in, "the security group") {
			continue
		}
		g := &model.Group{ID: m.c.Key(in.Address), Provider: model.Tencent, Origin: in.Origin}
		g.Name = str(in.Values, "name")
		g.Description = str(in.Values, "description")
		g.Tags, _ = tfinst.StringMap(tfinst.Get(in.Values, "tags"))
		g.Aliases = m.c.Aliases(in.Address)
		m.e.AddGroup(g)
	}
	return nil
}

// group returns the group of a key, making one whose rules are unknown
// when the configuration only names it.
func (m *mapper) group(key string) *model.Group {
	if g := m.e.Groups[key]; g != nil {
		return g
	}
	g := &model.Group{ID: key, Provider: model.Tencent, RulesUnknown: m.undeclared(key)}
	m.e.Groups[key] = g
	return g
}

// undeclared says why the rules of a group named but not declared in the
// configuration are not known.
func (m *mapper) undeclared(key string) string {
	if strings.HasPrefix(key, "sg-") {
		return fmt.Sprintf("%s is not declared in the configuration (add `tccli vpc DescribeSecurityGroupPolicies --SecurityGroupId %s > %s.json` output)", key, key, key)
	}
	return fmt.Sprintf("%s is named but not declared in the configuration, so its rules are not known", m.label(key))
}

// targetGroup finds the group a rule resource adds to, or notes why not.
// It is nil too when the resource's count or for_each is not known: the
// group's rules are then not known, and say so.
func (m *mapper) targetGroup(in *tfinst.Instance) *model.Group {
	v := tfinst.Get(in.Values, "security_group_id")
	key, why := m.c.RefKey(v)
	if key == "" {
		m.c.Note("%s: the security group it adds to is not known (%s), so its rules are left out", in.Address, cmp.Or(why, "security_group_id is not set"))
		return nil
	}
	g := m.group(key)
	if in.ExpansionUnknown != "" {
		g.RulesUnknown = joinWhy(g.RulesUnknown, fmt.Sprintf("%s: %s", in.Address, in.ExpansionUnknown))
		return nil
	}
	return g
}

// own marks a group's rule set as owned by one resource (a rule set or a
// lite rule): the resource replaces the group's whole policy set, so its
// rules are all the group has, even for a group the configuration only
// names by id.
func (m *mapper) own(g *model.Group, in *tfinst.Instance) bool {
	if prev, ok := m.owners[g.ID]; ok {
		m.c.Note("%s and %s both own the whole rule set of %s; each replaces the other's rules on apply, so only %s's are read", prev, in.Address, m.label(g.ID), prev)
		return false
	}
	m.owners[g.ID] = in.Address
	g.ExclusiveRules = true
	if g.RulesUnknown == m.undeclared(g.ID) {
		g.RulesUnknown = ""
	}
	return true
}

// ruleSets maps tencentcloud_security_group_rule_set: ordered ingress and
// egress blocks ("the first rule has the highest priority"), which own
// the group's whole rule set.
func (m *mapper) ruleSets() error {
	for _, in := range m.c.Of(typeRuleSet) {
		g := m.targetGroup(in)
		if g == nil {
			continue
		}
		if !m.own(g, in) {
			continue
		}
		for _, dir := range []model.Direction{model.Ingress, model.Egress} {
			attr := dir.String()
			if why := in.UnknownBlocks[attr]; why != "" {
				g.RulesUnknown = joinWhy(g.RulesUnknown, fmt.Sprintf("the %s rules of %s are made by a dynamic block over a value that is not known: %s", attr, in.Address, why))
			}
			v := tfinst.Get(in.Values, attr)
			elems, known := tfinst.List(v)
			if !known {
				g.RulesUnknown = joinWhy(g.RulesUnknown, fmt.Sprintf("the %s rules of %s are not known: %s", attr, in.Address, tfinst.ReasonOr(v, "they are computed at apply time")))
				continue
			}
			for i, b := range elems {
				path := fmt.Sprintf("%s[%d]", attr, i)
				loc := in.BlockOrigin(path)
				if !tfinst.Known(b) {
					g.RulesUnknown = joinWhy(g.RulesUnknown, fmt.Sprintf("%s %s of %s is not known: %s", attr, "rule "+fmt.Sprint(i), in.Address, tfinst.ReasonOr(b, "it is computed at apply time")))
					continue
				}
				if t := b.Type(); tfinst.Absent(b) || !(t.IsObjectType() || t.IsMapType()) {
					return srcpos.Errorf(loc, "%s: expected rule blocks ({action, cidr_block, protocol, port, …}), found %s", attr, tfinst.Describe(b))
				}
				r, ok, err := m.blockRule(dir, b, g, loc, in.Address+" "+path)
				if err != nil {
					return err
				}
				if ok {
					r.ID = path
					g.Rules = append(g.Rules, r)
				}
			}
		}
	}
	return nil
}

// action reads ACCEPT or DROP (the provider takes either case); ok is
// false when the action is not known.
func action(v cty.Value, attr string, loc srcpos.Location) (a model.Action, ok bool, err error) {
	s, known := tfinst.String(v)
	if !known || tfinst.ContainsRef(s) {
		if tfinst.Absent(v) {
			return 0, false, srcpos.Errorf(loc, "the rule has no %s: expected ACCEPT or DROP", attr)
		}
		return 0, false, nil
	}
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "ACCEPT":
		return model.Accept, true, nil
	case "DROP":
		return model.Drop, true, nil
	}
	return 0, false, srcpos.Errorf(loc, "%s %q: expected ACCEPT or DROP", attr, s)
}

// peerField is one attribute that may name a rule's peer.
type peerField struct {
	attr string
	v    cty.Value
	kind model.PeerKind // PeerCIDR, PeerGroup or PeerAddressSet
}

// peer reads the one peer a rule names. Exactly one of the fields must be
// given; an unknown field may turn out null, so it counts as given but
// the peer is then unknown. own is the rule's group.
func (m *mapper) peer(fields []peerField, own string, loc srcpos.Location) (model.Peer, error) {
	var given []peerField
	unknown := false
	for _, f := range fields {
		if set(f.v) {
			given = append(given, f)
			unknown = unknown || !tfinst.WhollyKnown(f.v)
		}
	}
	names := func() string {
		var ns []string
		for _, f := range given {
			ns = append(ns, f.attr)
		}
		return strings.Join(ns, ", ")
	}
	all := make([]string, len(fields))
	for i, f := range fields {
		all[i] = f.attr
	}
	switch {
	case len(given) == 0:
		return model.Peer{}, srcpos.Errorf(loc, "the rule names no peer: expected one of %s", strings.Join(all, ", "))
	case len(given) > 1 && !unknown:
		return model.Peer{}, srcpos.Errorf(loc, "the rule names several peers (%s): %s are exclusive", names(), strings.Join(all, ", "))
	case len(given) > 1:
		return model.Peer{Kind: model.PeerUnknown, Why: fmt.Sprintf("the rule may name one of %s, which are not all known: %s", names(), reasons(given))}, nil
	}
	f := given[0]
	switch f.kind {
	case model.PeerCIDR:
		s, ok := tfinst.String(f.v)
		if !ok || tfinst.ContainsRef(s) {
			return model.Peer{Kind: model.PeerUnknown, Why: fmt.Sprintf("%s is not known: %s", f.attr, unknownWhy(f.v, s))}, nil
		}
		p, err := CIDR(s)
		if err != nil {
			return model.Peer{}, srcpos.Errorf(loc, "%s: %v", f.attr, err)
		}
		return model.Peer{Kind: model.PeerCIDR, Prefix: p}, nil
	case model.PeerGroup:
		key, why := m.c.RefKey(f.v)
		if why != "" {
			return model.Peer{Kind: model.PeerUnknown, Why: fmt.Sprintf("%s: %s", f.attr, why)}, nil
		}
		if key == "" {
			key = own
		}
		return model.Peer{Kind: model.PeerGroup, Group: key}, nil
	}
	key, why := m.c.RefKey(f.v)
	if why != "" {
		return model.Peer{Kind: model.PeerUnknown, Why: fmt.Sprintf("%s: %s", f.attr, why)}, nil
	}
	return model.Peer{Kind: model.PeerAddressSet, Set: key}, nil
}

func reasons(fs []peerField) string {
	var out string
	for _, f := range fs {
		if !tfinst.WhollyKnown(f.v) {
			out = joinWhy(out, tfinst.ReasonOr(f.v, f.attr+" is computed at apply time"))
		}
	}
	return out
}

func unknownWhy(v cty.Value, s string) string {
	if tfinst.ContainsRef(s) {
		return fmt.Sprintf("%q is computed from %s at apply time", tfinst.Printable(s), strings.Join(tfinst.RefsIn(s), ", "))
	}
	return tfinst.ReasonOr(v, "it is computed at apply time")
}

// services reads a rule's protocol and port, or the protocol template it
// names instead; portsUnknown says what is not known, with svcs an upper
// bound.
func (m *mapper) services(proto, port, tmplID, tmplGroup cty.Value, names [4]string, loc srcpos.Location) (svcs netset.Services, portsUnknown string, err error) {
	if set(tmplID) || set(tmplGroup) {
		if set(proto) && !strings.EqualFold(strOf(proto), "all") || set(port) && !strings.EqualFold(strOf(port), "all") {
			if tfinst.WhollyKnown(proto) && tfinst.WhollyKnown(port) && tfinst.WhollyKnown(tmplID) && tfinst.WhollyKnown(tmplGroup) {
				return netset.Services{}, "", srcpos.Errorf(loc, "the rule gives both %s/%s and a protocol template (%s or %s), which conflict", names[0], names[1], names[2], names[3])
			}
		}
		v, attr := tmplID, names[2]
		if !set(tmplID) {
			v, attr = tmplGroup, names[3]
		}
		key, why := m.c.RefKey(v)
		if why != "" {
			return netset.AllServices(), fmt.Sprintf("%s: %s", attr, why), nil
		}
		svcs, portsUnknown = m.serviceTemplate(key)
		return svcs, portsUnknown, nil
	}
	ps, pok := tfinst.String(proto)
	if !tfinst.Absent(proto) && (!pok || tfinst.ContainsRef(ps)) {
		return netset.AllServices(), fmt.Sprintf("%s is not known: %s", names[0], unknownWhy(proto, ps)), nil
	}
	pt, tok := tfinst.String(port)
	if !tfinst.Absent(port) && (!tok || tfinst.ContainsRef(pt)) {
		upper := netset.AllServices()
		if s, err := Services(ps, "all"); err == nil {
			upper = s
		}
		return upper, fmt.Sprintf("%s is not known: %s", names[1], unknownWhy(port, pt)), nil
	}
	svcs, err = Services(ps, pt)
	if err != nil {
		return netset.Services{}, "", srcpos.Errorf(loc, "%v", err)
	}
	return svcs, "", nil
}

func strOf(v cty.Value) string {
	s, _ := tfinst.String(v)
	return strings.TrimSpace(s)
}

// blockRule reads one ingress or egress block of a rule set. ok is false
// when the rule's action is not known: the group's rules are then not
// known either, since what follows the rule depends on it.
func (m *mapper) blockRule(dir model.Direction, b cty.Value, g *model.Group, loc srcpos.Location, what string) (model.Rule, bool, error) {
	act, ok, err := action(tfinst.Get(b, "action"), "action", loc)
	if err != nil {
		return model.Rule{}, false, err
	}
	if !ok {
		g.RulesUnknown = joinWhy(g.RulesUnknown, fmt.Sprintf("the action of %s is not known: %s", what, tfinst.ReasonOr(tfinst.Get(b, "action"), "it is computed at apply time")))
		return model.Rule{}, false, nil
	}
	peer, err := m.peer([]peerField{
		{"cidr_block", tfinst.Get(b, "cidr_block"), model.PeerCIDR},
		{"ipv6_cidr_block", tfinst.Get(b, "ipv6_cidr_block"), model.PeerCIDR},
		{"source_security_id", tfinst.Get(b, "source_security_id"), model.PeerGroup},
		{"address_template_id", tfinst.Get(b, "address_template_id"), model.PeerAddressSet},
		{"address_template_group", tfinst.Get(b, "address_template_group"), model.PeerAddressSet},
	}, g.ID, loc)
	if err != nil {
		return model.Rule{}, false, err
	}
	svcs, portsUnknown, err := m.services(tfinst.Get(b, "protocol"), tfinst.Get(b, "port"),
		tfinst.Get(b, "service_template_id"), tfinst.Get(b, "service_template_group"),
		[4]string{"protocol", "port", "service_template_id", "service_template_group"}, loc)
	if err != nil {
		return model.Rule{}, false, err
	}
	return model.Rule{Direction: dir, Action: act, Services: svcs, PortsUnknown: portsUnknown, Peer: peer,
		Description: str(b, "description"), Origin: loc}, true, nil
}
