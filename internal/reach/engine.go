package reach

import (
	"fmt"
	"net/netip"

	"go4.org/netipx"

	"github.com/clusterwall/clusterwall/internal/model"
	"github.com/clusterwall/clusterwall/internal/netset"
	"github.com/clusterwall/clusterwall/internal/srcpos"
)

// Host is a class of hosts: every interface with the same ordered groups
// whose addresses lie in Addrs. A host outside every modelled group (an
// address endpoint such as the internet) has no Groups; only the other
// side's rules decide its flows.
type Host struct {
	Label  string
	Groups []string // keys into the estate, in binding order
	// GroupsUnknown, when set, says why the host's groups are not known.
	GroupsUnknown string
	// GroupsMore, when set, says why the host may have groups besides
	// Groups: what they allow is allowed, what they do not is unknown, and
	// a rule naming another group may match it.
	GroupsMore string
	// NotPeer: rules of other groups that name this host's groups do not
	// match it, because its addresses are not its instances' (pods of
	// TKE's global-router network carry the nodes' groups on their way out
	// but are not "the instances of" those groups).
	NotPeer bool
	Addrs   *netipx.IPSet
	// Exact says every address of Addrs is a real host. Otherwise Addrs
	// only bounds the class's addresses: they are some unknown, non-empty
	// part of it.
	Exact bool
}

// Options tune the engine.
type Options struct {
	// Unfiltered are the destinations that AWS security groups never
	// filter for the services they provide (they apply to address
	// endpoints only, never to interfaces): the Amazon DNS server,
	// instance metadata, time sync. Traffic to one of them for another
	// service (HTTPS to the VPC's DNS server) is filtered as usual.
	Unfiltered []UnfilteredService
}

// UnfilteredService is one unfiltered destination and what it serves.
type UnfilteredService struct {
	Addrs    *netipx.IPSet
	Name     string
	Services netset.Services
}

// unfiltered reports whether egress of svc to the addresses of atom is
// exempt from the groups, and names the destination.
func (e *Engine) unfiltered(svc netset.Service, atom netipx.IPRange) (string, bool) {
	if e.unfilteredAddrs == nil || !e.unfilteredAddrs.ContainsRange(atom) {
		return "", false
	}
	for _, u := range e.opts.Unfiltered {
		if u.Addrs.ContainsRange(atom) && u.Services.Contains(svc) {
			return u.Name, true
		}
	}
	return "", false
}

// Engine answers reachability questions over one estate.
type Engine struct {
	estate *model.Estate
	opts   Options
	groups map[string]*group
	// missingOrdered: groups missing from the input follow Tencent
	// semantics, because every group of the estate does.
	missingOrdered bool
	// unfilteredAddrs are all the unfiltered destinations, to rule most
	// atoms out at once; unfilteredPrefixes and unfilteredSvcs are where
	// the destinations and what they serve begin and end, for cutting the
	// atoms of AWS egress sides.
	unfilteredAddrs    *netipx.IPSet
	unfilteredPrefixes []netip.Prefix
	unfilteredSvcs     []netset.Ranges
}

type group struct {
	m       *model.Group
	ordered bool
	missing string // the group is referenced but not in the input
	rules   [2][]*rule
}

type peerKind uint8

const (
	peerAddrs peerKind = iota
	peerGroup
	peerUnknown
	// peerSomeGroup: some group the input does not identify.
	peerSomeGroup
)

type rule struct {
	m        *model.Rule
	group    string
	svc      netset.Services
	svcExact bool
	kind     peerKind
	prefixes []netip.Prefix
	group2   string // the peer group
	// peerMaybe: the prefixes only may match (model.Peer.Maybe).
	peerMaybe bool
	unknown   string // why the rule may or may not match
}

// New compiles the estate's groups for fast evaluation.
func New(estate *model.Estate, opts Options) *Engine {
	e := &Engine{estate: estate, opts: opts, groups: make(map[string]*group, len(estate.Groups))}
	aws, tencent := false, false
	for _, g := range estate.Groups {
		aws, tencent = aws || g.Provider != model.Tencent, tencent || g.Provider == model.Tencent
	}
	e.missingOrdered = tencent && !aws
	if len(opts.Unfiltered) > 0 {
		var all netipx.IPSetBuilder
		for _, u := range opts.Unfiltered {
			all.AddSet(u.Addrs)
			// Each destination's own edges: unfiltered decides by whether
			// one destination holds the whole atom, and adjacent ones
			// would make one prefix of their union.
			e.unfilteredPrefixes = append(e.unfilteredPrefixes, u.Addrs.Prefixes()...)
			e.unfilteredSvcs = append(e.unfilteredSvcs, u.Services.Ranges())
		}
		e.unfilteredAddrs, _ = all.IPSet()
	}
	for id, g := range estate.Groups {
		cg := &group{m: g, ordered: g.Provider == model.Tencent}
		for i := range g.Rules {
			r := &g.Rules[i]
			cg.rules[r.Direction] = append(cg.rules[r.Direction], e.compile(id, r))
		}
		e.groups[id] = cg
	}
	return e
}

func (e *Engine) compile(owner string, r *model.Rule) *rule {
	cr := &rule{m: r, group: owner, svc: r.Services, svcExact: r.PortsUnknown == ""}
	if !cr.svcExact {
		cr.unknown = r.PortsUnknown
	}
	switch r.Peer.Kind {
	case model.PeerCIDR:
		cr.prefixes = []netip.Prefix{r.Peer.Prefix.Masked()}
		if len(r.Peer.Except) > 0 {
			cr.prefixes = netset.Minus(netset.SetOf(cr.prefixes...), netset.SetOf(r.Peer.Except...)).Prefixes()
		}
		if r.Peer.Maybe != "" {
			cr.peerMaybe = true
			if cr.unknown == "" {
				cr.unknown = r.Peer.Maybe
			}
		}
	case model.PeerGroup:
		cr.kind, cr.group2 = peerGroup, r.Peer.Group
	case model.PeerAddressSet:
		set := e.estate.AddressSets[r.Peer.Set]
		switch {
		case set == nil:
			cr.kind, cr.unknown = peerUnknown, fmt.Sprintf("the entries of %s are not in the input", r.Peer.Set)
		case set.Unknown != "":
			cr.kind, cr.unknown = peerUnknown, set.Unknown
		default:
			for _, p := range set.Prefixes {
				cr.prefixes = append(cr.prefixes, p.Masked())
			}
		}
	default:
		cr.kind, cr.unknown = peerUnknown, r.Peer.Why
		if r.Peer.SomeGroup {
			cr.kind = peerSomeGroup
		}
	}
	return cr
}

// Group returns the model group of a key, or nil.
func (e *Engine) Group(id string) *model.Group {
	if g := e.groups[id]; g != nil {
		return g.m
	}
	return nil
}

func (e *Engine) group(id string) *group {
	if g := e.groups[id]; g != nil {
		return g
	}
	// A group that rules or interfaces name but that no input describes:
	// its rules are unknown. It follows the estate's semantics, so that the
	// AWS-only unfiltered destinations do not let a Tencent host's traffic
	// through.
	return &group{m: &model.Group{ID: id}, ordered: e.missingOrdered,
		missing: fmt.Sprintf("%s is not in the input, so its rules are unknown", id)}
}

// match is a three-valued rule match.
type match int8

const (
	no match = iota
	maybe
	yes
)

func (r *rule) match(svc netset.Service, peer *Host, atom netipx.IPRange) match {
	if !r.svc.Contains(svc) {
		return no
	}
	m := yes
	if !r.svcExact {
		m = maybe
	}
	switch r.kind {
	case peerGroup:
		if peer.NotPeer {
			return no
		}
		if peer.GroupsUnknown != "" {
			return maybe
		}
		for _, g := range peer.Groups {
			if g == r.group2 {
				return m
			}
		}
		if peer.GroupsMore != "" {
			return maybe
		}
		return no
	case peerUnknown:
		return maybe
	case peerSomeGroup:
		// A rule naming a group never matches an address outside every
		// group (internet, vpc, a CIDR).
		if peer.NotPeer || len(peer.Groups) == 0 && peer.GroupsUnknown == "" {
			return no
		}
		return maybe
	}
	for _, p := range r.prefixes {
		// Atoms never straddle a prefix boundary, so one address decides.
		if p.Contains(atom.From()) {
			if r.peerMaybe {
				return maybe
			}
			return m
		}
	}
	return no
}

// Reason is one piece of why a verdict is what it is: a rule that allows
// or drops, a side on which nothing allows, or something unknown.
type Reason struct {
	Direction model.Direction
	Group     string
	// Rule is the deciding rule; nil when the reason is the absence of a
	// rule, a group whose rules are unknown, or traffic no group filters.
	Rule     *model.Rule
	Effect   Verdict
	Text     string
	Location srcpos.Location
}

func (e *Engine) ruleReason(r *rule, effect Verdict) Reason {
	g := e.group(r.group).m
	text := fmt.Sprintf("%s %s %s %s %s", g.ID, r.m.Direction, verb(r.m.Action), servicesPhrase(r.m.Services), peerPhrase(r.m))
	if r.m.Description != "" {
		text += fmt.Sprintf(" (%q)", r.m.Description)
	}
	if effect == Unknown && r.unknown != "" {
		text += ": " + r.unknown
	}
	loc := r.m.Origin
	if loc.IsZero() {
		loc = g.Origin
	}
	return Reason{Direction: r.m.Direction, Group: r.group, Rule: r.m, Effect: effect, Text: text, Location: loc}
}

// servicesPhrase prints a rule's services, or what they leave out when
// that is shorter to say ("all but tcp/443").
func servicesPhrase(s netset.Services) string {
	rest := netset.AllServices().Minus(s)
	if !rest.IsEmpty() && len(rest.Ranges()) < len(s.Ranges()) {
		return "all but " + rest.String()
	}
	return s.String()
}

func verb(a model.Action) string {
	if a == model.Drop {
		return "drops"
	}
	return "allows"
}

func peerPhrase(r *model.Rule) string {
	prep := "from"
	if r.Direction == model.Egress {
		prep = "to"
	}
	return prep + " " + r.Peer.String()
}

// sideOf is one direction of one host, ready for evaluation.
type sideOf struct {
	host    *Host
	dir     model.Direction
	groups  []*group
	ordered bool
	cuts    []netip.Addr // where the peer's address space must be split
	// svcCuts: services other than the rules' that decide this side (what
	// the unfiltered destinations serve).
	svcCuts []netset.Ranges
	// quiet: only verdicts are wanted (Flows), so no reason text is built.
	quiet bool
}

func (e *Engine) side(h *Host, dir model.Direction) *sideOf {
	s := &sideOf{host: h, dir: dir}
	var prefixes []netip.Prefix
	for _, id := range h.Groups {
		g := e.group(id)
		s.groups = append(s.groups, g)
		s.ordered = s.ordered || g.ordered
		for _, r := range g.rules[dir] {
			prefixes = append(prefixes, r.prefixes...)
		}
	}
	if dir == model.Egress && !s.ordered {
		prefixes = append(prefixes, e.unfilteredPrefixes...)
		s.svcCuts = e.unfilteredSvcs
	}
	s.cuts = netset.AddrCuts(prefixes)
	return s
}

// decide evaluates one side for one service and one atom of the peer's
// addresses.
func (e *Engine) decide(s *sideOf, svc netset.Service, peer *Host, atom netipx.IPRange) (Verdict, []Reason) {
	if s.host.GroupsUnknown != "" {
		return Unknown, []Reason{{Direction: s.dir, Effect: Unknown, Text: s.host.Label + ": " + s.host.GroupsUnknown}}
	}
	if len(s.groups) == 0 {
		return Allowed, nil // outside every modelled group: nothing filters
	}
	if s.ordered {
		if s.host.GroupsMore != "" {
			// In match order a group the input does not name may come first.
			return Unknown, []Reason{{Direction: s.dir, Effect: Unknown, Text: s.host.Label + ": " + s.host.GroupsMore}}
		}
		return e.decideOrdered(s, svc, peer, atom)
	}
	v, why := e.decideAdditive(s, svc, peer, atom)
	if v == Denied && s.host.GroupsMore != "" {
		// A group the input does not name may allow it.
		return Unknown, append(why, Reason{Direction: s.dir, Effect: Unknown, Text: s.host.Label + ": " + s.host.GroupsMore})
	}
	return v, why
}

func (e *Engine) decideAdditive(s *sideOf, svc netset.Service, peer *Host, atom netipx.IPRange) (Verdict, []Reason) {
	// The unfiltered addresses are services (DNS, metadata, time), not
	// interfaces: a peer with groups never has them.
	if s.dir == model.Egress && len(peer.Groups) == 0 && peer.GroupsUnknown == "" {
		if name, ok := e.unfiltered(svc, atom); ok {
			if s.quiet {
				return Allowed, nil
			}
			return Allowed, []Reason{{Direction: s.dir, Effect: Allowed,
				Text: fmt.Sprintf("security groups do not filter traffic to %s (%s)", rangeString(atom), name)}}
		}
	}
	v := Denied
	for _, g := range s.groups {
		if g.unknownRules() != "" {
			v = max(v, Unknown)
		}
		for _, r := range g.rules[s.dir] {
			switch r.match(svc, peer, atom) {
			case yes:
				v = Allowed
			case maybe:
				v = max(v, Unknown)
			}
		}
	}
	if s.quiet {
		return v, nil
	}
	if v == Denied {
		return Denied, e.nothingAllows(s, svc, peer)
	}
	// The reasons of the verdict: every rule that allows, or every rule
	// and group that leaves it open.
	var out []Reason
	for _, g := range s.groups {
		if why := g.unknownRules(); why != "" && v == Unknown {
			out = append(out, Reason{Direction: s.dir, Group: g.m.ID, Effect: Unknown, Text: why, Location: g.m.Origin})
		}
		for _, r := range g.rules[s.dir] {
			switch m := r.match(svc, peer, atom); {
			case m == yes && v == Allowed:
				out = append(out, e.ruleReason(r, Allowed))
			case m == maybe && v == Unknown:
				out = append(out, e.ruleReason(r, Unknown))
			}
		}
	}
	return v, out
}

func (g *group) unknownRules() string {
	if g.missing != "" {
		return g.missing
	}
	if g.m.RulesUnknown != "" {
		return fmt.Sprintf("the rules of %s are not all known: %s", g.m.ID, g.m.RulesUnknown)
	}
	return ""
}

func (e *Engine) nothingAllows(s *sideOf, svc netset.Service, peer *Host) []Reason {
	prep, tail := "from", ""
	if s.dir == model.Egress {
		prep = "to"
	}
	if s.ordered {
		tail = "; unmatched traffic is dropped"
	}
	out := make([]Reason, 0, len(s.groups))
	for _, g := range s.groups {
		if s.ordered && g.m.Implicit && !acceptsAny(g.rules[s.dir]) {
			continue // a platform's DROP-only group (a listener) allows nothing by design
		}
		out = append(out, Reason{Direction: s.dir, Group: g.m.ID, Effect: Denied, Location: g.m.Origin,
			Text: fmt.Sprintf("no %s rule of %s %s %s %s %s%s", s.dir, g.m.ID, matchVerb(s.ordered), netset.Point(svc), prep, peer.Label, tail)})
	}
	return out
}

func acceptsAny(rs []*rule) bool {
	for _, r := range rs {
		if r.m.Action == model.Accept {
			return true
		}
	}
	return false
}

func matchVerb(ordered bool) string {
	if ordered {
		return "matches"
	}
	return "allows"
}

// decideOrdered applies Tencent semantics: rules of the groups in binding
// order, first match wins, unmatched traffic is dropped. A rule that may
// or may not match leaves the answer open unless every possible outcome
// agrees.
func (e *Engine) decideOrdered(s *sideOf, svc netset.Service, peer *Host, atom netipx.IPRange) (Verdict, []Reason) {
	var unsure []Reason
	reason := func(r *rule, v Verdict) {
		if !s.quiet {
			unsure = append(unsure, e.ruleReason(r, v))
		}
	}
	possible := map[Verdict]bool{}
	for _, g := range s.groups {
		if why := g.unknownRules(); why != "" {
			if !s.quiet {
				unsure = append(unsure, Reason{Direction: s.dir, Group: g.m.ID, Effect: Unknown, Text: why, Location: g.m.Origin})
			}
			possible[Allowed], possible[Denied] = true, true
		}
		for _, r := range g.rules[s.dir] {
			m := r.match(svc, peer, atom)
			if m == no {
				continue
			}
			v := Allowed
			if r.m.Action == model.Drop {
				v = Denied
			}
			if m == maybe {
				reason(r, Unknown)
				possible[v] = true
				continue
			}
			if len(possible) == 0 || len(possible) == 1 && possible[v] {
				if s.quiet {
					return v, nil
				}
				return v, []Reason{e.ruleReason(r, v)}
			}
			reason(r, Unknown)
			return Unknown, unsure
		}
	}
	if !possible[Allowed] {
		if s.quiet {
			return Denied, nil
		}
		return Denied, e.nothingAllows(s, svc, peer)
	}
	return Unknown, unsure
}

func rangeString(r netipx.IPRange) string {
	if p, ok := r.Prefix(); ok {
		return p.String()
	}
	return r.String()
}
