package tftencent

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/clusterwall/clusterwall/internal/model"
	"github.com/clusterwall/clusterwall/internal/netset"
	"github.com/clusterwall/clusterwall/internal/source/tfinst"
	"github.com/clusterwall/clusterwall/internal/srcpos"
)

// liteRules maps tencentcloud_security_group_lite_rule: ingress and
// egress lists of "ACTION#SOURCE#PORT#PROTOCOL" strings. The provider
// writes both lists with ModifySecurityGroupPolicies, which replaces the
// group's whole policy set in list order.
func (m *mapper) liteRules() error {
	for _, in := range m.c.Of(typeLiteRule) {
		g := m.targetGroup(in)
		if g == nil {
			continue
		}
		if !m.own(g, in) {
			continue
		}
		for _, dir := range []model.Direction{model.Ingress, model.Egress} {
			attr := dir.String()
			v := tfinst.Get(in.Values, attr)
			elems, known := tfinst.List(v)
			if !known {
				g.RulesUnknown = joinWhy(g.RulesUnknown, fmt.Sprintf("the %s rules of %s are not known: %s", attr, in.Address, tfinst.ReasonOr(v, "they are computed at apply time")))
				continue
			}
			for i, e := range elems {
				path := fmt.Sprintf("%s[%d]", attr, i)
				loc := in.BlockOrigin(path)
				s, ok := tfinst.String(e)
				if !ok {
					if tfinst.WhollyKnown(e) && !tfinst.Absent(e) {
						return srcpos.Errorf(loc, "%s: expected strings \"ACTION#SOURCE#PORT#PROTOCOL\", found %s", attr, tfinst.Describe(e))
					}
					g.RulesUnknown = joinWhy(g.RulesUnknown, fmt.Sprintf("%s %s is not known: %s", in.Address, path, tfinst.ReasonOr(e, "it is computed at apply time")))
					continue
				}
				r, ok, err := m.liteRule(s, g, loc, in.Address+" "+path)
				if err != nil {
					return err
				}
				if ok {
					r.Direction, r.ID = dir, path
					g.Rules = append(g.Rules, r)
				}
			}
		}
	}
	return nil
}

// Placeholders that stand for a source computed from a reference while
// the rest of a lite rule is checked.
var sourcePlaceholders = map[string]string{
	typeGroup:        "sg-00000000",
	typeAddrTemplate: "ipm-00000000",
	typeAddrGroup:    "ipmg-00000000",
}

// liteRule reads one lite-rule string. A source that is the id of a
// group or template of the configuration ("ACCEPT#${…id}#22#TCP") is
// that group or template; other computed parts are unknown.
func (m *mapper) liteRule(s string, g *model.Group, loc srcpos.Location, what string) (model.Rule, bool, error) {
	rule := model.Rule{Origin: loc}
	text, srcKey, srcWhy := s, "", ""
	if tfinst.ContainsRef(s) {
		f := strings.Split(s, "#")
		if len(f) != 4 {
			return rule, false, srcpos.Errorf(loc, "%q has %d field(s): expected ACTION#SOURCE#PORT#PROTOCOL", tfinst.Printable(s), len(f))
		}
		for i, part := range f {
			if i != 1 && tfinst.ContainsRef(part) {
				g.RulesUnknown = joinWhy(g.RulesUnknown, fmt.Sprintf("%s %q is computed from %s at apply time", what, tfinst.Printable(s), strings.Join(tfinst.RefsIn(part), ", ")))
				return rule, false, nil
			}
		}
		placeholder := "0.0.0.0"
		if addr, attr, ok := tfinst.ParseRef(f[1]); ok && attr == "id" {
			if in := m.c.All[addr]; in != nil && sourcePlaceholders[in.Type] != "" {
				placeholder, srcKey = sourcePlaceholders[in.Type], m.c.Key(addr)
			}
		}
		if srcKey == "" {
			srcWhy = fmt.Sprintf("the source %q is computed from %s at apply time", tfinst.Printable(f[1]), strings.Join(tfinst.RefsIn(f[1]), ", "))
		}
		f[1] = placeholder
		text = strings.Join(f, "#")
	}
	lr, err := ParseLiteRule(text)
	if err != nil {
		if text != s {
			err = fmt.Errorf("%s", strings.ReplaceAll(err.Error(), text, tfinst.Printable(s)))
		}
		return rule, false, srcpos.Errorf(loc, "invalid lite rule %v", err)
	}
	rule.Action = lr.Action
	switch {
	case srcWhy != "":
		rule.Peer = model.Peer{Kind: model.PeerUnknown, Why: srcWhy}
	case lr.Group != "":
		rule.Peer = model.Peer{Kind: model.PeerGroup, Group: cmp.Or(srcKey, lr.Group)}
	case lr.AddressSet != "":
		rule.Peer = model.Peer{Kind: model.PeerAddressSet, Set: cmp.Or(srcKey, lr.AddressSet)}
	default:
		rule.Peer = model.Peer{Kind: model.PeerCIDR, Prefix: lr.Prefix}
	}
	rule.Services = lr.Services
	if lr.ServiceTemplate != "" {
		rule.Services, rule.PortsUnknown = m.serviceTemplate(lr.ServiceTemplate)
	}
	return rule, true, nil
}

// serviceTemplate resolves a protocol template (group) by key: its
// services, or every service and why they are not known.
func (m *mapper) serviceTemplate(key string) (netset.Services, string) {
	t, ok := m.svcs[key]
	switch {
	case !ok:
		return netset.AllServices(), m.undeclaredService(key)
	case t.why != "":
		return netset.AllServices(), fmt.Sprintf("%s: %s", m.label(key), t.why)
	}
	return t.svcs, ""
}

// singleRule is a tencentcloud_security_group_rule waiting for its place.
type singleRule struct {
	rule  model.Rule
	index int64
	// indexed: the rule gives policy_index.
	indexed bool
	decl    int
}

// singleRules maps the legacy tencentcloud_security_group_rule: one rule
// per resource, inserted at its policy_index or appended. Terraform
// creates such resources in parallel, so their final order is the one
// policy_index gives where it is set and declaration order otherwise, and
// even that is not guaranteed.
func (m *mapper) singleRules() error {
	pending := map[string][]singleRule{}
	var order []string
	for n, in := range m.c.Of(typeRule) {
		g := m.targetGroup(in)
		if g == nil {
			continue
		}
		v := in.Values
		var dir model.Direction
		switch t := strings.ToLower(str(v, "type")); t {
		case "ingress":
			dir = model.Ingress
		case "egress":
			dir = model.Egress
		case "":
			if tfinst.Absent(tfinst.Get(v, "type")) {
				return srcpos.Errorf(in.Origin, "the rule has no type: expected ingress or egress")
			}
			g.RulesUnknown = joinWhy(g.RulesUnknown, fmt.Sprintf("the type of %s is not known: %s", in.Address, tfinst.ReasonOr(tfinst.Get(v, "type"), "it is computed at apply time")))
			continue
		default:
			return srcpos.Errorf(in.Origin, "type %q: expected ingress or egress", t)
		}
		act, ok, err := action(tfinst.Get(v, "policy"), "policy", in.Origin)
		if err != nil {
			return err
		}
		if !ok {
			g.RulesUnknown = joinWhy(g.RulesUnknown, fmt.Sprintf("the policy of %s is not known: %s", in.Address, tfinst.ReasonOr(tfinst.Get(v, "policy"), "it is computed at apply time")))
			continue
		}
		at := tfinst.Block(v, "address_template")
		peer, err := m.peer([]peerField{
			{"cidr_ip", tfinst.Get(v, "cidr_ip"), model.PeerCIDR},
			{"source_sgid", tfinst.Get(v, "source_sgid"), model.PeerGroup},
			{"address_template.template_id", tfinst.Get(at, "template_id"), model.PeerAddressSet},
			{"address_template.group_id", tfinst.Get(at, "group_id"), model.PeerAddressSet},
		}, g.ID, in.Origin)
		if err != nil {
			return err
		}
		pt := tfinst.Block(v, "protocol_template")
		svcs, portsUnknown, err := m.services(tfinst.Get(v, "ip_protocol"), tfinst.Get(v, "port_range"),
			tfinst.Get(pt, "template_id"), tfinst.Get(pt, "group_id"),
			[4]string{"ip_protocol", "port_range", "protocol_template.template_id", "protocol_template.group_id"}, in.Origin)
		if err != nil {
			return err
		}
		sr := singleRule{decl: n, rule: model.Rule{Direction: dir, Action: act, Services: svcs, PortsUnknown: portsUnknown, Peer: peer,
			Description: str(v, "description"), ID: in.Address, Standalone: true, Origin: in.Origin}}
		if pi := tfinst.Get(v, "policy_index"); !tfinst.Absent(pi) {
			idx, ok := tfinst.Int(pi)
			switch {
			case !ok && tfinst.WhollyKnown(pi):
				return srcpos.Errorf(in.Origin, "policy_index %s is not a whole number", tfinst.Describe(pi))
			case !ok:
				g.RulesUnknown = joinWhy(g.RulesUnknown, fmt.Sprintf("the policy_index of %s is not known, so neither is the rule order: %s", in.Address, tfinst.ReasonOr(pi, "it is computed at apply time")))
			case idx < 0:
				return srcpos.Errorf(in.Origin, "policy_index %d: expected 0 or more", idx)
			default:
				sr.index, sr.indexed = idx, true
			}
		}
		if _, seen := pending[g.ID]; !seen {
			order = append(order, g.ID)
		}
		pending[g.ID] = append(pending[g.ID], sr)
	}
	for _, key := range order {
		rules := pending[key]
		slices.SortStableFunc(rules, func(a, b singleRule) int {
			switch {
			case a.indexed && b.indexed:
				return cmp.Or(cmp.Compare(a.index, b.index), cmp.Compare(a.decl, b.decl))
			case a.indexed:
				return -1
			case b.indexed:
				return 1
			}
			return cmp.Compare(a.decl, b.decl)
		})
		g := m.e.Groups[key]
		counts := map[model.Direction]int{}
		for _, r := range rules {
			g.Rules = append(g.Rules, r.rule)
			counts[r.rule.Direction]++
		}
		for _, dir := range []model.Direction{model.Ingress, model.Egress} {
			if counts[dir] > 1 {
				m.c.Note("%s: its %d %s rules are separate tencentcloud_security_group_rule resources, whose order in the group is not guaranteed (Terraform creates them in parallel, each inserted at its policy_index or appended); they are read ordered by policy_index where it is set, then in declaration order. A tencentcloud_security_group_rule_set fixes the order.",
					m.label(key), counts[dir], dir)
			}
		}
	}
	return nil
}

// unsupported notes the resources that bind security groups to a
// cluster's instances in ways not read yet.
func (m *mapper) unsupported() error {
	for _, typ := range []string{"tencentcloud_kubernetes_attachment", "tencentcloud_kubernetes_serverless_node_pool"} {
		for _, in := range m.c.Of(typ) {
			m.c.Note("%s: %s is not read yet, so the security groups of its instances are not part of any cluster", in.Address, typ)
		}
	}
	return nil
}

// completeReferences gives every group and address set that a rule or a
// member names, but the configuration does not declare, an entry whose
// contents are unknown.
func (m *mapper) completeReferences() {
	var groups, sets []string
	for _, g := range m.e.SortedGroups() {
		if g.Provider != model.Tencent {
			continue
		}
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
		if lb.Type == clbType {
			groups = append(groups, lb.Groups...)
		}
	}
	for _, key := range groups {
		m.group(key)
	}
	for _, key := range sets {
		if m.e.AddressSets[key] == nil {
			m.e.AddressSets[key] = &model.AddressSet{ID: key, Unknown: m.undeclaredSet(key)}
		}
	}
}
