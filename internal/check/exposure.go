package check

import (
	"fmt"
	"math/big"
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
	"github.com/clusterwall/clusterwall/internal/srcpos"
)

// exposures reports the flows of the exposure catalog that the cluster's
// groups allow: sensitive services open to the internet, every port open
// to the whole VPC, unrestricted egress. "The internet" is every public
// address outside the VPC; a public range of a /24 or less (an office, a
// VPN) is a deliberate pin, not an exposure, and one narrower than the
// internet lowers the severity one step. A VPC-wide exposure needs the
// whole VPC.
type exposures struct{}

// Width thresholds of a public range.
var (
	wholeIPv4  = big.NewInt(3 << 29)                  // more than a /2 holds: a /1 still counts once its private ranges are out
	wholeIPv6  = new(big.Int).Lsh(big.NewInt(1), 120) // a /8 of IPv6
	narrowIPv4 = big.NewInt(256)                      // a /24
	narrowIPv6 = new(big.Int).Lsh(big.NewInt(1), 80)  // a /48 site
)

// exposureHit collects one finding: one entry, one pair of ends, one
// protocol, over the members it was found on.
type exposureHit struct {
	x          *knowledge.Exposure
	from, to   string
	memberDir  model.Direction // the side of the member whose rules open it
	proto      netset.ProtoPorts
	members    []string
	reasons    []reach.Reason
	rangeAddrs []*netipx.IPSet
	severity   string
}

func (exposures) Run(ctx *Context, out *Result) {
	p := ctx.Catalog.Platforms[string(ctx.Cluster.Platform)]
	if p == nil {
		return
	}
	hits := map[string]*exposureHit{}
	var order []string
	// Per member and direction, the sensitive services the input leaves open.
	type open struct {
		from, to string
		src, dst reach.Host
		svcs     netset.Services
	}
	unknown := map[string]*open{}
	var unknownOrder []string
	// Entries share their ends (six ask about the internet and the nodes):
	// a member's host class, and its flows with a range, are found once
	// for all of them.
	type flowKey struct {
		from, to string
		m        *model.Member
	}
	hosts := map[*model.Member]reach.Host{}
	flows := map[flowKey]reach.Flow{}
	for i := range p.Exposures {
		x := &p.Exposures[i]
		if x.Level > ctx.Level {
			continue
		}
		rangeAtFrom := x.From[0] == model.RoleInternet || x.From[0] == model.RoleVPC
		rangeName, roles := x.To[0], x.From
		if rangeAtFrom {
			rangeName, roles = x.From[0], x.To
		}
		ep, err := ctx.Resolver.Resolve(ctx.Cluster, rangeName, endpoint.From, reach.Some)
		if err != nil {
			continue // no VPC CIDRs: nothing to judge "the whole VPC" by
		}
		rng := ep.Hosts[0]
		for _, role := range roles {
			side := endpoint.To
			if !rangeAtFrom {
				side = endpoint.From
			}
			for _, m := range ctx.Cluster.MembersOf(role) {
				if side == endpoint.From && m.IsAPIEndpoint() {
					continue
				}
				host, ok := hosts[m]
				if !ok {
					host = endpoint.HostOf(m)
					hosts[m] = host
				}
				src, dst, memberDir, from, to := &rng, &host, model.Ingress, rangeName, role
				if !rangeAtFrom {
					src, dst, memberDir, from, to = &host, &rng, model.Egress, role, rangeName
				}
				flow, ok := flows[flowKey{from, to, m}]
				if !ok {
					flow = ctx.Engine.Flows(src, dst)
					flows[flowKey{from, to, m}] = flow
				}
				exposed := exposedPart(x, flow.Allowed)
				if u := flow.Unknown.Intersect(x.Svcs); !u.IsEmpty() && exposed.IsEmpty() {
					key := m.Qualified() + "|" + from + "|" + to
					if unknown[key] == nil {
						unknownOrder = append(unknownOrder, key)
						unknown[key] = &open{from: from, to: to, src: *src, dst: *dst}
					}
					unknown[key].svcs = unknown[key].svcs.Union(u)
				}
				for _, part := range exposed.Parts() {
					svcs := part.Services()
					var ans reach.Answer
					var addrs *netipx.IPSet
					sev, ok := x.Severity, false
					if x.Whole {
						ans, addrs, ok = ctx.wholeFamily(rng, host, rangeAtFrom, from, to, svcs)
					} else {
						ans = ctx.Engine.Ask(reach.Endpoint{Name: from, Hosts: []reach.Host{*src}}, reach.Endpoint{Name: to, Hosts: []reach.Host{*dst}}, svcs)
						if ans.Verdict == reach.Allowed && len(ans.Pairs) == 1 {
							addrs = ans.Pairs[0].FromAddrs
							if !rangeAtFrom {
								addrs = ans.Pairs[0].ToAddrs
							}
							sev, ok = exposureSeverity(x.Severity, rangeName, addrs, rng.Addrs)
						}
					}
					if !ok {
						continue
					}
					key := x.ID + "|" + from + "|" + to + "|" + part.Protocol
					h := hits[key]
					if h == nil {
						h = &exposureHit{x: x, from: from, to: to, memberDir: memberDir, proto: part, severity: sev}
						hits[key] = h
						order = append(order, key)
					}
					if SeverityRank(sev) > SeverityRank(h.severity) {
						h.severity = sev
					}
					h.members = append(h.members, m.Qualified())
					h.reasons = append(h.reasons, ans.Because...)
					h.rangeAddrs = append(h.rangeAddrs, addrs)
				}
			}
		}
	}
	for _, key := range order {
		if by := coveringHit(hits, order, key, ctx); by == "" {
			out.Findings = append(out.Findings, ctx.exposureFinding(hits[key]))
		}
	}
	for _, key := range unknownOrder {
		o := unknown[key]
		ans := ctx.Engine.Ask(reach.Endpoint{Name: o.from, Hosts: []reach.Host{o.src}}, reach.Endpoint{Name: o.to, Hosts: []reach.Host{o.dst}}, o.svcs)
		out.Unverified = append(out.Unverified, Unverified{ID: ctx.platformID("EXP"), Cluster: ctx.Cluster.Name,
			Flow: flowOf(o.from, o.to, o.svcs), Where: o.src.Label + " → " + o.dst.Label, Missing: reasonList(ans.Because)})
	}
}

// coveringHit names another hit that already says all that hit key says:
// the same ends, services that hold key's, at least its severity, and every
// rule that opens key among the rules that open it. One rule that allows
// all traffic from the internet is one finding (EXP-ALL), not one more for
// each sensitive port inside it; a separate SSH rule beside it is still
// its own finding, since removing the allow-all rule leaves SSH open.
func coveringHit(hits map[string]*exposureHit, order []string, key string, ctx *Context) string {
	h := hits[key]
	mine := ruleKeys(ctx.openingReasons(h))
	if len(mine) == 0 {
		return ""
	}
	svcs := h.proto.Services()
	for _, k := range order {
		o := hits[k]
		if k == key || o.from != h.from || o.to != h.to || SeverityRank(o.severity) < SeverityRank(h.severity) {
			continue
		}
		oSvcs := o.proto.Services()
		if !oSvcs.ContainsAll(svcs) || oSvcs.Equal(svcs) && k > key {
			continue // of two equal hits the first in key order stays
		}
		theirs := ruleKeys(ctx.openingReasons(o))
		if !slices.ContainsFunc(mine, func(r string) bool { return !slices.Contains(theirs, r) }) {
			return k
		}
	}
	return ""
}

func ruleKeys(rs []reach.Reason) []string {
	var out []string
	for _, r := range rs {
		if r.Rule == nil {
			continue
		}
		out = append(out, r.Group+"|"+r.Text+"|"+r.Location.String())
	}
	return out
}

// wholeFamily decides a Whole entry: every port of svcs must be open to
// every address of the range, judged per address family (unrestricted
// IPv4 egress is unrestricted even when IPv6 is closed). The answer holds
// the rules of every family that is wholly open.
func (ctx *Context) wholeFamily(rng, host reach.Host, rangeAtFrom bool, from, to string, svcs netset.Services) (reach.Answer, *netipx.IPSet, bool) {
	var out reach.Answer
	var open []*netipx.IPSet
	for _, family := range []netip.Prefix{netset.AllIPv4, netset.AllIPv6} {
		part := netset.Intersect(rng.Addrs, netset.SetOf(family))
		if netset.IsEmpty(part) {
			continue
		}
		r := reach.Host{Label: rng.Label, Addrs: part, Exact: true}
		f, t := reach.Endpoint{Name: from, Hosts: []reach.Host{r}, Q: reach.Every}, reach.Endpoint{Name: to, Hosts: []reach.Host{host}}
		if !rangeAtFrom {
			f, t = reach.Endpoint{Name: from, Hosts: []reach.Host{host}}, reach.Endpoint{Name: to, Hosts: []reach.Host{r}, Q: reach.Every}
		}
		if ans := ctx.Engine.Ask(f, t, svcs); ans.Verdict == reach.Allowed {
			out.Verdict = reach.Allowed
			out.Because = append(out.Because, ans.Because...)
			out.Pairs = append(out.Pairs, ans.Pairs...)
			open = append(open, part)
		}
	}
	if len(open) == 0 {
		return reach.Answer{}, nil, false
	}
	return out, netset.Union(open...), true
}

// exposedPart is what of an entry's services a flow allows: any of them,
// or for a Whole entry the protocols allowed on every port (everything,
// for services "all").
func exposedPart(x *knowledge.Exposure, allowed netset.Services) netset.Services {
	if !x.Whole {
		return allowed.Intersect(x.Svcs)
	}
	if x.Svcs.IsAll() {
		if allowed.IsAll() {
			return allowed
		}
		return netset.Services{}
	}
	var out netset.Services
	for _, p := range x.Svcs.Protocols() {
		if allowed.ContainsAll(netset.Protocol(p)) {
			out = out.Union(netset.Protocol(p))
		}
	}
	return out
}

func (ctx *Context) platformID(id string) string {
	return strings.ToUpper(string(ctx.Cluster.Platform)) + "-" + id
}

// exposureSeverity grades the part of an address range a flow reaches:
// as wide as the internet keeps the catalog's severity, a wide public
// range lowers it one step, a narrow pinned range is no exposure; a VPC
// exposure needs the whole VPC.
func exposureSeverity(base, rangeName string, reached, whole *netipx.IPSet) (string, bool) {
	if rangeName == model.RoleVPC {
		return base, netset.Subset(whole, reached)
	}
	v4, v6 := netset.Sizes(reached)
	switch {
	case v4.Cmp(wholeIPv4) >= 0 || v6.Cmp(wholeIPv6) >= 0:
		return base, true
	case v4.Cmp(narrowIPv4) <= 0 && v6.Cmp(narrowIPv6) <= 0:
		return "", false
	}
	return lowerSeverity(base, 1), true
}

func (ctx *Context) exposureFinding(h *exposureHit) Finding {
	reached := netset.Union(h.rangeAddrs...)
	svcText := h.proto.Protocol + "/" + h.proto.Ports
	switch {
	case h.proto.Protocol == "all":
		svcText = "all traffic"
	case h.proto.Ports == "all" && (h.proto.Protocol == "icmp" || h.proto.Protocol == "icmpv6"):
		svcText = "every " + strings.ToUpper(h.proto.Protocol[:4]) + h.proto.Protocol[4:] + " type"
	case h.proto.Ports == "all":
		svcText = "every " + h.proto.Protocol + " port"
	}
	var rules, peers []string
	var locs []srcpos.Location
	var changes []remedy.Change
	opening := ctx.openingReasons(h)
	byController := len(opening) > 0
	for _, r := range opening {
		byController = byController && ctx.controllerRule(r)
		changes = appendRemoval(ctx, changes, r)
		if r.Rule != nil && !slices.Contains(peers, r.Rule.Peer.String()) {
			peers = append(peers, r.Rule.Peer.String())
		}
		t := r.Text
		if !r.Location.IsZero() {
			t += " at " + r.Location.String()
			locs = append(locs, r.Location)
		}
		if !slices.Contains(rules, t) {
			rules = append(rules, t)
		}
	}
	peerText := netset.Describe(reached)
	if len(peers) > 0 {
		peerText = strings.Join(peers, ", ")
	}
	members := strings.Join(dedupeStrings(h.members), ", ")
	var msg string
	switch {
	case h.from == model.RoleInternet:
		msg = fmt.Sprintf("%s on %s is reachable from the internet: %s. Allowed from %s, which holds %s outside private, shared, link-local, loopback and documentation ranges and the VPC.",
			svcText, members, h.x.Why, peerText, netset.Count(reached))
	case h.from == model.RoleVPC:
		msg = fmt.Sprintf("%s on %s is open to the whole VPC (%s): %s.", svcText, members, peerText, h.x.Why)
	default:
		msg = fmt.Sprintf("%s may send %s to %s (%s): %s.", members, svcText, h.to, peerText, h.x.Why)
	}
	fix := h.x.Advice + "."
	sev := h.severity
	if byController {
		// A Service of type LoadBalancer whose load balancer has no security
		// group and keeps the client's address (an NLB) needs its clients
		// admitted on the nodes: the controller writes these rules from the
		// Service and puts them back when they are removed.
		sev = lowerSeverity(sev, 1)
		fix = "The rules are a Kubernetes load-balancer controller's, for a Service whose load balancer keeps the client's address and has no security group of its own: restrict the Service's spec.loadBalancerSourceRanges (or give the load balancer a security group); a rule removed by hand comes back."
		changes = nil
	}
	if len(rules) > 0 {
		fix += " The rules that open it: " + strings.Join(rules, "; ") + "."
	}
	return Finding{ID: ctx.platformID(h.x.ID), Kind: Exposed, Severity: sev, Cluster: ctx.Cluster.Name,
		Title: h.x.Title, Message: msg, Flow: &Flow{From: h.from, To: h.to, Protocol: h.proto.Protocol, Ports: h.proto.Ports},
		Locations: locs, Fix: fix, References: h.x.References, Changes: changes}
}

// controllerRule reports a rule a Kubernetes load-balancer controller
// manages (the in-tree service controller's "kubernetes.io/rule/…", the
// AWS Load Balancer Controller's "elbv2.k8s.aws/…", or a group it made).
func (ctx *Context) controllerRule(r reach.Reason) bool {
	if r.Rule == nil {
		return false
	}
	if g := ctx.Estate.Groups[r.Group]; g != nil && controllerGroup(g) {
		return true
	}
	return controllerDescription(r.Rule)
}

// openingReasons are the rules of the member's side that open an
// exposure. For a whole-protocol exposure (unrestricted egress, every port
// to the VPC) they are the rules that open the whole protocol: a rule for
// tcp/443 beside an allow-all rule does not make egress unrestricted, and
// removing it would only block what the cluster needs. Only when no one
// rule opens it all (several ranges add up) do they all count.
func (ctx *Context) openingReasons(h *exposureHit) []reach.Reason {
	var all, whole []reach.Reason
	proto := h.proto.Services()
	for _, r := range h.reasons {
		if r.Direction != h.memberDir || r.Effect != reach.Allowed {
			continue
		}
		all = append(all, r)
		if h.x.Whole && r.Rule != nil && r.Rule.Services.ContainsAll(proto) {
			whole = append(whole, r)
		}
	}
	if len(whole) > 0 {
		return whole
	}
	return all
}

// appendRemoval adds the removal of the rule a reason names, unless the
// platform owns it (the public endpoint's access list is a setting, not a
// rule: the finding's text says what to change).
func appendRemoval(ctx *Context, changes []remedy.Change, r reach.Reason) []remedy.Change {
	g := ctx.Estate.Groups[r.Group]
	if r.Rule == nil || g == nil || g.Implicit && g.ID != ctx.Cluster.ClusterGroup {
		return changes
	}
	c := remedy.Change{Remove: true, Group: r.Group, Rule: *r.Rule}
	for _, old := range changes {
		if old.Key() == c.Key() {
			return changes
		}
	}
	return append(changes, c)
}
