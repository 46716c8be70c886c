package check

import (
	"fmt"
	"math/big"
	"slices"
	"strings"

	"go4.org/netipx"

	"github.com/clusterwall/clusterwall/internal/endpoint"
	"github.com/clusterwall/clusterwall/internal/knowledge"
	"github.com/clusterwall/clusterwall/internal/model"
	"github.com/clusterwall/clusterwall/internal/netset"
	"github.com/clusterwall/clusterwall/internal/reach"
	"github.com/clusterwall/clusterwall/internal/srcpos"
)

// exposures reports the catalog's sensitive services that the internet
// may reach on the cluster's parts. "The internet" is every public address
// outside the VPC; a source that covers only a few public addresses (a
// /24 or narrower, such as an office or a VPN) is a deliberate pin, not an
// exposure.
type exposures struct{}

// Width thresholds of a public source.
var (
	wholeIPv4  = big.NewInt(1 << 31)                  // half of all IPv4 addresses
	wholeIPv6  = new(big.Int).Lsh(big.NewInt(1), 120) // a /8 of IPv6
	narrowIPv4 = big.NewInt(256)                      // a /24
	narrowIPv6 = new(big.Int).Lsh(big.NewInt(1), 80)  // a /48 site
)

type exposureHit struct {
	x        *knowledge.Exposure
	role     string
	proto    netset.ProtoPorts
	members  []string
	reasons  []reach.Reason
	sources  []*netipx.IPSet
	severity string
}

func (exposures) Run(ctx *Context, out *Result) {
	p := ctx.Catalog.Platforms[string(ctx.Cluster.Platform)]
	if p == nil {
		return
	}
	c := ctx.Cluster
	internet := ctx.Resolver.Internet(c)
	var roles []string
	for _, x := range p.Exposures {
		for _, r := range x.To {
			if !slices.Contains(roles, r) {
				roles = append(roles, r)
			}
		}
	}
	hits := map[string]*exposureHit{}
	var order []string
	for _, role := range roles {
		for _, m := range c.MembersOf(role) {
			host := endpoint.HostOf(m)
			flow := ctx.Engine.Flows(&internet, &host)
			var unknown netset.Services // sensitive services the input leaves open
			for i := range p.Exposures {
				x := &p.Exposures[i]
				if !slices.Contains(x.To, role) {
					continue
				}
				exposed := flow.Allowed.Intersect(x.Svcs)
				if x.Svcs.IsAll() && !flow.Allowed.IsAll() {
					exposed = netset.Services{} // "all traffic" means all of it
				}
				if exposed.IsEmpty() {
					unknown = unknown.Union(flow.Unknown.Intersect(x.Svcs))
					continue
				}
				if !x.Svcs.IsAll() && flow.Allowed.IsAll() && hasAllExposure(p) {
					continue // the all-traffic finding says it
				}
				for _, part := range exposed.Parts() {
					svcs, _ := netset.ParseServices(part.Protocol + "/" + part.Ports)
					if part.Ports == "all" {
						svcs, _ = netset.ParseServices(part.Protocol)
					}
					ans := ctx.Engine.Ask(reach.Endpoint{Name: "internet", Hosts: []reach.Host{internet}}, reach.Endpoint{Name: role, Hosts: []reach.Host{host}}, svcs)
					src := netset.Empty()
					if len(ans.Pairs) == 1 && ans.Pairs[0].FromAddrs != nil {
						src = ans.Pairs[0].FromAddrs
					}
					sev, ok := exposureSeverity(x.Severity, src)
					if !ok {
						continue
					}
					key := x.ID + "|" + role + "|" + part.Protocol
					h := hits[key]
					if h == nil {
						h = &exposureHit{x: x, role: role, proto: part, severity: sev}
						hits[key] = h
						order = append(order, key)
					}
					if SeverityRank(sev) > SeverityRank(h.severity) {
						h.severity = sev
					}
					h.members = append(h.members, m.Qualified())
					h.reasons = append(h.reasons, ans.Because...)
					h.sources = append(h.sources, src)
				}
			}
			if !unknown.IsEmpty() {
				ans := ctx.Engine.Ask(reach.Endpoint{Name: "internet", Hosts: []reach.Host{internet}}, reach.Endpoint{Name: role, Hosts: []reach.Host{host}}, unknown)
				out.Unverified = append(out.Unverified, Unverified{ID: strings.ToUpper(string(c.Platform)) + "-EXP", Cluster: c.Name,
					Flow: flowOf(model.RoleInternet, role, unknown), Where: "internet → " + m.Qualified(), Missing: reasonList(ans.Because)})
			}
		}
	}
	for _, key := range order {
		out.Findings = append(out.Findings, ctx.exposureFinding(hits[key]))
	}
}

func hasAllExposure(p *knowledge.Platform) bool {
	return slices.ContainsFunc(p.Exposures, func(x knowledge.Exposure) bool { return x.Svcs.IsAll() })
}

func (ctx *Context) exposureID(x *knowledge.Exposure) string {
	return strings.ToUpper(string(ctx.Cluster.Platform)) + "-" + x.ID
}

// exposureSeverity grades a public source: as wide as the internet keeps
// the catalog's severity, a wide range lowers it one step, and a narrow
// pinned range is no exposure.
func exposureSeverity(base string, src *netipx.IPSet) (string, bool) {
	v4, v6 := new(big.Int), new(big.Int)
	for _, r := range src.Ranges() {
		n := new(big.Int).Sub(new(big.Int).SetBytes(r.To().AsSlice()), new(big.Int).SetBytes(r.From().AsSlice()))
		n.Add(n, big.NewInt(1))
		if r.From().Is4() {
			v4.Add(v4, n)
		} else {
			v6.Add(v6, n)
		}
	}
	switch {
	case v4.Cmp(wholeIPv4) >= 0 || v6.Cmp(wholeIPv6) >= 0:
		return base, true
	case v4.Cmp(narrowIPv4) <= 0 && v6.Cmp(narrowIPv6) <= 0:
		return "", false
	}
	return lowerSeverity(base, 1), true
}

func (ctx *Context) exposureFinding(h *exposureHit) Finding {
	src := netset.Union(h.sources...)
	svcText := h.proto.Protocol + "/" + h.proto.Ports
	switch {
	case h.proto.Protocol == "all":
		svcText = "all traffic"
	case h.proto.Ports == "all":
		svcText = "all " + h.proto.Protocol
	}
	var rules, peers []string
	for _, r := range h.reasons {
		if r.Direction == model.Ingress && r.Effect == reach.Allowed {
			if r.Rule != nil && !slices.Contains(peers, r.Rule.Peer.String()) {
				peers = append(peers, r.Rule.Peer.String())
			}
			t := r.Text
			if !r.Location.IsZero() {
				t += " at " + r.Location.String()
			}
			if !slices.Contains(rules, t) {
				rules = append(rules, t)
			}
		}
	}
	sources := netset.Describe(src)
	if len(peers) > 0 {
		sources = strings.Join(peers, ", ")
	}
	msg := fmt.Sprintf("%s on %s is reachable from the internet: %s. Allowed from %s, which holds %s outside private, shared, link-local, loopback and documentation ranges and the VPC.",
		svcText, strings.Join(dedupeStrings(h.members), ", "), h.x.Why, sources, netset.Count(src))
	fix := h.x.Advice + "."
	if len(rules) > 0 {
		fix += " The rules that open it: " + strings.Join(rules, "; ") + "."
	}
	var locs []srcpos.Location
	for _, r := range h.reasons {
		if r.Direction == model.Ingress && r.Effect == reach.Allowed && !r.Location.IsZero() {
			locs = append(locs, r.Location)
		}
	}
	return Finding{ID: ctx.exposureID(h.x), Kind: Exposed, Severity: h.severity, Cluster: ctx.Cluster.Name,
		Title: h.x.Title, Message: msg, Flow: &Flow{From: model.RoleInternet, To: h.role, Protocol: h.proto.Protocol, Ports: h.proto.Ports},
		Locations: locs, Fix: fix, References: h.x.References}
}
