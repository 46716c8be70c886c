package reach_test

// A brute-force oracle for the reachability engine.
//
// The oracle is written from the semantics alone and shares no code with the
// engine: it builds small random estates over a tiny universe (eight IPv4
// addresses of 10.0.0.0/29, the Amazon DNS address and its neighbour, three
// IPv6 addresses; TCP and UDP ports 0–8, a few ICMP types and codes, one
// protocol without ports) and decides every question by enumerating every
// (source address, destination address, service) triple. Every port, type, code or protocol
// outside the universe behaves like one inside it (no rule distinguishes
// them), so checking the universe is checking everything.
//
// Semantics the oracle implements:
//
//   - A connection from address a of host h to address b of host k for
//     service p is open when h's egress and k's ingress both let it pass.
//   - A side without groups lets everything pass.
//   - AWS: a side lets traffic pass when some rule of some of its groups
//     matches it; egress to an address in Options.Unfiltered passes when the
//     peer is outside every group (those addresses are services, not
//     interfaces).
//   - Tencent: the rules of the side's groups, in binding order, are matched
//     in order; the first match decides (ACCEPT or DROP), no match drops.
//   - Ask(from, to, svcs): every service of svcs must be allowed, each on
//     its own (a connection carries one service). For one service, the
//     endpoint quantified with Every is outermost (from when both are the
//     same), and each quantifier ranges over every real (host, address) of
//     its endpoint, whatever classes the hosts are grouped in.
//   - Flows(h, k): service p is allowed when some address of h may open p to
//     some address of k.
//
// With unknowns (rules whose ports or peer are unknown, groups whose rules
// are not all known, hosts whose groups are not known, hosts whose addresses
// are only bounded) the oracle enumerates resolutions of every unknown and
// evaluates each resolved estate as above.

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"go4.org/netipx"

	"github.com/clusterwall/clusterwall/internal/model"
	"github.com/clusterwall/clusterwall/internal/netset"
	"github.com/clusterwall/clusterwall/internal/reach"
)

// oracleScale multiplies the number of random cases; the default keeps
// `go test` quick, and `go test ./internal/reach -run Oracle
// -oracle.scale=20` is a long run.
var oracleScale = flag.Float64("oracle.scale", 1, "multiply the number of random oracle cases")

func scaled(n int) int {
	if testing.Short() {
		n /= 8
	}
	return max(1, int(float64(n)**oracleScale))
}

// ---------------------------------------------------------------------------
// The universe.

var (
	metaAddr   = netip.MustParseAddr("169.254.169.253") // unfiltered when the case says so
	metaNext   = netip.MustParseAddr("169.254.169.254") // always filtered: splits the unfiltered range
	v4Universe = func() []netip.Addr {
		var out []netip.Addr
		for i := range 8 {
			out = append(out, netip.AddrFrom4([4]byte{10, 0, 0, byte(i)}))
		}
		return out
	}()
	v6Universe = []netip.Addr{
		netip.MustParseAddr("2001:db8::1"),
		netip.MustParseAddr("2001:db8::2"),
		netip.MustParseAddr("2001:db8::3"),
	}
	universe = slices.Concat(v4Universe, []netip.Addr{metaAddr, metaNext}, v6Universe)
)

// svcPoint is one service of the universe.
type svcPoint struct {
	proto uint8
	val   uint16
}

func (p svcPoint) String() string {
	if p.proto == netset.ICMP {
		return fmt.Sprintf("icmp/%d:%d", p.val>>8, p.val&0xFF)
	}
	return fmt.Sprintf("%d/%d", p.proto, p.val)
}

const protoGRE uint8 = 47

// svcUniverse: every service that some rule or question can tell apart
// from the others has a representative here. Rules use ports 0–7, so port 8
// stands for 8–65535; ICMP rules use types 0–2 and codes 0–1, so type 3 and
// code 2 stand for the rest; GRE stands for every protocol without ports.
var svcUniverse = func() []svcPoint {
	var out []svcPoint
	for _, p := range []uint8{netset.TCP, netset.UDP} {
		for v := range 9 {
			out = append(out, svcPoint{p, uint16(v)})
		}
	}
	for t := range 4 {
		for c := range 3 {
			out = append(out, svcPoint{netset.ICMP, uint16(t<<8 | c)})
		}
	}
	return append(out, svcPoint{protoGRE, 0})
}()

// svcSpec is one service set as the generator writes it; it is turned into
// a netset.Services for the engine and into a membership test for the
// oracle independently.
type svcSpec struct {
	all   bool
	proto uint8
	lo    int // TCP/UDP: first port; ICMP: type, -1 for every type
	hi    int // TCP/UDP: last port; ICMP: code, -1 for every code
}

func (s svcSpec) set() netset.Services {
	switch {
	case s.all:
		return netset.AllServices()
	case s.proto == netset.ICMP:
		return netset.ICMPType(s.proto, s.lo, s.hi)
	case s.proto == netset.TCP || s.proto == netset.UDP:
		return netset.Ports(s.proto, uint16(s.lo), uint16(s.hi))
	}
	return netset.Protocol(s.proto)
}

func (s svcSpec) has(p svcPoint) bool {
	switch {
	case s.all:
		return true
	case p.proto != s.proto:
		return false
	case s.proto == netset.ICMP:
		typ, code := int(p.val>>8), int(p.val&0xFF)
		return s.lo < 0 || typ == s.lo && (s.hi < 0 || code == s.hi)
	case s.proto == netset.TCP || s.proto == netset.UDP:
		return s.lo <= int(p.val) && int(p.val) <= s.hi
	}
	return true
}

func (s svcSpec) String() string {
	switch {
	case s.all:
		return "all"
	case s.proto == netset.ICMP:
		return fmt.Sprintf("icmp(%d,%d)", s.lo, s.hi)
	case s.proto == netset.TCP || s.proto == netset.UDP:
		return fmt.Sprintf("%s/%d-%d", netset.ProtocolName(s.proto), s.lo, s.hi)
	}
	return fmt.Sprintf("proto%d", s.proto)
}

type svcSet []svcSpec

func (ss svcSet) set() netset.Services {
	var out netset.Services
	for _, s := range ss {
		out = out.Union(s.set())
	}
	return out
}

func (ss svcSet) has(p svcPoint) bool {
	for _, s := range ss {
		if s.has(p) {
			return true
		}
	}
	return false
}

func (ss svcSet) points() []svcPoint {
	var out []svcPoint
	for _, p := range svcUniverse {
		if ss.has(p) {
			out = append(out, p)
		}
	}
	return out
}

// ---------------------------------------------------------------------------
// Cases: what the generator produces.

type peerKind int

const (
	pCIDR peerKind = iota
	pGroup
	pSet  // a known address set
	pNone // matches nothing (a resolution only)
	pAll  // every IPv4 and IPv6 address (a resolution only)
)

type peerSpec struct {
	kind     peerKind
	prefixes []netip.Prefix // pCIDR (one), pSet
	group    string
}

func (p peerSpec) String() string {
	switch p.kind {
	case pGroup:
		return "group " + p.group
	case pNone:
		return "nothing"
	case pAll:
		return "everything"
	}
	return fmt.Sprint(p.prefixes)
}

const (
	peerKnown       = iota
	peerUnknownKind // model.PeerUnknown
	peerMissingSet  // an address set that is not in the estate
	peerUnknownSet  // an address set whose entries are unknown
)

type ruleSpec struct {
	dir          model.Direction
	act          model.Action
	svc          svcSet
	peer         peerSpec
	portsUnknown bool // svc is only an upper bound
	peerUnknown  int
}

func (r ruleSpec) String() string {
	s := fmt.Sprintf("%s %s %v %s", r.dir, r.act, r.svc, r.peer)
	if r.portsUnknown {
		s += " [ports unknown]"
	}
	if r.peerUnknown != peerKnown {
		s += fmt.Sprintf(" [peer unknown %d]", r.peerUnknown)
	}
	return s
}

type groupSpec struct {
	key          string
	rules        []ruleSpec
	rulesUnknown bool
}

type hostSpec struct {
	groups        []string
	addrs         []netip.Addr
	exact         bool
	groupsUnknown bool
}

type question struct {
	from, to []int // indices into the host pool
	qf, qt   reach.Quantifier
	svcs     svcSet
}

type testCase struct {
	provider   model.Provider
	groups     []*groupSpec
	missing    []string // group keys that hosts or rules name but the estate lacks
	hosts      []hostSpec
	unfiltered bool
	questions  []question
	dims       []dim
}

func (c *testCase) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "provider %s, unfiltered %v, missing groups %v\n", c.provider, c.unfiltered, c.missing)
	for _, g := range c.groups {
		fmt.Fprintf(&b, "  group %s (rules unknown %v)\n", g.key, g.rulesUnknown)
		for i, r := range g.rules {
			fmt.Fprintf(&b, "    %d: %s\n", i, r)
		}
	}
	for i, h := range c.hosts {
		fmt.Fprintf(&b, "  host h%d groups %v (unknown %v) addrs %v exact %v\n", i, h.groups, h.groupsUnknown, h.addrs, h.exact)
	}
	for _, d := range c.dims {
		fmt.Fprintf(&b, "  unknown: %s (%d resolutions)\n", d.what, d.n)
	}
	return b.String()
}

func (q question) String() string {
	return fmt.Sprintf("Ask(from %v %s, to %v %s, %v)", q.from, q.qf, q.to, q.qt, q.svcs)
}

// ---------------------------------------------------------------------------
// Translation to the model and the engine.

func (c *testCase) estate() *model.Estate {
	e := model.NewEstate()
	for _, g := range c.groups {
		mg := &model.Group{ID: g.key, Name: "name-" + g.key, Provider: c.provider}
		if g.rulesUnknown {
			mg.RulesUnknown = "rules made by for_each over an unknown value"
		}
		for i, r := range g.rules {
			mr := model.Rule{Direction: r.dir, Action: r.act, Services: r.svc.set(), ID: fmt.Sprintf("%s-r%d", g.key, i)}
			if r.portsUnknown {
				mr.PortsUnknown = "from_port is known only after apply"
			}
			switch r.peerUnknown {
			case peerUnknownKind:
				mr.Peer = model.Peer{Kind: model.PeerUnknown, Why: "cidr_blocks is known only after apply"}
			case peerMissingSet:
				mr.Peer = model.Peer{Kind: model.PeerAddressSet, Set: fmt.Sprintf("pl-missing-%s-%d", g.key, i)}
			case peerUnknownSet:
				key := fmt.Sprintf("pl-unknown-%s-%d", g.key, i)
				e.AddressSets[key] = &model.AddressSet{ID: key, Unknown: "entries are known only after apply"}
				mr.Peer = model.Peer{Kind: model.PeerAddressSet, Set: key}
			default:
				switch r.peer.kind {
				case pCIDR:
					mr.Peer = model.Peer{Kind: model.PeerCIDR, Prefix: r.peer.prefixes[0]}
				case pGroup:
					mr.Peer = model.Peer{Kind: model.PeerGroup, Group: r.peer.group}
				case pSet:
					key := fmt.Sprintf("pl-%s-%d", g.key, i)
					e.AddressSets[key] = &model.AddressSet{ID: key, Prefixes: r.peer.prefixes}
					mr.Peer = model.Peer{Kind: model.PeerAddressSet, Set: key}
				default:
					panic("bad peer")
				}
			}
			mg.Rules = append(mg.Rules, mr)
		}
		e.AddGroup(mg)
	}
	return e
}

func (c *testCase) options() reach.Options {
	if c.unfiltered {
		return reach.Options{Unfiltered: []reach.UnfilteredService{{Addrs: netset.SetOf(netip.PrefixFrom(metaAddr, 32)), Name: "Amazon DNS, instance metadata, time sync", Services: netset.AllServices()}}}
	}
	return reach.Options{}
}

func addrSet(addrs []netip.Addr) *netipx.IPSet {
	var b netipx.IPSetBuilder
	for _, a := range addrs {
		b.Add(a)
	}
	s, _ := b.IPSet()
	return s
}

// host returns a fresh engine host for pool index i (fresh, so that nothing
// the engine might do to it leaks into the next question).
func (c *testCase) host(i int) reach.Host {
	h := c.hosts[i]
	rh := reach.Host{Label: fmt.Sprintf("h%d", i), Addrs: addrSet(h.addrs), Exact: h.exact}
	if h.groupsUnknown {
		rh.GroupsUnknown = "the launch template is known only after apply"
	} else {
		rh.Groups = slices.Clone(h.groups)
	}
	return rh
}

func (c *testCase) endpoint(name string, idx []int, q reach.Quantifier) reach.Endpoint {
	ep := reach.Endpoint{Name: name, Q: q}
	for _, i := range idx {
		ep.Hosts = append(ep.Hosts, c.host(i))
	}
	return ep
}

// splitEndpoint is endpoint with each host class split into one class per
// address.
func (c *testCase) splitEndpoint(name string, idx []int, q reach.Quantifier) reach.Endpoint {
	ep := reach.Endpoint{Name: name, Q: q}
	for _, i := range idx {
		h := c.host(i)
		for k, a := range c.hosts[i].addrs {
			one := h
			one.Label = fmt.Sprintf("%s#%d", h.Label, k)
			one.Addrs = addrSet([]netip.Addr{a})
			ep.Hosts = append(ep.Hosts, one)
		}
	}
	return ep
}

// ---------------------------------------------------------------------------
// The oracle: resolved worlds and their evaluation.

type wRule struct {
	dir  model.Direction
	act  model.Action
	svc  func(svcPoint) bool
	peer func(w *world, host int, a netip.Addr) bool
}

type wHost struct {
	groups []string
	addrs  []netip.Addr
}

// world is one resolution of a case: every rule, group and address known.
type world struct {
	ordered    bool
	groups     map[string][]wRule
	hosts      []wHost
	unfiltered bool
}

func peerFunc(p peerSpec) func(w *world, host int, a netip.Addr) bool {
	switch p.kind {
	case pGroup:
		return func(w *world, host int, _ netip.Addr) bool { return slices.Contains(w.hosts[host].groups, p.group) }
	case pNone:
		return func(*world, int, netip.Addr) bool { return false }
	case pAll:
		return func(*world, int, netip.Addr) bool { return true }
	}
	return func(_ *world, _ int, a netip.Addr) bool {
		for _, pf := range p.prefixes {
			if pf.Contains(a) {
				return true
			}
		}
		return false
	}
}

func ruleOf(r ruleSpec) wRule {
	return wRule{dir: r.dir, act: r.act, svc: r.svc.has, peer: peerFunc(r.peer)}
}

// baseWorld resolves nothing: unknown parts keep their spec values (ports
// at their bound, peer as generated) until a dim overrides them.
func (c *testCase) baseWorld() *world {
	w := &world{ordered: c.provider == model.Tencent, groups: map[string][]wRule{}, unfiltered: c.unfiltered}
	for _, g := range c.groups {
		rs := make([]wRule, len(g.rules))
		for i, r := range g.rules {
			rs[i] = ruleOf(r)
		}
		w.groups[g.key] = rs
	}
	for _, m := range c.missing {
		w.groups[m] = nil
	}
	for _, h := range c.hosts {
		w.hosts = append(w.hosts, wHost{groups: slices.Clone(h.groups), addrs: slices.Clone(h.addrs)})
	}
	return w
}

// pass decides one side: does host h let traffic for p pass in direction
// dir, the other end being address a of host peer?
func (w *world) pass(h int, dir model.Direction, peer int, a netip.Addr, p svcPoint) bool {
	gs := w.hosts[h].groups
	if len(gs) == 0 {
		return true
	}
	if !w.ordered {
		if dir == model.Egress && w.unfiltered && a == metaAddr && len(w.hosts[peer].groups) == 0 {
			return true
		}
		for _, g := range gs {
			for _, r := range w.groups[g] {
				if r.dir == dir && r.svc(p) && r.peer(w, peer, a) {
					return true
				}
			}
		}
		return false
	}
	for _, g := range gs {
		for _, r := range w.groups[g] {
			if r.dir == dir && r.svc(p) && r.peer(w, peer, a) {
				return r.act == model.Accept
			}
		}
	}
	return false
}

func (w *world) flow(src int, sa netip.Addr, dst int, da netip.Addr, p svcPoint) bool {
	return w.pass(src, model.Egress, dst, da, p) && w.pass(dst, model.Ingress, src, sa, p)
}

type elem struct {
	host int
	addr netip.Addr
}

func (w *world) elems(hosts []int) []elem {
	var out []elem
	for _, h := range hosts {
		for _, a := range w.hosts[h].addrs {
			out = append(out, elem{h, a})
		}
	}
	return out
}

func quant(q reach.Quantifier, xs []elem, f func(elem) bool) bool {
	for _, x := range xs {
		if f(x) == (q == reach.Some) {
			return q == reach.Some
		}
	}
	return q == reach.Every
}

// ask answers Ask (every service of the question) or, with anySvc,
// AskSome (some service).
func (w *world) ask(q question, anySvc bool) bool {
	if len(q.from) == 0 || len(q.to) == 0 {
		return false
	}
	F, T := w.elems(q.from), w.elems(q.to)
	for _, p := range q.svcs.points() {
		open := func(x, y elem) bool { return w.flow(x.host, x.addr, y.host, y.addr, p) }
		var ok bool
		if q.qf == reach.Every || q.qt != reach.Every {
			ok = quant(q.qf, F, func(x elem) bool { return quant(q.qt, T, func(y elem) bool { return open(x, y) }) })
		} else {
			ok = quant(q.qt, T, func(y elem) bool { return quant(q.qf, F, func(x elem) bool { return open(x, y) }) })
		}
		if ok == anySvc {
			return anySvc
		}
	}
	return !anySvc
}

// flows returns, for each service of the universe, whether some address of
// src may open it to some address of dst.
func (w *world) flows(src, dst int) []bool {
	out := make([]bool, len(svcUniverse))
	for i, p := range svcUniverse {
	search:
		for _, sa := range w.hosts[src].addrs {
			for _, da := range w.hosts[dst].addrs {
				if w.flow(src, sa, dst, da, p) {
					out[i] = true
					break search
				}
			}
		}
	}
	return out
}

// ---------------------------------------------------------------------------
// Unknowns and their resolutions.

type dimKind int

const (
	dimPorts dimKind = iota
	dimPeer
	dimGroup // a missing group or one whose rules are not all known
	dimHostGroups
	dimHostAddrs
)

// dim is one unknown of a case with its n resolutions.
type dim struct {
	kind  dimKind
	what  string
	n     int
	apply func(w *world, choice int)
}

// isRuleLevel reports whether the unknown is in the rules (as opposed to
// which groups or addresses a host has).
func (d dim) isRuleLevel() bool { return d.kind <= dimGroup }

// ---------------------------------------------------------------------------
// The generator.

type gen struct {
	r        *rand.Rand
	provider model.Provider
}

func (g *gen) chance(n int) bool { return g.r.IntN(n) == 0 }

func (g *gen) prefix() netip.Prefix {
	r := g.r
	switch r.IntN(14) {
	case 0, 1, 2, 3, 4:
		a := netip.AddrFrom4([4]byte{10, 0, 0, byte(r.IntN(8))})
		return netip.PrefixFrom(a, 29+r.IntN(4)).Masked()
	case 12, 13:
		a := universe[r.IntN(len(universe))]
		return netip.PrefixFrom(a, a.BitLen())
	case 5, 6:
		a := netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 15: byte(r.IntN(4))})
		return netip.PrefixFrom(a, 126+r.IntN(3)).Masked()
	case 7:
		return netip.MustParsePrefix("0.0.0.0/0")
	case 8:
		return netip.MustParsePrefix("::/0")
	case 9:
		return netip.MustParsePrefix("169.254.0.0/16")
	case 10:
		return netip.MustParsePrefix("192.168.0.0/24") // no host
	}
	return netip.MustParsePrefix("10.0.0.0/24")
}

func (g *gen) ruleSvc() svcSpec {
	r := g.r
	switch r.IntN(14) {
	case 0:
		return svcSpec{all: true}
	case 1, 2:
		return svcSpec{proto: netset.ICMP, lo: r.IntN(4) - 1, hi: r.IntN(3) - 1}
	case 3:
		return svcSpec{proto: []uint8{netset.TCP, netset.UDP}[r.IntN(2)], lo: 0, hi: 65535}
	case 4:
		return svcSpec{proto: protoGRE}
	}
	lo := r.IntN(8)
	hi := lo + r.IntN(8-lo)
	if r.IntN(3) == 0 {
		hi = lo
	}
	return svcSpec{proto: []uint8{netset.TCP, netset.UDP}[r.IntN(2)], lo: lo, hi: hi}
}

func (g *gen) askSvc() svcSpec {
	r := g.r
	switch r.IntN(16) {
	case 0:
		return svcSpec{all: true}
	case 1, 2:
		return svcSpec{proto: netset.ICMP, lo: r.IntN(5) - 1, hi: r.IntN(4) - 1}
	case 3:
		return svcSpec{proto: []uint8{netset.TCP, netset.UDP}[r.IntN(2)], lo: 0, hi: 65535}
	case 4:
		return svcSpec{proto: protoGRE}
	}
	lo := r.IntN(9)
	hi := lo
	if r.IntN(3) == 0 {
		hi = lo + r.IntN(9-lo)
	}
	return svcSpec{proto: []uint8{netset.TCP, netset.UDP}[r.IntN(2)], lo: lo, hi: hi}
}

func (g *gen) svcs(one func() svcSpec, max int) svcSet {
	n := 1
	if g.chance(2) {
		n += g.r.IntN(max)
	}
	out := make(svcSet, n)
	for i := range out {
		out[i] = one()
	}
	return out
}

func (g *gen) peer(keys []string, own string) peerSpec {
	r := g.r
	switch r.IntN(10) {
	case 0, 1, 2:
		if r.IntN(3) == 0 {
			return peerSpec{kind: pGroup, group: own}
		}
		return peerSpec{kind: pGroup, group: keys[r.IntN(len(keys))]}
	case 3:
		n := 1 + r.IntN(3)
		ps := make([]netip.Prefix, n)
		for i := range ps {
			ps[i] = g.prefix()
		}
		if r.IntN(4) == 0 {
			ps = nil // a known, empty set
		}
		return peerSpec{kind: pSet, prefixes: ps}
	}
	return peerSpec{kind: pCIDR, prefixes: []netip.Prefix{g.prefix()}}
}

func (g *gen) rule(keys []string, own string) ruleSpec {
	rs := ruleSpec{dir: model.Direction(g.r.IntN(2)), act: model.Accept, peer: g.peer(keys, own)}
	if g.provider == model.Tencent && g.r.IntN(5) < 2 {
		rs.act = model.Drop
	}
	rs.svc = g.svcs(g.ruleSvc, 2)
	return rs
}

func (g *gen) addrs() []netip.Addr {
	r := g.r
	var out []netip.Addr
	switch r.IntN(4) {
	case 0: // a few anywhere
		for range 1 + r.IntN(3) {
			out = append(out, universe[r.IntN(len(universe))])
		}
	case 1: // an aligned block of the IPv4 range
		size := 1 << r.IntN(3)
		base := r.IntN(8/size) * size
		out = slices.Clone(v4Universe[base : base+size])
	case 2:
		out = append(out, v6Universe[r.IntN(3)], v4Universe[r.IntN(8)])
		if r.IntN(3) == 0 {
			out = append(out, metaAddr, metaNext)
		}
	default:
		out = append(out, v4Universe[r.IntN(8)])
		if r.IntN(2) == 0 {
			out = append(out, v4Universe[r.IntN(8)])
		}
	}
	slices.SortFunc(out, netip.Addr.Compare)
	return slices.Compact(out)
}

// orderedSubset picks some of the keys in a random order.
func (g *gen) orderedSubset(keys []string, min, max int) []string {
	perm := g.r.Perm(len(keys))
	n := min + g.r.IntN(max-min+1)
	n = mini(n, len(keys))
	out := make([]string, n)
	for i := range out {
		out[i] = keys[perm[i]]
	}
	return out
}

func mini(a, b int) int {
	if a < b {
		return a
	}
	return b
}

type genOpts struct {
	unknowns   int  // how many rule-level unknowns at most
	bound      bool // some hosts have only bounded addresses
	hostGroups bool // some hosts have unknown groups
}

func (g *gen) testCase(o genOpts) *testCase {
	r := g.r
	// The CLI passes the AWS unfiltered addresses whatever the provider;
	// Tencent sides must ignore them.
	c := &testCase{provider: g.provider, unfiltered: r.IntN(2) == 0}
	ng := 2 + r.IntN(3)
	keys := make([]string, ng)
	for i := range keys {
		keys[i] = fmt.Sprintf("g%d", i)
	}
	// Rules may name a group that is not in the estate: it matches the
	// hosts that have it, which is known.
	peerKeys := append(slices.Clone(keys), "gx")
	for _, k := range keys {
		gs := &groupSpec{key: k}
		for range r.IntN(7) {
			gs.rules = append(gs.rules, g.rule(peerKeys, k))
		}
		c.groups = append(c.groups, gs)
	}
	hostKeys := keys
	nh := 2 + r.IntN(3)
	for range nh {
		h := hostSpec{addrs: g.addrs(), exact: true}
		switch {
		case r.IntN(10) == 0:
			// outside every modelled group
		case g.provider == model.Tencent:
			h.groups = g.orderedSubset(hostKeys, 1, 4)
		default:
			h.groups = g.orderedSubset(hostKeys, 1, 3)
		}
		c.hosts = append(c.hosts, h)
	}
	// Unknowns.
	if o.unknowns > 0 {
		n := 1 + r.IntN(o.unknowns)
		for range n {
			g.addUnknown(c, keys)
		}
	}
	if o.bound {
		for i := range c.hosts {
			if r.IntN(2) == 0 {
				c.hosts[i].exact = false
				g.boundDim(c, i)
			}
		}
	}
	if o.hostGroups && r.IntN(2) == 0 {
		i := r.IntN(len(c.hosts))
		c.hosts[i].groupsUnknown = true
		g.hostGroupsDim(c, i, keys)
	}
	// Questions.
	for range 6 {
		q := question{qf: reach.Quantifier(r.IntN(2)), qt: reach.Quantifier(r.IntN(2))}
		q.from = g.hostIndices(len(c.hosts))
		q.to = g.hostIndices(len(c.hosts))
		q.svcs = g.svcs(g.askSvc, 3)
		c.questions = append(c.questions, q)
	}
	return c
}

func (g *gen) hostIndices(n int) []int {
	k := 1
	if g.r.IntN(2) == 0 {
		k = 2 + g.r.IntN(2)
	}
	perm := g.r.Perm(n)
	return perm[:mini(k, n)]
}

// addUnknown makes one part of the case unknown and records how it may
// resolve.
func (g *gen) addUnknown(c *testCase, keys []string) {
	r := g.r
	// Rule-level unknowns need a rule; pick a kind that applies.
	var ruleRefs [][2]int
	for gi, gs := range c.groups {
		for ri, rs := range gs.rules {
			if !rs.portsUnknown && rs.peerUnknown == peerKnown {
				ruleRefs = append(ruleRefs, [2]int{gi, ri})
			}
		}
	}
	kind := r.IntN(4)
	if len(ruleRefs) == 0 && kind < 2 {
		kind = 2 + r.IntN(2)
	}
	switch kind {
	case 0: // ports unknown
		ref := ruleRefs[r.IntN(len(ruleRefs))]
		gs := c.groups[ref[0]]
		rs := &gs.rules[ref[1]]
		rs.portsUnknown = true
		bound := rs.svc.points()
		masks := subsetMasks(r, len(bound))
		gk, ri, svc := gs.key, ref[1], rs.svc
		c.dims = append(c.dims, dim{kind: dimPorts, what: fmt.Sprintf("ports of %s rule %d", gk, ri), n: len(masks),
			apply: func(w *world, choice int) {
				m := masks[choice]
				w.groups[gk][ri].svc = func(p svcPoint) bool {
					if !svc.has(p) {
						return false
					}
					i := slices.Index(bound, p)
					return m&(1<<i) != 0
				}
			}})
	case 1: // peer unknown
		ref := ruleRefs[r.IntN(len(ruleRefs))]
		gs := c.groups[ref[0]]
		rs := &gs.rules[ref[1]]
		rs.peerUnknown = 1 + r.IntN(3)
		var cands []peerSpec
		cands = append(cands, peerSpec{kind: pNone}, peerSpec{kind: pAll})
		for _, k := range append(slices.Clone(keys), c.missing...) {
			cands = append(cands, peerSpec{kind: pGroup, group: k})
		}
		for range 4 {
			cands = append(cands, peerSpec{kind: pCIDR, prefixes: []netip.Prefix{g.prefix()}})
		}
		gk, ri := gs.key, ref[1]
		c.dims = append(c.dims, dim{kind: dimPeer, what: fmt.Sprintf("peer of %s rule %d", gk, ri), n: len(cands),
			apply: func(w *world, choice int) { w.groups[gk][ri].peer = peerFunc(cands[choice]) }})
	case 2: // a group that hosts use but the estate lacks
		key := fmt.Sprintf("gm%d", len(c.missing))
		c.missing = append(c.missing, key)
		// Put it on some hosts (at least one), at a random position.
		perm := r.Perm(len(c.hosts))
		for k, i := range perm {
			if k > 0 && r.IntN(2) == 0 {
				continue
			}
			h := &c.hosts[i]
			if r.IntN(4) == 0 {
				h.groups = []string{key} // nothing known of the host's rules
				continue
			}
			h.groups = slices.Insert(h.groups, r.IntN(len(h.groups)+1), key)
		}
		lists := g.unknownRuleLists(append(slices.Clone(keys), key), key)
		c.dims = append(c.dims, dim{kind: dimGroup, what: "rules of missing group " + key, n: len(lists),
			apply: func(w *world, choice int) { w.groups[key] = lists[choice].rules() }})
	default: // a group whose rules are not all known
		gs := c.groups[r.IntN(len(c.groups))]
		if gs.rulesUnknown {
			return
		}
		gs.rulesUnknown = true
		lists := g.unknownRuleLists(keys, gs.key)
		gk := gs.key
		c.dims = append(c.dims, dim{kind: dimGroup, what: "unknown rules of " + gk, n: 2 * len(lists),
			apply: func(w *world, choice int) {
				extra := lists[choice/2].rules()
				if choice%2 == 0 {
					w.groups[gk] = slices.Concat(extra, w.groups[gk])
				} else {
					w.groups[gk] = slices.Concat(w.groups[gk], extra)
				}
			}})
	}
}

type ruleList []ruleSpec

func (l ruleList) rules() []wRule {
	out := make([]wRule, len(l))
	for i, r := range l {
		out[i] = ruleOf(r)
	}
	return out
}

// unknownRuleLists returns what a group's unknown rules may be: nothing,
// everything allowed (or, for Tencent, everything dropped) both ways, and a
// few random lists. The extremes make the family's range of answers the
// same as the range over every possible rule list when only one thing is
// unknown (see TestOracleUnknown).
func (g *gen) unknownRuleLists(keys []string, own string) []ruleList {
	everything := func(act model.Action) ruleList {
		return ruleList{
			{dir: model.Ingress, act: act, svc: svcSet{{all: true}}, peer: peerSpec{kind: pAll}},
			{dir: model.Egress, act: act, svc: svcSet{{all: true}}, peer: peerSpec{kind: pAll}},
		}
	}
	out := []ruleList{nil, everything(model.Accept)}
	if g.provider == model.Tencent {
		out = append(out, everything(model.Drop))
	}
	for range 2 {
		var l ruleList
		for range 1 + g.r.IntN(3) {
			l = append(l, g.rule(keys, own))
		}
		out = append(out, l)
	}
	return out
}

// subsetMasks returns subsets of n points: all of them when there are few,
// else the empty and full sets, every singleton and every co-singleton, and
// some random ones.
func subsetMasks(r *rand.Rand, n int) []uint64 {
	full := uint64(1)<<n - 1
	if n <= 5 {
		out := make([]uint64, 0, 1<<n)
		for m := range uint64(1) << n {
			out = append(out, m)
		}
		return out
	}
	out := []uint64{0, full}
	for i := range n {
		out = append(out, 1<<i, full&^(1<<i))
	}
	for range 8 {
		out = append(out, r.Uint64()&full)
	}
	return out
}

func (g *gen) boundDim(c *testCase, i int) {
	n := len(c.hosts[i].addrs)
	addrs := slices.Clone(c.hosts[i].addrs)
	c.dims = append(c.dims, dim{kind: dimHostAddrs, what: fmt.Sprintf("addresses of h%d", i), n: 1<<n - 1,
		apply: func(w *world, choice int) {
			m := choice + 1 // non-empty
			var out []netip.Addr
			for j, a := range addrs {
				if m&(1<<j) != 0 {
					out = append(out, a)
				}
			}
			w.hosts[i].addrs = out
		}})
}

func (g *gen) hostGroupsDim(c *testCase, i int, keys []string) {
	// An interface whose groups are unknown still has at least one.
	var cands [][]string
	for _, k := range keys {
		cands = append(cands, []string{k})
	}
	for range 3 {
		cands = append(cands, g.orderedSubset(keys, 2, 3))
	}
	c.hosts[i].groups = nil
	c.dims = append(c.dims, dim{kind: dimHostGroups, what: fmt.Sprintf("groups of h%d", i), n: len(cands),
		apply: func(w *world, choice int) { w.hosts[i].groups = slices.Clone(cands[choice]) }})
}

// worlds calls f with every resolution of the case's unknowns.
func (c *testCase) worlds(f func(w *world)) {
	choice := make([]int, len(c.dims))
	for {
		w := c.baseWorld()
		for _, g := range c.groups { // private copies: dims edit rules in place
			w.groups[g.key] = slices.Clone(w.groups[g.key])
		}
		// Rule-level dims edit rules by index, so they run before group
		// dims that add rules; dims were generated in an order that may
		// not respect that.
		for pass := range 2 {
			for k, d := range c.dims {
				if (d.kind == dimPorts || d.kind == dimPeer) == (pass == 0) {
					d.apply(w, choice[k])
				}
			}
		}
		f(w)
		k := 0
		for ; k < len(choice); k++ {
			choice[k]++
			if choice[k] < c.dims[k].n {
				break
			}
			choice[k] = 0
		}
		if k == len(choice) {
			return
		}
	}
}

func (c *testCase) nworlds() int {
	n := 1
	for _, d := range c.dims {
		n *= d.n
	}
	return n
}

// ---------------------------------------------------------------------------
// Checks.

func verdictOf(b bool) reach.Verdict {
	if b {
		return reach.Allowed
	}
	return reach.Denied
}

// outcome collects the answers of every resolution: bit 0 some resolution
// denies, bit 1 some allows.
type outcome uint8

func (o *outcome) add(b bool) {
	if b {
		*o |= 2
	} else {
		*o |= 1
	}
}

func (o outcome) String() string {
	return [...]string{"none", "always denied", "always allowed", "depends on the unknowns"}[o]
}

// consistent reports whether the engine's verdict is sound for the
// outcomes and, when precise is set, also as precise as it can be.
func consistent(v reach.Verdict, o outcome, precise bool) bool {
	switch v {
	case reach.Allowed:
		return o == 2
	case reach.Denied:
		return o == 1
	}
	return !precise || o == 3
}

// TestOracleExact compares the engine with the oracle on estates without
// unknowns, where both must give the same two-valued answers.
func TestOracleExact(t *testing.T) {
	for _, prov := range []model.Provider{model.AWS, model.Tencent} {
		t.Run(string(prov), func(t *testing.T) {
			t.Parallel()
			g := &gen{r: rand.New(rand.NewPCG(20260101, uint64(len(prov)))), provider: prov}
			cases := scaled(1000)
			failures := 0
			for n := range cases {
				c := g.testCase(genOpts{})
				if !checkExact(t, n, c) {
					failures++
				}
				if failures >= 5 {
					t.Fatal("too many failures")
				}
			}
		})
	}
}

func checkExact(t *testing.T, n int, c *testCase) bool {
	t.Helper()
	eng := reach.New(c.estate(), c.options())
	w := c.baseWorld()
	ok := true
	for _, q := range c.questions {
		want := verdictOf(w.ask(q, false))
		ans := eng.Ask(c.endpoint("from", q.from, q.qf), c.endpoint("to", q.to, q.qt), q.svcs.set())
		if ans.Verdict != want {
			t.Errorf("case %d: %v = %v, oracle says %v\n%v", n, q, ans.Verdict, want, c)
			ok = false
		}
		if got, want := eng.AskSome(c.endpoint("from", q.from, q.qf), c.endpoint("to", q.to, q.qt), q.svcs.set()).Verdict, verdictOf(w.ask(q, true)); got != want {
			t.Errorf("case %d: Some%v = %v, oracle says %v\n%v", n, q, got, want, c)
			ok = false
		}
		// Splitting every host class into one class per address (same
		// groups) must not change the answer: an exact class is a set of
		// hosts.
		split := eng.Ask(c.splitEndpoint("from", q.from, q.qf), c.splitEndpoint("to", q.to, q.qt), q.svcs.set())
		if split.Verdict != ans.Verdict {
			t.Errorf("case %d: %v = %v, but %v with one class per address\n%v", n, q, ans.Verdict, split.Verdict, c)
			ok = false
		}
		// Each pair on its own, and the addresses it names.
		for i, f := range q.from {
			for j, to := range q.to {
				pq := question{from: []int{f}, to: []int{to}, qf: q.qf, qt: q.qt, svcs: q.svcs}
				want := verdictOf(w.ask(pq, false))
				pa := ans.Pairs[i*len(q.to)+j]
				if pa.Verdict != want {
					t.Errorf("case %d: %v pair h%d→h%d = %v, oracle says %v\n%v", n, q, f, to, pa.Verdict, want, c)
					ok = false
				}
				if pa.Verdict != reach.Allowed {
					continue
				}
				// FromAddrs: the addresses of f that may open some service
				// of the question to some address of to; ToAddrs likewise.
				pts := q.svcs.points()
				opens := func(sa, da netip.Addr) bool {
					return slices.ContainsFunc(pts, func(p svcPoint) bool { return w.flow(f, sa, to, da, p) })
				}
				for _, sa := range c.hosts[f].addrs {
					want := slices.ContainsFunc(c.hosts[to].addrs, func(da netip.Addr) bool { return opens(sa, da) })
					if got := pa.FromAddrs.Contains(sa); got != want {
						t.Errorf("case %d: %v pair h%d→h%d: FromAddrs %v contains %v: %v, oracle says %v\n%v",
							n, q, f, to, netset.Describe(pa.FromAddrs), sa, got, want, c)
						ok = false
					}
				}
				for _, da := range c.hosts[to].addrs {
					want := slices.ContainsFunc(c.hosts[f].addrs, func(sa netip.Addr) bool { return opens(sa, da) })
					if got := pa.ToAddrs.Contains(da); got != want {
						t.Errorf("case %d: %v pair h%d→h%d: ToAddrs %v contains %v: %v, oracle says %v\n%v",
							n, q, f, to, netset.Describe(pa.ToAddrs), da, got, want, c)
						ok = false
					}
				}
			}
		}
	}
	for s := range c.hosts {
		for d := range c.hosts {
			fs, fd := c.host(s), c.host(d)
			fl := eng.Flows(&fs, &fd)
			want := w.flows(s, d)
			if !fl.Unknown.IsEmpty() {
				t.Errorf("case %d: Flows(h%d, h%d) has unknown services %v in an estate without unknowns\n%v", n, s, d, fl.Unknown, c)
				ok = false
			}
			for i, p := range svcUniverse {
				if got := fl.Allowed.Contains(netset.Service{Proto: p.proto, Value: p.val}); got != want[i] {
					t.Errorf("case %d: Flows(h%d, h%d) allows %v: %v, oracle says %v (flows %v)\n%v", n, s, d, p, got, want[i], fl.Allowed, c)
					ok = false
					break
				}
			}
		}
	}
	return ok
}

// TestOracleUnknown checks the engine against every resolution of the
// unknowns of random estates.
//
// Soundness: when the engine says allowed (denied), every resolution must
// allow (deny).
//
// Precision is checked where the engine's design can deliver it:
//
//   - Exactly one rule-level unknown (a rule whose ports or peer are not
//     known, or a group whose rules are not all known), every host exact and
//     with known groups. The answer to any question is then monotone in the
//     unknown: more matches of an unknown AWS or ACCEPT rule can only allow
//     more, of a DROP rule only deny more, and for an unknown Tencent rule
//     list DROP < no match < ACCEPT at each point is monotone too. So the
//     answers range between the two extreme resolutions (match nothing and
//     match everything; no extra rules and "ACCEPT all"/"DROP all" first),
//     which the families below include, and the engine's three-valued
//     evaluation, being a monotone formula of per-point verdicts, reaches
//     both ends. The families stand in for all resolutions only thanks to
//     this, and only because they include the extremes: a family of single
//     CIDRs alone could not match an IPv4 and an IPv6 peer at once, and a
//     family of non-empty port ranges could not miss every port of a
//     question that asks for the whole bound. In such cases every
//     realistic resolution may agree while the engine, which treats each
//     (service, address) point's match as independently unknown, answers
//     unknown; so the families include "every address", "no address" and
//     the empty set of ports, as "subsets of the bound" allows.
//
//   - No rule-level unknown, one host on each side and the two distinct,
//     hosts possibly only bounded, and either one service or Some on every
//     bounded end. The engine decides each side over the atoms of the
//     peer's bound, and an unknown non-empty subset of atoms decides a side
//     for one service exactly when all atoms agree. With several services
//     and Every on a bounded end it is not precise: if atom a denies tcp/1
//     and atom b denies tcp/2 (each allowing the other), every non-empty
//     subset denies some service, yet each service on its own is unknown,
//     and so is the engine's answer.
//
// Elsewhere the engine may lose precision, soundly: it does not correlate
// one unknown across the places it occurs (the same bounded host on both
// ends, one bounded host paired with several others, two unknown Tencent
// rules whose order matters), and a host whose groups are unknown makes its
// side unknown whatever the other side does.
func TestOracleUnknown(t *testing.T) {
	configs := []struct {
		name      string
		o         genOpts
		cases     int
		maxWorlds int
	}{
		{"one-unknown", genOpts{unknowns: 1}, 700, 3000},
		{"several-unknowns", genOpts{unknowns: 3}, 250, 400},
		{"bound-hosts", genOpts{bound: true}, 700, 3000},
		{"everything", genOpts{unknowns: 2, bound: true, hostGroups: true}, 250, 400},
	}
	for _, prov := range []model.Provider{model.AWS, model.Tencent} {
		for ci, cfg := range configs {
			t.Run(string(prov)+"/"+cfg.name, func(t *testing.T) {
				t.Parallel()
				g := &gen{r: rand.New(rand.NewPCG(7+uint64(ci), uint64(len(prov)))), provider: prov}
				cases := scaled(cfg.cases)
				failures, checked := 0, 0
				for n := 0; checked < cases; n++ {
					c := g.testCase(cfg.o)
					if c.nworlds() > cfg.maxWorlds {
						continue
					}
					checked++
					if !checkUnknown(t, n, c) {
						failures++
					}
					if failures >= 5 {
						t.Fatal("too many failures")
					}
				}
			})
		}
	}
}

func checkUnknown(t *testing.T, n int, c *testCase) bool {
	t.Helper()
	eng := reach.New(c.estate(), c.options())
	ruleUnknowns, bounded, groupsUnknown := 0, false, false
	for _, d := range c.dims {
		if d.isRuleLevel() {
			ruleUnknowns++
		}
	}
	for _, h := range c.hosts {
		bounded = bounded || !h.exact
		groupsUnknown = groupsUnknown || h.groupsUnknown
	}
	// Which answers must be precise.
	oneRuleUnknown := ruleUnknowns == 1 && !bounded && !groupsUnknown
	pairPrecise := func(from, to []int, qf, qt reach.Quantifier, npts int) bool {
		if oneRuleUnknown {
			return true
		}
		boundEvery := qf == reach.Every && !c.hosts[from[0]].exact || qt == reach.Every && !c.hosts[to[0]].exact
		return ruleUnknowns == 0 && !groupsUnknown && len(from) == 1 && len(to) == 1 && from[0] != to[0] &&
			(npts == 1 || !boundEvery)
	}

	askOut := make([]outcome, len(c.questions))
	someOut := make([]outcome, len(c.questions))
	nh := len(c.hosts)
	flowOut := make([][]outcome, nh*nh)
	for i := range flowOut {
		flowOut[i] = make([]outcome, len(svcUniverse))
	}
	c.worlds(func(w *world) {
		for i, q := range c.questions {
			askOut[i].add(w.ask(q, false))
			someOut[i].add(w.ask(q, true))
		}
		for s := range nh {
			for d := range nh {
				for i, b := range w.flows(s, d) {
					flowOut[s*nh+d][i].add(b)
				}
			}
		}
	})

	ok := true
	for i, q := range c.questions {
		ans := eng.Ask(c.endpoint("from", q.from, q.qf), c.endpoint("to", q.to, q.qt), q.svcs.set())
		npts := len(q.svcs.points())
		precise := pairPrecise(q.from, q.to, q.qf, q.qt, npts)
		if !consistent(ans.Verdict, askOut[i], precise) {
			t.Errorf("case %d: %v = %v, but over %d resolutions it is %v (precision required: %v)\nreasons: %v\n%v",
				n, q, ans.Verdict, c.nworlds(), askOut[i], precise, reasonTexts(ans.Because), c)
			ok = false
		}
		// AskSome over a bound is precise for one service only: if atom a
		// allows only tcp/1 and atom b only tcp/2, every non-empty subset
		// allows some service, but each service on its own is unknown.
		some := eng.AskSome(c.endpoint("from", q.from, q.qf), c.endpoint("to", q.to, q.qt), q.svcs.set())
		precise = oneRuleUnknown || pairPrecise(q.from, q.to, q.qf, q.qt, npts) && npts == 1
		if !consistent(some.Verdict, someOut[i], precise) {
			t.Errorf("case %d: Some%v = %v, but over %d resolutions it is %v (precision required: %v)\nreasons: %v\n%v",
				n, q, some.Verdict, c.nworlds(), someOut[i], precise, reasonTexts(some.Because), c)
			ok = false
		}
	}
	for s := range nh {
		for d := range nh {
			fs, fd := c.host(s), c.host(d)
			fl := eng.Flows(&fs, &fd)
			precise := pairPrecise([]int{s}, []int{d}, reach.Some, reach.Some, 1)
			for i, p := range svcUniverse {
				pt := netset.Service{Proto: p.proto, Value: p.val}
				v := reach.Denied
				switch {
				case fl.Allowed.Contains(pt) && fl.Unknown.Contains(pt):
					t.Errorf("case %d: Flows(h%d, h%d) has %v both allowed and unknown", n, s, d, p)
					ok = false
				case fl.Allowed.Contains(pt):
					v = reach.Allowed
				case fl.Unknown.Contains(pt):
					v = reach.Unknown
				}
				if o := flowOut[s*nh+d][i]; !consistent(v, o, precise) {
					t.Errorf("case %d: Flows(h%d, h%d) says %v is %v, but over %d resolutions it is %v (precision required: %v)\n%v",
						n, s, d, p, v, c.nworlds(), o, precise, c)
					ok = false
					break
				}
			}
		}
	}
	return ok
}

func reasonTexts(rs []reach.Reason) string {
	var b strings.Builder
	for _, r := range rs {
		fmt.Fprintf(&b, "\n  [%s %s] %s", r.Direction, r.Effect, r.Text)
	}
	return b.String()
}
