package cloudformation

import (
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/clusterwall/clusterwall/internal/model"
	"github.com/clusterwall/clusterwall/internal/netset"
	"github.com/clusterwall/clusterwall/internal/source/input"
	"github.com/clusterwall/clusterwall/internal/srcpos"
)

// Peer fields of rules, in the order CloudFormation documents them.
var (
	ingressPeers = []string{"CidrIp", "CidrIpv6", "SourcePrefixListId", "SourceSecurityGroupId", "SourceSecurityGroupName"}
	egressPeers  = []string{"CidrIp", "CidrIpv6", "DestinationPrefixListId", "DestinationSecurityGroupId"}
)

// defaultEgress is what EC2 gives a new security group and CloudFormation
// keeps unless the group's own SecurityGroupEgress property lists rules:
// allow all outbound. The CloudFormation reference says "IPv4 and IPv6";
// an ::/0 rule in a VPC without IPv6 allows nothing more, so both are kept.
var defaultEgress = []netip.Prefix{netip.MustParsePrefix("0.0.0.0/0"), netip.MustParsePrefix("::/0")}

func (r *reader) addGroup(g *model.Group) {
	if _, ok := r.groups[g.ID]; !ok {
		r.groupOrder = append(r.groupOrder, g.ID)
	}
	r.groups[g.ID] = g
}

// refGroup records a group the input names but may not declare.
func (r *reader) refGroup(key, why string, loc srcpos.Location) {
	if _, ok := r.refs[key]; !ok {
		r.refs[key] = groupRef{why: why, loc: loc}
		r.refOrder = append(r.refOrder, key)
	}
}

// str returns a field's text when the template gives it plainly.
func (r *reader) str(m val, key string) (string, bool, error) {
	v, ok, err := r.field(m, key)
	if err != nil || !ok {
		return "", false, err
	}
	s, known := v.known()
	return s, known, nil
}

func (r *reader) securityGroup(t *template, res *resource, props val, guard []string) error {
	key := r.key(t, res.id)
	loc := r.loc(t, res.key, res.id)
	g := &model.Group{ID: key, Provider: model.AWS, Origin: loc}
	var err error
	if g.Name, _, err = r.str(props, "GroupName"); err != nil {
		return err
	}
	if g.Description, _, err = r.str(props, "GroupDescription"); err != nil {
		return err
	}
	if v, ok, err := r.field(props, "VpcId"); err != nil {
		return err
	} else if ok {
		g.VPC = r.vpcKey(v)
	}
	tags, err := r.tags(props, "Tags")
	if err != nil {
		return err
	}
	g.Tags = renderTags(tags)
	r.taggedGroups = append(r.taggedGroups, taggedGroup{key: key, t: t, tags: tags, loc: loc})
	for _, a := range []string{g.Name, knownTag(tags, "Name")} {
		if a != "" && a != key && !slices.Contains(g.Aliases, a) {
			g.Aliases = append(g.Aliases, a)
		}
	}
	if key != res.id {
		g.Aliases = append(g.Aliases, res.id)
	}
	if v, ok, err := r.field(props, "SecurityGroupIngress"); err != nil {
		return err
	} else if ok {
		rules, why, err := r.ruleList(t, v, model.Ingress, res.id, guard)
		if err != nil {
			return err
		}
		g.Rules = append(g.Rules, rules...)
		if why != "" {
			g.RulesUnknown = "its SecurityGroupIngress " + why
		}
	}
	v, ok, err := r.field(props, "SecurityGroupEgress")
	if err != nil {
		return err
	}
	if !ok {
		g.Rules = append(g.Rules, defaultEgressRules(loc, guard)...)
	} else {
		for _, ev := range expand(v) {
			eg := append(slices.Clone(guard), ev.guard...)
			if ev.v.k == kNoValue || ev.v.k == kNull || ev.v.k == kList && len(ev.v.list) == 0 {
				g.Rules = append(g.Rules, defaultEgressRules(loc, eg)...)
				continue
			}
			rules, why, err := r.ruleList(t, ev.v, model.Egress, res.id, eg)
			if err != nil {
				return err
			}
			g.Rules = append(g.Rules, rules...)
			if why != "" && g.RulesUnknown == "" {
				g.RulesUnknown = "its SecurityGroupEgress " + why
			}
		}
	}
	r.addGroup(g)
	return nil
}

func defaultEgressRules(loc srcpos.Location, guard []string) []model.Rule {
	var out []model.Rule
	for _, p := range defaultEgress {
		rule := model.Rule{Direction: model.Egress, Services: netset.AllServices(), Peer: model.Peer{Kind: model.PeerCIDR, Prefix: p},
			Description: "default egress: the group's SecurityGroupEgress is not given", Origin: loc}
		if len(guard) > 0 {
			rule.PortsUnknown = "the rule exists only if " + strings.Join(guard, " and ")
		}
		out = append(out, rule)
	}
	return out
}

// ruleList maps a list of rules (SecurityGroupIngress, SecurityGroupEgress).
// why is set when the list itself is not known.
func (r *reader) ruleList(t *template, v val, dir model.Direction, addr string, guard []string) ([]model.Rule, string, error) {
	var out []model.Rule
	why := ""
	for _, lv := range expand(v) {
		g := append(slices.Clone(guard), lv.guard...)
		switch lv.v.k {
		case kNull, kNoValue:
		case kUnknown, kStr:
			why = lv.v.whyUnknown()
		case kList:
			for _, e := range lv.v.list {
				for _, ev := range expand(e) {
					switch ev.v.k {
					case kMap:
						rules, err := r.rule(ev.v, ev.v.node, dir, addr, false, append(slices.Clone(g), ev.guard...))
						if err != nil {
							return nil, "", err
						}
						out = append(out, rules...)
					case kNull, kNoValue:
					case kUnknown, kStr:
						why = "has a rule that " + ev.v.whyUnknown()
					default:
						return nil, "", t.errorf(ev.v.node, "expected a rule: a mapping with IpProtocol and a peer")
					}
				}
			}
		default:
			return nil, "", t.errorf(lv.v.node, "expected a list of rules")
		}
	}
	return out, why, nil
}

func lineOf(n *yaml.Node) int {
	if n == nil {
		return 0
	}
	return n.Line
}

// rule maps one rule mapping into one rule per way its undecided
// conditions may turn out.
func (r *reader) rule(m val, at *yaml.Node, dir model.Direction, addr string, standalone bool, guard []string) ([]model.Rule, error) {
	peers := ingressPeers
	if dir == model.Egress {
		peers = egressPeers
	}
	fields := append([]string{"IpProtocol", "FromPort", "ToPort", "Description"}, peers...)
	vals := map[string]val{}
	for _, f := range fields {
		v, ok, err := r.field(m, f)
		if err != nil {
			return nil, err
		}
		if ok {
			vals[f] = v
		}
	}
	type combo struct {
		vals  map[string]val
		guard []string
	}
	combos := []combo{{vals: vals, guard: guard}}
	for _, f := range fields {
		if v, ok := vals[f]; !ok || v.k != kMaybe {
			continue
		}
		var next []combo
		for _, c := range combos {
			for _, vv := range expand(c.vals[f]) {
				nv := make(map[string]val, len(c.vals))
				for k, x := range c.vals {
					nv[k] = x
				}
				if vv.v.k == kNoValue {
					delete(nv, f)
				} else {
					nv[f] = vv.v
				}
				next = append(next, combo{vals: nv, guard: append(slices.Clone(c.guard), vv.guard...)})
			}
		}
		if len(next) > maxVariants {
			for _, c := range combos {
				c.vals[f] = unknown(vals[f].node, "%s", vals[f].whyUnknown())
			}
			continue
		}
		combos = next
	}
	var out []model.Rule
	for _, c := range combos {
		rule, ok, err := r.oneRule(m.t, c.vals, at, dir, addr, standalone, c.guard, peers)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, rule)
		}
	}
	return out, nil
}

func (r *reader) oneRule(t *template, vals map[string]val, at *yaml.Node, dir model.Direction, addr string, standalone bool, guard []string, peers []string) (model.Rule, bool, error) {
	loc := r.loc(t, at, addr)
	// In a combination of undecided conditions, a rule that lacks what
	// CloudFormation requires could not deploy: that combination is left out.
	tolerate := len(guard) > 0
	for _, f := range slices.Sorted(maps.Keys(vals)) {
		if v := vals[f]; v.k == kList || v.k == kMap {
			return model.Rule{}, false, t.errorf(v.node, "%s: expected a single value, found a %s", f, map[kind]string{kList: "list", kMap: "mapping"}[v.k])
		}
	}
	proto, ok := vals["IpProtocol"]
	if !ok {
		if tolerate {
			return model.Rule{}, false, nil
		}
		return model.Rule{}, false, t.errorf(at, "rule without IpProtocol: expected tcp, udp, icmp, icmpv6, -1 or a protocol number")
	}
	svcs, portsWhy, err := r.services(t, proto, vals, loc)
	if err != nil {
		return model.Rule{}, false, err
	}
	var present []string
	for _, f := range peers {
		if _, ok := vals[f]; ok {
			present = append(present, f)
		}
	}
	if len(present) != 1 {
		if tolerate {
			return model.Rule{}, false, nil
		}
		if len(present) == 0 {
			return model.Rule{}, false, t.errorf(at, "rule without a peer: expected one of %s", strings.Join(peers, ", "))
		}
		return model.Rule{}, false, t.errorf(at, "rule with several peers (%s): expected exactly one", strings.Join(present, ", "))
	}
	peer, err := r.peer(present[0], vals[present[0]], loc)
	if err != nil {
		return model.Rule{}, false, err
	}
	rule := model.Rule{Direction: dir, Services: svcs, Peer: peer, Standalone: standalone, Origin: loc}
	if d, ok := vals["Description"]; ok {
		rule.Description, _ = d.known()
	}
	if standalone {
		rule.ID = addr
	}
	why := portsWhy
	if len(guard) > 0 {
		g := "the rule exists only if " + strings.Join(guard, " and ")
		if why != "" {
			g += "; " + why
		}
		why = g
	}
	rule.PortsUnknown = why
	return rule, true, nil
}

// services converts IpProtocol, FromPort and ToPort. For ICMP the ports
// are the type and code, -1 meaning all; "-1" or a protocol other than
// tcp, udp, icmp and icmpv6 means every port. When a part is unknown,
// why says so and the services are an upper bound.
func (r *reader) services(t *template, proto val, vals map[string]val, loc srcpos.Location) (netset.Services, string, error) {
	ps, ok := proto.known()
	if !ok {
		return netset.AllServices(), "IpProtocol " + proto.whyUnknown(), nil
	}
	p, all, err := netset.ParseProtocol(ps)
	if err != nil {
		return netset.Services{}, "", t.errorf(proto.node, "IpProtocol: %v", err)
	}
	if all {
		return netset.AllServices(), "", nil
	}
	var ports [2]*int
	for i, f := range []string{"FromPort", "ToPort"} {
		v, ok := vals[f]
		if !ok || v.k == kNull {
			continue
		}
		s, known := v.known()
		if !known {
			return netset.Protocol(p), f + " " + v.whyUnknown(), nil
		}
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			return netset.Services{}, "", t.errorf(v.node, "%s: expected a whole number, found %q", f, s)
		}
		ports[i] = &n
	}
	lo, hi := -1, -1
	if ports[0] != nil {
		lo = *ports[0]
	}
	if ports[1] != nil {
		hi = *ports[1]
	}
	switch {
	case netset.IsICMP(p):
		if lo < -1 || lo > 255 || hi < -1 || hi > 255 {
			return netset.Services{}, "", srcpos.Errorf(loc, "ICMP type %d and code %d: expected -1 or 0-255", lo, hi)
		}
		return netset.ICMPType(p, lo, hi), "", nil
	case !netset.HasPorts(p):
		return netset.Protocol(p), "", nil
	case ports[0] == nil && ports[1] == nil, lo == -1 && hi == -1:
		return netset.Protocol(p), "", nil
	case ports[0] == nil || ports[1] == nil:
		if ports[0] == nil {
			lo = hi
		} else {
			hi = lo
		}
	}
	if lo < 0 || hi > 65535 || lo > hi {
		return netset.Services{}, "", srcpos.Errorf(loc, "port range %d-%d: expected 0-65535 with FromPort ≤ ToPort", lo, hi)
	}
	return netset.Ports(p, uint16(lo), uint16(hi)), "", nil
}

func (r *reader) peer(field string, v val, loc srcpos.Location) (model.Peer, error) {
	switch field {
	case "CidrIp", "CidrIpv6":
		s, ok := v.known()
		if !ok {
			return model.Peer{Kind: model.PeerUnknown, Why: field + " " + v.whyUnknown()}, nil
		}
		p, ok := input.ParsePrefix(s)
		if !ok {
			return model.Peer{}, srcpos.Errorf(srcpos.Location{File: loc.File, Line: lineOf(v.node), Column: colOf(v.node)}, "%s: %q is not a CIDR block (expected such as 10.0.0.0/16 or ::/0)", field, s)
		}
		return model.Peer{Kind: model.PeerCIDR, Prefix: p}, nil
	case "SourcePrefixListId", "DestinationPrefixListId":
		return r.prefixListPeer(field, v), nil
	case "SourceSecurityGroupName":
		s, ok := v.known()
		if !ok {
			return model.Peer{Kind: model.PeerUnknown, Why: field + " " + v.whyUnknown(), SomeGroup: true}, nil
		}
		key := r.groupByName[s]
		if key == "" {
			key = s
			r.refGroup(key, fmt.Sprintf("the security group named %s is not in the input", s), loc)
		}
		return model.Peer{Kind: model.PeerGroup, Group: key}, nil
	}
	key, why := r.groupKey(v, loc)
	if key == "" {
		return model.Peer{Kind: model.PeerUnknown, Why: field + ": " + why, SomeGroup: true}, nil
	}
	return model.Peer{Kind: model.PeerGroup, Group: key}, nil
}

func colOf(n *yaml.Node) int {
	if n == nil {
		return 0
	}
	return n.Column
}

func (r *reader) prefixListPeer(field string, v val) model.Peer {
	if s, ok := v.known(); ok && s != "" {
		if r.estate.AddressSets[s] == nil {
			r.estate.AddressSets[s] = &model.AddressSet{ID: s, Unknown: fmt.Sprintf("the entries of prefix list %s are not in the input (add `aws ec2 get-managed-prefix-list-entries --prefix-list-id %s` output, saved as %s.json)", s, s, s)}
		}
		return model.Peer{Kind: model.PeerAddressSet, Set: s}
	}
	if sy := v.single(); sy != nil && sy.kind == symRes && sy.attr == "" {
		if res := sy.t.resources[sy.name]; res != nil && res.typ == typePrefixList {
			return model.Peer{Kind: model.PeerAddressSet, Set: r.key(sy.t, sy.name)}
		}
	}
	return model.Peer{Kind: model.PeerUnknown, Why: field + " " + v.whyUnknown()}
}

// groupKey turns a value that names a security group into the group's
// key: a logical ID, the EKS cluster group of a cluster, a parameter, an
// export imported from a stack outside the input, or a literal sg-… ID.
// why says what is missing when the value does not name a group.
func (r *reader) groupKey(v val, loc srcpos.Location) (string, string) {
	if s, ok := v.known(); ok {
		s = strings.TrimSpace(s)
		if s == "" {
			return "", "the group ID is empty"
		}
		if k := r.groupByName[s]; k != "" && !strings.HasPrefix(s, "sg-") {
			return k, ""
		}
		r.refGroup(s, fmt.Sprintf("%s is named in the template but not described (add `aws ec2 describe-security-groups --group-ids %s` output)", s, s), loc)
		return s, ""
	}
	sy := v.single()
	if sy == nil {
		why := v.whyUnknown()
		if why == "" {
			why = "the value is not a security group ID"
		}
		return "", why
	}
	switch sy.kind {
	case symRes:
		res := sy.t.resources[sy.name]
		switch {
		case res == nil:
		case sy.attr == "" && res.typ == typeSecurityGroup:
			return r.key(sy.t, sy.name), ""
		case sy.attr == "ClusterSecurityGroupId" && res.typ == typeEKSCluster:
			return r.clusterGroupKey(sy.t, sy.name), ""
		case sy.attr == "DefaultSecurityGroup" && res.typ == typeVPC:
			key := r.key(sy.t, sy.name) + ".DefaultSecurityGroup"
			r.refGroup(key, fmt.Sprintf("the default security group of VPC %s: its rules are not in the template", sy.name), loc)
			return key, ""
		default:
			return "", fmt.Sprintf("%s is a %s, not a security group", sy.placeholder(), res.typ)
		}
	case symParam:
		key := r.key(sy.t, sy.name)
		r.refGroup(key, fmt.Sprintf("the group is parameter %s of %s, given when the stack is created; its rules are not in the input (add the group's template or `aws ec2 describe-security-groups` output, or give the parameter a Default)", sy.name, sy.t.file), loc)
		if !slices.Contains(r.paramGroups[sy.t], key) {
			r.paramGroups[sy.t] = append(r.paramGroups[sy.t], key)
		}
		return key, ""
	case symImport:
		key := sy.name
		why := fmt.Sprintf("the group is imported (Fn::ImportValue %s) from a stack whose template is not in the input; its rules are unknown (add that template)", sy.name)
		if sy.why != "" {
			why = fmt.Sprintf("the group is imported from another stack and %s; its rules are unknown", strings.TrimPrefix(sy.why, "Fn::ImportValue: "))
		}
		r.refGroup(key, why, loc)
		t := r.templateOf(loc.File)
		if t != nil && !slices.Contains(r.importGroups[t], key) {
			r.importGroups[t] = append(r.importGroups[t], key)
		}
		return key, ""
	}
	return "", sy.reason()
}

func (r *reader) templateOf(file string) *template {
	for _, t := range r.templates {
		if t.file == file {
			return t
		}
	}
	return nil
}

// groupList maps a list of group references; why is set when the list
// or one of its groups is not known.
func (r *reader) groupList(v val, loc srcpos.Location) ([]string, string) {
	var out []string
	switch v.k {
	case kNull, kNoValue:
		return nil, ""
	case kList:
	case kStr:
		if key, why := r.groupKey(v, loc); key != "" {
			return []string{key}, ""
		} else {
			return nil, why
		}
	default:
		return nil, v.whyUnknown()
	}
	for _, e := range v.list {
		if e.k == kMaybe || e.k == kUnknown {
			return nil, e.whyUnknown()
		}
		key, why := r.groupKey(e, loc)
		if key == "" {
			return nil, why
		}
		if !slices.Contains(out, key) {
			out = append(out, key)
		}
	}
	return out, ""
}

func (r *reader) standaloneRule(t *template, res *resource, props val, guard []string) error {
	dir := model.Ingress
	if res.typ == typeEgress {
		dir = model.Egress
	}
	loc := r.loc(t, res.key, res.id)
	gv, ok, err := r.field(props, "GroupId")
	if err != nil {
		return err
	}
	byName := false
	if !ok && dir == model.Ingress {
		gv, ok, err = r.field(props, "GroupName")
		if err != nil {
			return err
		}
		byName = true
	}
	if !ok {
		if len(guard) > 0 {
			return nil
		}
		return t.errorf(res.key, "%s: %s needs GroupId (or GroupName)", res.id, res.typ)
	}
	for _, tv := range expand(gv) {
		g := append(slices.Clone(guard), tv.guard...)
		if tv.v.k == kNoValue || tv.v.k == kNull {
			continue
		}
		var target, why string
		if byName {
			if s, ok := tv.v.known(); ok {
				if target = r.groupByName[s]; target == "" {
					target = s
					r.refGroup(s, fmt.Sprintf("the security group named %s is not in the input", s), loc)
				}
			} else {
				why = tv.v.whyUnknown()
			}
		} else {
			target, why = r.groupKey(tv.v, loc)
		}
		if target == "" {
			r.notes = append(r.notes, fmt.Sprintf("%s: %s adds a rule to a security group the input does not decide (%s); the rule is left out", t.file, res.id, why))
			continue
		}
		rules, err := r.rule(props, res.key, dir, res.id, true, g)
		if err != nil {
			return err
		}
		r.extra[target] = append(r.extra[target], rules...)
	}
	return nil
}

// vpcKey is the key of the VPC a value names, or "" when it is unknown.
func (r *reader) vpcKey(v val) string {
	if s, ok := v.known(); ok {
		return s
	}
	if sy := v.single(); sy != nil && sy.kind == symRes && sy.attr == "" {
		if res := sy.t.resources[sy.name]; res != nil && res.typ == typeVPC {
			return r.key(sy.t, sy.name)
		}
	}
	return ""
}

// subnetKeys are the keys of the subnets a list names; ok is false when
// one of them is unknown.
func (r *reader) subnetKeys(v val) ([]string, bool) {
	var vs []val
	switch v.k {
	case kList:
		vs = v.list
	case kStr:
		vs = []val{v}
	default:
		return nil, false
	}
	var out []string
	for _, e := range vs {
		if s, ok := e.known(); ok {
			out = append(out, s)
			continue
		}
		sy := e.single()
		if sy == nil || sy.kind != symRes || sy.attr != "" {
			return nil, false
		}
		if res := sy.t.resources[sy.name]; res == nil || res.typ != typeSubnet {
			return nil, false
		}
		out = append(out, r.key(sy.t, sy.name))
	}
	return out, true
}

func (r *reader) network(t *template, res *resource, props val) error {
	key := r.key(t, res.id)
	loc := r.loc(t, res.key, res.id)
	cidrs := func(fields ...string) ([]netip.Prefix, error) {
		var out []netip.Prefix
		for _, f := range fields {
			v, ok, err := r.field(props, f)
			if err != nil || !ok {
				if err != nil {
					return nil, err
				}
				continue
			}
			s, known := v.known()
			if !known {
				r.notes = append(r.notes, fmt.Sprintf("%s: the %s of %s %s; the vpc role and what counts as internet are less precise", t.file, f, res.id, v.whyUnknown()))
				continue
			}
			p, ok := input.ParsePrefix(s)
			if !ok {
				return nil, t.errorf(v.node, "%s: %q is not a CIDR block", f, s)
			}
			out = append(out, p)
		}
		return out, nil
	}
	switch res.typ {
	case typeVPC:
		ps, err := cidrs("CidrBlock")
		if err != nil {
			return err
		}
		v := r.estate.VPCs[key]
		if v == nil {
			v = &model.VPC{ID: key}
			r.estate.VPCs[key] = v
		}
		v.Origin = loc
		v.CIDRs = append(ps, v.CIDRs...)
	case typeVPCCidrBlock:
		vv, _, err := r.field(props, "VpcId")
		if err != nil {
			return err
		}
		vpc := r.vpcKey(vv)
		if vpc == "" {
			return nil
		}
		ps, err := cidrs("CidrBlock", "Ipv6CidrBlock")
		if err != nil {
			return err
		}
		for _, f := range []string{"AmazonProvidedIpv6CidrBlock", "Ipv6Pool", "Ipv6IpamPoolId", "Ipv4IpamPoolId"} {
			if v, ok, _ := r.field(props, f); ok && !isFalse(v) {
				r.notes = append(r.notes, fmt.Sprintf("%s: %s gives VPC %s a range AWS assigns at deploy time; the vpc role and what counts as internet are less precise", t.file, res.id, vpc))
			}
		}
		v := r.estate.VPCs[vpc]
		if v == nil {
			v = &model.VPC{ID: vpc}
			r.estate.VPCs[vpc] = v
		}
		v.CIDRs = append(v.CIDRs, ps...)
	case typeSubnet:
		ps, err := cidrs("CidrBlock", "Ipv6CidrBlock")
		if err != nil {
			return err
		}
		vv, _, err := r.field(props, "VpcId")
		if err != nil {
			return err
		}
		r.estate.Subnets[key] = &model.Subnet{ID: key, VPC: r.vpcKey(vv), CIDRs: ps, Origin: loc}
	}
	return nil
}

func isFalse(v val) bool {
	s, ok := v.known()
	return ok && strings.EqualFold(strings.TrimSpace(s), "false")
}

func isTrue(v val) bool {
	s, ok := v.known()
	return ok && strings.EqualFold(strings.TrimSpace(s), "true")
}

func (r *reader) prefixList(t *template, res *resource, props val) error {
	key := r.key(t, res.id)
	set := &model.AddressSet{ID: key, Origin: r.loc(t, res.key, res.id)}
	set.Name, _, _ = r.str(props, "PrefixListName")
	v, ok, err := r.field(props, "Entries")
	if err != nil {
		return err
	}
	switch {
	case !ok:
	case v.k != kList:
		set.Unknown = "its Entries " + v.whyUnknown()
	default:
		for _, e := range v.list {
			c, ok, err := r.field(e, "Cidr")
			if err != nil {
				return err
			}
			s, known := c.known()
			if !ok || !known {
				set.Unknown, set.Prefixes = "an entry's Cidr "+c.whyUnknown(), nil
				break
			}
			p, ok := input.ParsePrefix(s)
			if !ok {
				return t.errorf(c.node, "Cidr: %q is not a CIDR block", s)
			}
			set.Prefixes = append(set.Prefixes, p)
		}
	}
	r.estate.AddressSets[key] = set
	return nil
}

// tag is one tag whose key and value may hold unknown parts.
type tag struct {
	key, value val
}

// tags reads Tags, as a list of {Key, Value} or as a mapping.
func (r *reader) tags(props val, field string) ([]tag, error) {
	v, ok, err := r.field(props, field)
	if err != nil || !ok {
		return nil, err
	}
	var out []tag
	switch v.k {
	case kList:
		for _, e := range v.list {
			if e.k != kMap {
				continue
			}
			k, ok, err := r.field(e, "Key")
			if err != nil {
				return nil, err
			}
			tv, _, err := r.field(e, "Value")
			if err != nil {
				return nil, err
			}
			if ok && k.k == kStr {
				out = append(out, tag{key: k, value: tv})
			}
		}
	case kMap:
		for _, kv := range pairs(v.node) {
			tv, err := r.eval(v.t, kv[1], 0)
			if err != nil {
				return nil, err
			}
			out = append(out, tag{key: str(kv[0].Value, kv[0]), value: tv})
		}
	}
	return out, nil
}

func renderTags(tags []tag) map[string]string {
	if len(tags) == 0 {
		return nil
	}
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[t.key.render()] = t.value.render()
	}
	return m
}

func knownTag(tags []tag, key string) string {
	for _, t := range tags {
		if k, ok := t.key.known(); ok && k == key {
			s, _ := t.value.known()
			return s
		}
	}
	return ""
}

const tagK8sClusterPrefix = "kubernetes.io/cluster/"

// clusterTags returns the cluster names that kubernetes.io/cluster/<name>
// tags give, with unknown parts kept symbolic.
func clusterTags(tags []tag) []val {
	var out []val
	for _, t := range tags {
		if v, ok := trimPrefix(t.key, tagK8sClusterPrefix); ok {
			out = append(out, v)
		}
	}
	return out
}

func trimPrefix(v val, prefix string) (val, bool) {
	if v.k != kStr || len(v.parts) == 0 || v.parts[0].sym != nil || !strings.HasPrefix(v.parts[0].lit, prefix) {
		return val{}, false
	}
	out := val{k: kStr, node: v.node}
	out.parts = appendParts(nil, part{lit: strings.TrimPrefix(v.parts[0].lit, prefix)})
	out.parts = appendParts(out.parts, v.parts[1:]...)
	if len(out.parts) == 0 {
		return val{}, false
	}
	return out, true
}
