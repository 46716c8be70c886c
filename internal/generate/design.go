// Package generate designs least-privilege security groups for a cluster
// of a given shape — platform, level, add-ons, networks — from the
// knowledge catalogs, and writes them as Terraform, CloudFormation or JSON.
// Every rule exists because a catalog requirement needs it, and says so in
// its description; nothing else is opened. The groups carry clusterwall's
// role tags, so `clusterwall check` reads the design back without --role.
package generate

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/clusterwall/clusterwall/internal/knowledge"
	"github.com/clusterwall/clusterwall/internal/model"
	"github.com/clusterwall/clusterwall/internal/netset"
	"github.com/clusterwall/clusterwall/internal/remedy"
)

// Spec describes the cluster to design groups for.
type Spec struct {
	Platform model.Platform
	Level    int
	AddOns   []model.AddOn
	Cluster  string
	VPC      []netip.Prefix // the VPC (cluster network) CIDRs
	Pods     []netip.Prefix // TKE: the container network (cluster_cidr)
	// Monitoring scrapes the nodes from these addresses, or from a group
	// that exists already (MonitoringGroup, an sg- id); without either,
	// in-cluster Prometheus on the nodes does.
	MonitoringCIDRs []netip.Prefix
	MonitoringGroup string
	// Independent: a TKE cluster whose masters are the user's.
	Independent bool
	// ClientCIDRs may reach the load balancer (default: everyone).
	ClientCIDRs []netip.Prefix
}

// Design is the groups a Spec needs.
type Design struct {
	Spec   Spec
	Groups []*Group
	// docs maps a requirement id to the document that requires it.
	docs map[string]string
}

// Group is one security group to create (or, External, one that exists).
type Group struct {
	Key         string // identifier in the output: nodes, control_plane, load_balancer, monitoring
	Role        string
	Name        string
	Description string
	External    string // an existing group's id: referenced, not created
	Ingress     []Rule
	Egress      []Rule
}

// Rule is one rule: one protocol, one port range (or ICMP type), one peer.
// A design only accepts.
type Rule struct {
	Proto    uint8
	All      bool   // every protocol
	Lo, Hi   uint16 // port range; for ICMP the type (Lo) and code (Hi), 0xFFFF for all
	Peer     Peer
	Why      []string // requirement ids
	Comment  string   // what the rule is for, in words
	Services netset.Services
}

// Peer is a rule's other end: a group of the design or a CIDR.
type Peer struct {
	Group string // Key of a group of the design
	CIDR  netip.Prefix
}

func (p Peer) String() string {
	if p.Group != "" {
		return "group " + p.Group
	}
	return p.CIDR.String()
}

// Keys of the groups a design may hold.
const (
	KeyControlPlane = "control_plane"
	KeyNodes        = "nodes"
	KeyLoadBalancer = "load_balancer"
	KeyMonitoring   = "monitoring"
)

var anyIPv4 = netip.MustParsePrefix("0.0.0.0/0")

// Build designs the groups: the roles the platform needs, then for every
// requirement that holds, the egress rule on its source and the ingress
// rule on its destination.
func Build(spec Spec, cat *knowledge.Catalog) (*Design, error) {
	if spec.Cluster == "" {
		spec.Cluster = "cluster"
	}
	spec.Level = max(spec.Level, 1)
	if len(spec.VPC) == 0 {
		return nil, fmt.Errorf("the design needs the VPC's CIDR (--vpc-cidr)")
	}
	if spec.Platform == model.TKE && len(spec.Pods) == 0 {
		return nil, fmt.Errorf("a TKE design needs the container network's CIDR (--pod-cidr)")
	}
	if len(spec.ClientCIDRs) == 0 {
		spec.ClientCIDRs = []netip.Prefix{anyIPv4}
	}
	d := &Design{Spec: spec, docs: map[string]string{}}
	name := func(s string) string { return spec.Cluster + "-" + s }
	if spec.Platform == model.EKS || spec.Independent {
		d.Groups = append(d.Groups, &Group{Key: KeyControlPlane, Role: model.RoleControlPlane, Name: name("control-plane"),
			Description: controlPlaneText(spec)})
	}
	d.Groups = append(d.Groups,
		&Group{Key: KeyNodes, Role: model.RoleNodes, Name: name("nodes"), Description: "Worker nodes of " + spec.Cluster},
		&Group{Key: KeyLoadBalancer, Role: model.RoleLoadBalancer, Name: name("load-balancer"), Description: "Load balancer in front of " + spec.Cluster})
	switch {
	case spec.MonitoringGroup != "":
		d.Groups = append(d.Groups, &Group{Key: KeyMonitoring, Role: model.RoleMonitoring, External: spec.MonitoringGroup})
	case len(spec.MonitoringCIDRs) == 0 && spec.Level >= 2:
		d.Groups = append(d.Groups, &Group{Key: KeyMonitoring, Role: model.RoleMonitoring, Name: name("monitoring"),
			Description: "Prometheus and the trace collector of " + spec.Cluster})
	}
	lb := d.group(KeyLoadBalancer)
	for _, c := range spec.ClientCIDRs {
		for _, port := range []uint16{80, 443} {
			lb.Ingress = append(lb.Ingress, rulesFor(netset.Ports(netset.TCP, port, port), Peer{CIDR: c}, "", "clients of the load balancer")...)
		}
	}
	facts := knowledge.Facts{Platform: spec.Platform, Level: spec.Level, Independent: spec.Independent, AddOns: spec.AddOns,
		HasRole: func(role string) bool { return d.hasRole(role) }}
	for _, a := range cat.Requirements(facts) {
		if err := d.add(a); err != nil {
			return nil, err
		}
	}
	d.normalize()
	return d, nil
}

func controlPlaneText(s Spec) string {
	if s.Platform == model.TKE {
		return "Masters of " + s.Cluster
	}
	return "Additional security group of the " + s.Cluster + " control plane"
}

func (d *Design) group(key string) *Group {
	for _, g := range d.Groups {
		if g.Key == key {
			return g
		}
	}
	return nil
}

func (d *Design) hasRole(role string) bool {
	for _, g := range d.Groups {
		if g.Role == role {
			return true
		}
	}
	return role == model.RoleMonitoring && len(d.Spec.MonitoringCIDRs) > 0
}

// end is one end of a requirement: a group of the design, or CIDRs.
type end struct {
	group string
	cidrs []netip.Prefix
}

// resolve turns a catalog role into an end of the design.
func (d *Design) resolve(role string, egressSide bool) (end, bool) {
	if alts := strings.Split(role, "|"); len(alts) > 1 {
		for _, r := range alts {
			if e, ok := d.resolve(r, egressSide); ok {
				return e, true
			}
		}
		return end{}, false
	}
	if anyOf := strings.Split(role, "+"); len(anyOf) > 1 {
		return d.resolve(anyOf[0], egressSide) // the first will do: "internet+vpc" → internet
	}
	if p, err := netip.ParsePrefix(role); err == nil {
		return end{cidrs: []netip.Prefix{p}}, true
	}
	switch role {
	case model.RoleInternet:
		return end{cidrs: []netip.Prefix{anyIPv4}}, true
	case model.RoleVPC:
		return end{cidrs: d.Spec.VPC}, true
	case model.RolePods:
		if d.Spec.Platform == model.TKE {
			return end{cidrs: d.Spec.Pods}, true
		}
		return end{group: KeyNodes}, true // VPC CNI pods have their nodes' groups
	case model.RoleMonitoring:
		if len(d.Spec.MonitoringCIDRs) > 0 && d.group(KeyMonitoring) == nil {
			return end{cidrs: d.Spec.MonitoringCIDRs}, true
		}
	}
	for _, g := range d.Groups {
		if g.Role == role {
			return end{group: g.Key}, true
		}
	}
	return end{}, false
}

// add opens one requirement: egress on its source, ingress on its
// destination. Traffic from the pods of a container network leaves
// through the nodes' group.
func (d *Design) add(a knowledge.Applied) error {
	req := a.Req
	from, ok := d.resolve(req.From, true)
	if !ok {
		return nil
	}
	to, ok := d.resolve(req.To, false)
	if !ok {
		return nil
	}
	// The group whose egress the traffic leaves through, if any.
	var src *Group
	switch {
	case from.group != "":
		src = d.group(from.group)
	case d.Spec.Platform == model.TKE && slices.Equal(from.cidrs, d.Spec.Pods):
		src = d.group(KeyNodes) // pods leave through their node's group
	}
	var dst *Group
	switch {
	case to.group != "":
		dst = d.group(to.group)
	case d.Spec.Platform == model.TKE && slices.Equal(to.cidrs, d.Spec.Pods):
		dst = d.group(KeyNodes) // pods are reached through their node's group
	}
	for _, part := range req.Svcs.Parts() {
		svcs := part.Services()
		what := fmt.Sprintf("%s to %s %s", strings.ReplaceAll(req.From, "|", " or "), strings.ReplaceAll(req.To, "+", " or "), svcs)
		if src != nil && src.External == "" {
			for _, p := range peersOf(to) {
				src.Egress = append(src.Egress, rulesFor(svcs, p, a.ID, what)...)
			}
		}
		if dst != nil && dst.External == "" {
			for _, p := range peersOf(from) {
				dst.Ingress = append(dst.Ingress, rulesFor(svcs, p, a.ID, what)...)
			}
		}
		d.docs[a.ID] = shortRef(req.References)
	}
	return nil
}

func peersOf(e end) []Peer {
	if e.group != "" {
		return []Peer{{Group: e.group}}
	}
	out := make([]Peer, len(e.cidrs))
	for i, c := range e.cidrs {
		out[i] = Peer{CIDR: c}
	}
	return out
}

// rulesFor splits services into rules of one protocol and one range.
func rulesFor(svcs netset.Services, p Peer, id, title string) []Rule {
	var why []string
	if id != "" {
		why = []string{id}
	}
	if svcs.IsAll() {
		return []Rule{{All: true, Peer: p, Why: why, Comment: title, Services: svcs}}
	}
	var out []Rule
	for _, proto := range svcs.Protocols() {
		vals := svcs.Values(proto)
		if !netset.HasPorts(proto) && !netset.IsICMP(proto) {
			out = append(out, Rule{Proto: proto, Lo: 0, Hi: 0xFFFF, Peer: p, Why: why, Comment: title, Services: netset.Protocol(proto)})
			continue
		}
		for _, r := range vals {
			lo, hi := uint16(r.Lo), uint16(r.Hi)
			if netset.IsICMP(proto) {
				// One ICMP rule per type (all codes), or all types.
				if lo == 0 && hi == 0xFFFF {
					out = append(out, Rule{Proto: proto, Lo: 0xFFFF, Hi: 0xFFFF, Peer: p, Why: why, Comment: title, Services: netset.Protocol(proto)})
					continue
				}
				for t := lo >> 8; t <= hi>>8; t++ {
					code := uint16(0xFFFF)
					if lo == hi {
						code = lo & 0xFF
					}
					out = append(out, Rule{Proto: proto, Lo: t, Hi: code, Peer: p, Why: why, Comment: title,
						Services: netset.ICMPType(proto, int(t), icmpCode(code))})
				}
				continue
			}
			out = append(out, Rule{Proto: proto, Lo: lo, Hi: hi, Peer: p, Why: why, Comment: title, Services: netset.Ports(proto, lo, hi)})
		}
	}
	return out
}

func icmpCode(c uint16) int {
	if c == 0xFFFF {
		return -1
	}
	return int(c)
}

// normalize merges identical rules (keeping every requirement that needs
// them) and sorts them, so the output is deterministic.
func (d *Design) normalize() {
	for _, g := range d.Groups {
		g.Ingress, g.Egress = merge(g.Ingress), merge(g.Egress)
	}
}

func merge(rs []Rule) []Rule {
	var out []Rule
	for _, r := range rs {
		i := slices.IndexFunc(out, func(o Rule) bool {
			return o.All == r.All && o.Proto == r.Proto && o.Lo == r.Lo && o.Hi == r.Hi && o.Peer == r.Peer
		})
		if i < 0 {
			out = append(out, r)
			continue
		}
		for _, w := range r.Why {
			if !slices.Contains(out[i].Why, w) {
				out[i].Why = append(out[i].Why, w)
			}
		}
		if out[i].Comment != r.Comment && !strings.Contains(out[i].Comment, r.Comment) {
			out[i].Comment += "; " + r.Comment
		}
	}
	// Drop rules another rule of the group already covers.
	var kept []Rule
	for i, r := range out {
		covered := false
		for j, o := range out {
			if i != j && o.Peer == r.Peer && o.Services.ContainsAll(r.Services) && (!r.Services.ContainsAll(o.Services) || j < i) {
				covered = true
				break
			}
		}
		if !covered {
			kept = append(kept, r)
		}
	}
	slices.SortFunc(kept, func(a, b Rule) int {
		return cmp.Or(cmp.Compare(a.Peer.Group, b.Peer.Group), a.Peer.CIDR.Addr().Compare(b.Peer.CIDR.Addr()),
			cmp.Compare(a.Peer.CIDR.Bits(), b.Peer.CIDR.Bits()), cmp.Compare(a.Proto, b.Proto), cmp.Compare(a.Lo, b.Lo), cmp.Compare(a.Hi, b.Hi))
	})
	return kept
}

// shortRef is a reference without its scheme, to fit a description.
func shortRef(refs []string) string {
	if len(refs) == 0 {
		return ""
	}
	return strings.TrimPrefix(strings.TrimPrefix(refs[0], "https://"), "http://")
}

// Description is the rule's description: what it is for, which
// requirements need it and the document that says so, in the characters
// AWS accepts in descriptions.
func (d *Design) Description(r Rule) string {
	why := strings.Join(r.Why, ", ")
	if len(r.Why) == 1 && d.docs[r.Why[0]] != "" {
		why += " " + d.docs[r.Why[0]]
	}
	s := r.Comment
	if why != "" {
		s += " (" + why + ")"
	}
	return remedy.AWSDescription(s)
}
