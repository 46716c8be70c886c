package check

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"go4.org/netipx"

	"github.com/clusterwall/clusterwall/internal/endpoint"
	"github.com/clusterwall/clusterwall/internal/knowledge"
	"github.com/clusterwall/clusterwall/internal/model"
	"github.com/clusterwall/clusterwall/internal/netset"
	"github.com/clusterwall/clusterwall/internal/reach"
	"github.com/clusterwall/clusterwall/internal/remedy"
)

// requiredFlows reports every flow of the platform's catalog (and of the
// installed add-ons) that the cluster needs but its groups do not allow.
type requiredFlows struct{}

func (requiredFlows) Run(ctx *Context, out *Result) {
	for _, a := range ctx.requirements() {
		ctx.require(a.Req, a.ID, a.AddOn, out)
	}
}

// requirements lists the requirements of the platform and of the
// installed add-ons that hold for the cluster.
func (ctx *Context) requirements() []knowledge.Applied {
	c := ctx.Cluster
	return ctx.Catalog.Requirements(knowledge.Facts{
		Platform: c.Platform, Level: ctx.Level, Legacy: c.Legacy, IPv6: c.IPv6, Independent: c.Independent,
		AddOns: c.AddOns, HasRole: func(role string) bool { return len(c.MembersOf(role)) > 0 },
	})
}

// part is one host class at an end of a requirement: a cluster member, or
// an address range (internet, vpc) that no group filters.
type part struct {
	host   reach.Host
	member *model.Member // nil for an address range
}

func (p part) label() string { return p.host.Label }

// parts resolves a requirement's end: a role, "a|b" (the first of them the
// cluster has), or "a+b" (any of them will do).
func (ctx *Context) parts(role string, side endpoint.Side) (string, []part, reach.Quantifier) {
	c := ctx.Cluster
	if alts := strings.Split(role, "|"); len(alts) > 1 {
		for _, r := range alts {
			if name, ps, q := ctx.parts(r, side); len(ps) > 0 {
				return name, ps, q
			}
		}
		return role, nil, reach.Every
	}
	if anyOf := strings.Split(role, "+"); len(anyOf) > 1 {
		var all []part
		for _, r := range anyOf {
			_, ps, _ := ctx.parts(r, side)
			all = append(all, ps...)
		}
		return role, all, reach.Some
	}
	if _, err := netip.ParsePrefix(role); err == nil || role == model.RoleInternet || role == model.RoleVPC {
		ep, err := ctx.Resolver.Resolve(c, role, side, reach.Some)
		if err != nil {
			return role, nil, reach.Some
		}
		ps := make([]part, len(ep.Hosts))
		for i, h := range ep.Hosts {
			ps[i] = part{host: h}
		}
		if role == model.RoleVPC && side == endpoint.To {
			ps = append(ps, ctx.vpcEndpoints()...)
		}
		return role, ps, reach.Some
	}
	var ps []part
	for _, m := range endpoint.Members(c, role, side) {
		ps = append(ps, part{host: ctx.hostFor(m), member: m})
	}
	return role, ps, quantifier(role)
}

// vpcEndpoints are the interface endpoints of the cluster's VPC that the
// input shows, one part per set of groups: a flow to the VPC (nodes'
// HTTPS to AWS APIs) may go to them, and their own groups decide it, as
// in a private cluster whose nodes reach the endpoints' group.
func (ctx *Context) vpcEndpoints() []part {
	c := ctx.Cluster
	var out []part
	index := map[string]int{}
	for _, n := range ctx.Estate.Interfaces {
		if n.Type != model.InterfaceVPCEndpoint || (c.VPC != "" && n.VPC != "" && n.VPC != c.VPC) {
			continue
		}
		key := strings.Join(n.Groups, ",")
		i, ok := index[key]
		if !ok {
			i = len(out)
			index[key] = i
			out = append(out, part{host: reach.Host{Label: "vpc-endpoints(" + key + ")", Groups: n.Groups, Addrs: netset.Empty(), Exact: true}})
		}
		var b netipx.IPSetBuilder
		b.AddSet(out[i].host.Addrs)
		for _, a := range n.Addrs {
			b.Add(a)
		}
		out[i].host.Addrs, _ = b.IPSet()
	}
	return out
}

// require checks one required flow and reports it blocked where it is
// not allowed. inst is the add-on that needs it, if any. A flow names one
// protocol (CONTRACT.md), so a requirement of several protocols is
// decided, and reported, one protocol at a time.
func (ctx *Context) require(req *knowledge.Requirement, id string, inst *model.AddOn, out *Result) {
	fromRole, from, qf := ctx.parts(req.From, endpoint.From)
	toRole, to, qt := ctx.parts(req.To, endpoint.To)
	if req.ExceptControllerTargets {
		from = slices.DeleteFunc(from, func(p part) bool { return ctx.controllerTargets(p, to) })
	}
	if len(from) == 0 || len(to) == 0 {
		return
	}
	if req.Any || req.Svcs.IsAll() {
		ctx.requireServices(req, id, inst, fromRole, toRole, units(from, to, qf, qt), req.Svcs, out)
		return
	}
	for _, p := range req.Svcs.Protocols() {
		ctx.requireServices(req, id, inst, fromRole, toRole, units(from, to, qf, qt), req.Svcs.Intersect(netset.Protocol(p)), out)
	}
}

// controllerTargets reports a balancer that some destination admits
// through rules the AWS Load Balancer Controller writes for its target
// groups: the controller, not the user, opens the ports it needs.
func (ctx *Context) controllerTargets(lb part, dsts []part) bool {
	if lb.member == nil {
		return false
	}
	for _, d := range dsts {
		if d.member == nil {
			continue
		}
		for _, id := range d.member.Groups {
			g := ctx.Estate.Groups[id]
			if g == nil {
				continue
			}
			for _, r := range g.Rules {
				if r.Direction == model.Ingress && r.Peer.Kind == model.PeerGroup && slices.Contains(lb.member.Groups, r.Peer.Group) &&
					strings.HasPrefix(r.Description, "elbv2.k8s.aws/targetGroupBinding") {
					return true
				}
			}
		}
	}
	return false
}

// requireServices checks one protocol's part of a required flow. Where it
// is denied, the finding names what is missing, not what is already
// allowed (Cilium's health check needs tcp/4240 and ICMP echo; a group
// that allows the port but not the echo misses only the echo).
func (ctx *Context) requireServices(req *knowledge.Requirement, id string, inst *model.AddOn, fromRole, toRole string, us []unit, svcs netset.Services, out *Result) {
	c := ctx.Cluster
	var failed []string
	var blockers []reach.Reason
	var changes []remedy.Change
	var missing netset.Services
	for _, u := range us {
		f := reach.Endpoint{Name: fromRole, Hosts: hostsOf(u.from), Q: reach.Some}
		t := reach.Endpoint{Name: toRole, Hosts: hostsOf(u.to), Q: reach.Some}
		ans := ctx.Engine.Ask(f, t, svcs)
		if req.Any && ans.Verdict != reach.Allowed {
			ans.Verdict = ctx.someAllowed(f, t, svcs, ans.Verdict)
		}
		pair := labels(u.from) + " → " + labels(u.to)
		if len(u.from) > 1 {
			pair = "(" + labels(u.from) + ") → " + labels(u.to)
		}
		switch ans.Verdict {
		case reach.Denied:
			miss := svcs
			if !req.Any {
				var open netset.Services
				if miss, open = ctx.notAllowed(f, t, svcs); !open.IsEmpty() {
					out.Unverified = append(out.Unverified, ctx.unverified(id, fromRole, toRole, pair, f, t, open))
				}
				if !miss.Equal(svcs) {
					ans = ctx.Engine.Ask(f, t, miss)
				}
			}
			missing = missing.Union(miss)
			failed = append(failed, pair)
			blockers = append(blockers, ans.Because...)
			changes = append(changes, ctx.fixes(ans.Because, u, miss, id)...)
		case reach.Unknown:
			out.Unverified = append(out.Unverified, Unverified{ID: id, Cluster: c.Name,
				Flow: flowOf(fromRole, toRole, svcs), Where: pair, Missing: reasonList(ans.Because)})
		}
	}
	if len(failed) == 0 {
		return
	}
	svcWord := missing.String()
	if req.Any {
		svcWord = "any of " + svcWord
	}
	msg := fmt.Sprintf("%s: %s is not allowed (%s). %s", strings.Join(failed, "; "), svcWord, reasonTexts(blockers), strings.TrimSpace(req.Breaks))
	if inst != nil {
		msg = fmt.Sprintf("%s needs it (installed by %s). %s", inst.Name, inst.Source, msg)
	}
	locs := reasonLocations(blockers)
	if inst != nil && !inst.Origin.IsZero() {
		locs = append(locs, inst.Origin)
	}
	out.Findings = append(out.Findings, Finding{
		ID: id, Kind: Blocked, Severity: req.Severity, Cluster: c.Name, Title: req.Title, Message: msg,
		Flow: flowOf(flowRole(fromRole), flowRole(toRole), missing), Locations: locs,
		Fix: ctx.fixText(changes), References: req.References, Changes: changes,
	})
}

// flowRole names a requirement's end in a finding's flow: a role
// (CONTRACT.md), so of "internet+vpc" (either will do) the first, the one
// the fix opens.
func flowRole(role string) string {
	first, _, _ := strings.Cut(role, "+")
	return first
}

// notAllowed splits the services of a denied piece of a requirement into
// those no pair of its hosts may open and those the input leaves open.
// Both ends of a piece count when some host and address of them will do.
func (ctx *Context) notAllowed(f, t reach.Endpoint, svcs netset.Services) (denied, open netset.Services) {
	var allowed, unknown netset.Services
	for i := range f.Hosts {
		for j := range t.Hosts {
			fl := ctx.Engine.Flows(&f.Hosts[i], &t.Hosts[j])
			allowed, unknown = allowed.Union(fl.Allowed), unknown.Union(fl.Unknown)
		}
	}
	denied = svcs.Minus(allowed).Minus(unknown)
	if denied.IsEmpty() {
		return svcs, netset.Services{}
	}
	return denied, svcs.Intersect(unknown).Minus(allowed)
}

// unverified records the part of a required flow the input does not decide.
func (ctx *Context) unverified(id, fromRole, toRole, where string, f, t reach.Endpoint, svcs netset.Services) Unverified {
	ans := ctx.Engine.Ask(f, t, svcs)
	return Unverified{ID: id, Cluster: ctx.Cluster.Name, Flow: flowOf(fromRole, toRole, svcs), Where: where, Missing: reasonList(ans.Because)}
}

// quantifier: the control plane is one service whose flows need some
// endpoint of it, and an address range needs some address of it; every
// other role needs each of its members served.
func quantifier(role string) reach.Quantifier {
	switch role {
	case model.RoleControlPlane, model.RoleInternet, model.RoleVPC:
		return reach.Some
	}
	if _, err := netip.ParsePrefix(role); err == nil {
		return reach.Some
	}
	return reach.Every
}

// unit is one piece of a requirement that must hold on its own: one part
// of each end a requirement quantifies over every part of.
type unit struct {
	from, to []part
}

func units(from, to []part, qf, qt reach.Quantifier) []unit {
	split := func(ps []part, q reach.Quantifier) [][]part {
		if q == reach.Some {
			return [][]part{ps}
		}
		out := make([][]part, len(ps))
		for i, p := range ps {
			out[i] = []part{p}
		}
		return out
	}
	var out []unit
	for _, f := range split(from, qf) {
		for _, t := range split(to, qt) {
			out = append(out, unit{f, t})
		}
	}
	return out
}

func hostsOf(ps []part) []reach.Host {
	out := make([]reach.Host, len(ps))
	for i, p := range ps {
		out[i] = p.host
	}
	return out
}

func labels(ps []part) string {
	ls := make([]string, len(ps))
	for i, p := range ps {
		ls[i] = p.label()
	}
	return strings.Join(ls, ", ")
}

// someAllowed decides a requirement that one of its services suffices
// for: allowed when some pair of hosts may open some service of svcs. When
// none may, the verdict for all of them (and its blockers) stands.
func (ctx *Context) someAllowed(f, t reach.Endpoint, svcs netset.Services, all reach.Verdict) reach.Verdict {
	v := all
	for i := range f.Hosts {
		for j := range t.Hosts {
			fl := ctx.Engine.Flows(&f.Hosts[i], &t.Hosts[j])
			switch {
			case fl.Allowed.Overlaps(svcs):
				return reach.Allowed
			case fl.Unknown.Overlaps(svcs):
				v = reach.Unknown
			}
		}
	}
	return v
}

// flowOf fills a finding's flow. Requirements are checked one protocol at
// a time, so svcs holds one protocol, or every service ("all").
func flowOf(from, to string, svcs netset.Services) *Flow {
	parts := svcs.Parts()
	if len(parts) == 0 {
		return &Flow{From: from, To: to, Protocol: "all", Ports: "all"}
	}
	return &Flow{From: from, To: to, Protocol: parts[0].Protocol, Ports: parts[0].Ports}
}

func dedupeStrings(xs []string) []string {
	var out []string
	for _, x := range xs {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

// fixes says, for each side that blocks, the rule that would open it.
func (ctx *Context) fixes(because []reach.Reason, u unit, svcs netset.Services, id string) []remedy.Change {
	src, dst := fixPart(u.from), fixPart(u.to)
	if src == nil || dst == nil {
		return nil
	}
	// A side blocks when a reason denies it at a group of the part the fix
	// will name.
	blockedAt := map[model.Direction]bool{}
	for _, r := range because {
		p := dst
		if r.Direction == model.Egress {
			p = src
		}
		if r.Effect == reach.Denied && p.member != nil && slices.Contains(p.member.Groups, r.Group) {
			blockedAt[r.Direction] = true
		}
	}
	desc := fmt.Sprintf("%s to %s %s (%s)", labels(u.from), labels(u.to), svcs, id)
	var out []remedy.Change
	if blockedAt[model.Egress] {
		out = append(out, ctx.ruleChanges(model.Egress, src.member, dst, svcs, desc)...)
	}
	if blockedAt[model.Ingress] {
		out = append(out, ctx.ruleChanges(model.Ingress, dst.member, src, svcs, desc)...)
	}
	return out
}

// fixPart picks the part a fix names: a real interface class rather than
// the public endpoint the platform runs, else an address range.
func fixPart(ps []part) *part {
	for i, p := range ps {
		if p.member != nil && !p.member.IsAPIEndpoint() && len(p.member.Groups) > 0 {
			return &ps[i]
		}
	}
	for i, p := range ps {
		if p.member == nil {
			return &ps[i]
		}
	}
	// The public API endpoint alone (no private endpoint): clients reach
	// it at public addresses, so the rule to add names the internet.
	for _, p := range ps {
		if p.member != nil && p.member.Kind == model.KindAPIEndpoint {
			return &part{host: reach.Host{Label: model.RoleInternet, Addrs: p.host.Addrs, Exact: p.host.Exact}}
		}
	}
	return nil
}

// fixGroup picks the group of a member a new rule belongs in: its only
// group; for the control plane the cluster security group; for others a
// group tagged for the cluster that is not the cluster group; else the
// first group.
func (ctx *Context) fixGroup(m *model.Member) string {
	if len(m.Groups) == 1 {
		return m.Groups[0]
	}
	c := ctx.Cluster
	if m.Role == model.RoleControlPlane && slices.Contains(m.Groups, c.ClusterGroup) {
		return c.ClusterGroup
	}
	for _, id := range m.Groups {
		if g := ctx.Estate.Groups[id]; g != nil && id != c.ClusterGroup && g.Tags["kubernetes.io/cluster/"+c.Name] != "" {
			return id
		}
	}
	for _, id := range m.Groups {
		if id != c.ClusterGroup {
			return id
		}
	}
	return m.Groups[0]
}

// ruleChanges are the rules to add to self's group so that it allows svcs
// with peer: one naming the peer's group, or one per address range.
func (ctx *Context) ruleChanges(dir model.Direction, self *model.Member, peer *part, svcs netset.Services, desc string) []remedy.Change {
	if self == nil {
		return nil
	}
	g := ctx.fixGroup(self)
	first := false
	if grp := ctx.Estate.Groups[g]; grp != nil {
		first = grp.Provider == model.Tencent
	}
	mk := func(p model.Peer) remedy.Change {
		return remedy.Change{Group: g, First: first, Rule: model.Rule{Direction: dir, Services: svcs, Peer: p, Description: desc}}
	}
	// Pods of a container network are not their nodes' groups' instances:
	// rules must name their addresses.
	if peer.member != nil && peer.member.Kind != model.KindPodNetwork {
		return []remedy.Change{mk(model.Peer{Kind: model.PeerGroup, Group: ctx.fixGroup(peer.member)})}
	}
	var out []remedy.Change
	if peer.host.Label == model.RoleInternet {
		return []remedy.Change{mk(model.Peer{Kind: model.PeerCIDR, Prefix: netip.MustParsePrefix("0.0.0.0/0")})}
	}
	for _, p := range peerCIDRs(peer.host) {
		out = append(out, mk(model.Peer{Kind: model.PeerCIDR, Prefix: p}))
	}
	return out
}

// fixText says the changes in words, with the command for groups that
// came from an account's API output.
func (ctx *Context) fixText(changes []remedy.Change) string {
	var out []string
	for _, c := range changes {
		t := remedy.Sentence(ctx.Estate, c)
		if g := ctx.Estate.Groups[c.Group]; g != nil && (g.Format == remedy.AWSCLI || g.Format == remedy.TencentAPI) {
			t += " " + strings.TrimSpace(remedy.Snippet(ctx.Estate, c))
		}
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return strings.Join(out, " ")
}

// peerCIDRs are the IPv4 prefixes of an address range, for a fix.
func peerCIDRs(h reach.Host) []netip.Prefix {
	var out []netip.Prefix
	if h.Addrs == nil {
		return nil
	}
	for _, p := range h.Addrs.Prefixes() {
		if p.Addr().Is4() {
			out = append(out, p)
		}
	}
	return out
}
