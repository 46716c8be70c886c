package reach

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"

	"go4.org/netipx"

	"github.com/clusterwall/clusterwall/internal/model"
	"github.com/clusterwall/clusterwall/internal/netset"
	"github.com/clusterwall/clusterwall/internal/srcpos"
)

// Endpoint is one end of a question: the host classes a name stands for,
// and whether some or every one of them (and of their addresses) counts.
type Endpoint struct {
	Name  string
	Hosts []Host
	Q     Quantifier
}

// Answer is the engine's answer to one question.
type Answer struct {
	Verdict Verdict
	// Because holds the reasons that decide the verdict: for allowed the
	// rules that allow on each side, for denied every blocker, for unknown
	// what is not known.
	Because []Reason
	// Pairs holds the answer for each pair of host classes asked about.
	Pairs []PairAnswer
}

// PairAnswer is the answer for one pair of host classes.
type PairAnswer struct {
	From, To string
	Verdict  Verdict
	// FromAddrs and ToAddrs are, when the verdict is allowed, the
	// addresses of each end that take part in an allowed connection for
	// some service of the question.
	FromAddrs, ToAddrs *netipx.IPSet
}

// Ask decides whether a new connection from one endpoint to the other may
// be opened for every service of svcs: for each service on its own, the
// endpoint quantified with Every is outermost (from when both are
// quantified alike), and each quantifier ranges over every host of its
// endpoint and every address of that host. With from Every and to Some,
// a service is allowed when each address of each from host may open it to
// some address of some to host. Each connection carries one service, so
// different services may be served by different addresses, and how the
// hosts are grouped into classes does not change the answer. An empty svcs
// is denied.
func (e *Engine) Ask(from, to Endpoint, svcs netset.Services) Answer {
	return e.ask(from, to, svcs, Every)
}

// AskSome decides whether a new connection may be opened for some service
// of svcs: a load balancer needs some NodePort, not every one. Each
// service is decided as in Ask.
func (e *Engine) AskSome(from, to Endpoint, svcs netset.Services) Answer {
	return e.ask(from, to, svcs, Some)
}

func (e *Engine) ask(from, to Endpoint, svcs netset.Services, qs Quantifier) Answer {
	// Work on copies: atomsOf fills in the addresses of hosts that have none.
	fromHosts, toHosts := slices.Clone(from.Hosts), slices.Clone(to.Hosts)
	nf, nt := len(fromHosts), len(toHosts)
	outerFrom := from.Q == Every || to.Q != Every
	outs := make([]*sideOf, nf)
	for i := range fromHosts {
		outs[i] = e.side(&fromHosts[i], model.Egress)
	}
	ins := make([]*sideOf, nt)
	for j := range toHosts {
		ins[j] = e.side(&toHosts[j], model.Ingress)
	}
	// The outer endpoint's addresses are split wherever the rules of any
	// inner host split them, so that one atom of an outer host is one atom
	// for every inner host; services likewise for every pair.
	var fromCuts, toCuts []netip.Addr
	if outerFrom {
		fromCuts = mergeCuts(ins)
	} else {
		toCuts = mergeCuts(outs)
	}
	svcAtoms := serviceAtoms(svcs, slices.Concat(outs, ins)...)
	pairs := make([]PairAnswer, 0, nf*nt)
	results := make([]pairResult, 0, nf*nt)
	for i := range fromHosts {
		for j := range toHosts {
			fc, tc := fromCuts, toCuts
			if outerFrom {
				tc = outs[i].cuts
			} else {
				fc = ins[j].cuts
			}
			pa, pr := e.pair(&fromHosts[i], &toHosts[j], outs[i], ins[j], fc, tc, from.Q, to.Q, svcAtoms, qs)
			pairs = append(pairs, pa)
			results = append(results, pr)
		}
	}
	ans := Answer{Pairs: pairs}
	if len(pairs) == 0 {
		ans.Verdict = Denied
		ans.Because = []Reason{{Effect: Denied, Text: fmt.Sprintf("%s or %s stands for no host", from.Name, to.Name)}}
		return ans
	}
	perSvc := make([]verdictWhy, len(svcAtoms))
	for k := range svcAtoms {
		perSvc[k] = e.fold(results, k, fromHosts, toHosts, from.Q, to.Q, outerFrom)
	}
	all := pick(perSvc, qs)
	ans.Verdict, ans.Because = all.v, dedupe(all.why)
	return ans
}

func mergeCuts(sides []*sideOf) []netip.Addr {
	var all []netip.Addr
	for _, s := range sides {
		all = append(all, s.cuts...)
	}
	slices.SortFunc(all, netip.Addr.Compare)
	return slices.Compact(all)
}

// verdictWhy is a verdict with the reasons that decide it.
type verdictWhy struct {
	v   Verdict
	why []Reason
}

// pick folds parts that are each decided on their own (services, hosts)
// under a quantifier, keeping the reasons of the parts that decide the
// result. No part at all is denied.
func pick(parts []verdictWhy, q Quantifier) verdictWhy {
	if len(parts) == 0 {
		return verdictWhy{v: Denied}
	}
	lo, hi := parts[0].v, parts[0].v
	for _, p := range parts[1:] {
		lo, hi = min(lo, p.v), max(hi, p.v)
	}
	v := combine([]Verdict{lo, hi}, q, true)
	return verdictWhy{v, joinWhy(parts, v)}
}

// joinWhy returns the reasons of the parts whose verdict is v. A single
// such part's reasons are shared, clipped so that appending copies.
func joinWhy(parts []verdictWhy, v Verdict) []Reason {
	n, last := 0, -1
	for i, p := range parts {
		if p.v == v && len(p.why) > 0 {
			n, last = n+1, i
		}
	}
	switch n {
	case 0:
		return nil
	case 1:
		return slices.Clip(parts[last].why)
	}
	var out []Reason
	for _, p := range parts {
		if p.v == v {
			out = append(out, p.why...)
		}
	}
	return out
}

// fold decides the question for the k-th service atom from the pairs
// (laid out from-major). The outer endpoint ranges over its hosts and
// their atoms, the inner one over its hosts; for one outer atom and one
// inner host, the inner side's verdict over its own addresses is joined
// with the outer side's verdict for that atom. For "every node reaches
// some control-plane endpoint", each node address may reach a different
// control-plane host.
func (e *Engine) fold(prs []pairResult, k int, fromHosts, toHosts []Host, qf, qt Quantifier, outerFrom bool) verdictWhy {
	nf, nt := len(fromHosts), len(toHosts)
	no, ni, qo, qi, outerHosts := nf, nt, qf, qt, fromHosts
	if !outerFrom {
		no, ni, qo, qi, outerHosts = nt, nf, qt, qf, toHosts
	}
	// sides returns, for outer host o and inner host i, the side decided
	// over the outer host's atoms and the side over the inner host's.
	sides := func(o, i int) (outer, inner *sideResult) {
		if outerFrom {
			p := &prs[o*nt+i]
			return &p.ig[k], &p.eg[k]
		}
		p := &prs[i*nt+o]
		return &p.eg[k], &p.ig[k]
	}
	dir := model.Ingress // the side that looks at the outer host's addresses
	if !outerFrom {
		dir = model.Egress
	}
	outerVals := make([]verdictWhy, no)
	inner := make([]Verdict, ni)
	for o := range no {
		h := &outerHosts[o]
		first, _ := sides(o, 0)
		// First the verdicts: of each atom over the inner hosts, then of
		// the host over its atoms.
		atomVs := make([]Verdict, len(first.atoms))
		for a := range atomVs {
			for i := range ni {
				os, is := sides(o, i)
				inner[i] = And(is.verdict, os.atoms[a].v)
			}
			atomVs[a] = combine(inner, qi, true)
		}
		v := combine(atomVs, qo, h.Exact)
		mixed := v == Unknown && !h.Exact && slices.ContainsFunc(atomVs, func(x Verdict) bool { return x != Unknown })
		// Then the reasons of what decides it: the atoms whose verdict is
		// the host's (all of them when a bound's atoms disagree), and for
		// each the inner hosts whose verdict is the atom's, with the side
		// or sides that decide that.
		usedInner := make([]bool, ni)
		var why []Reason
		for a, av := range atomVs {
			if av != v && !mixed {
				continue
			}
			for i := range ni {
				os, is := sides(o, i)
				if And(is.verdict, os.atoms[a].v) != av {
					continue
				}
				if is.verdict == av {
					usedInner[i] = true
				}
				if os.atoms[a].v == av {
					why = append(why, os.atoms[a].why...)
				}
			}
		}
		for i, used := range usedInner {
			if used {
				_, is := sides(o, i)
				why = append(why, is.reasons()...)
			}
		}
		if mixed {
			why = append(why, Reason{Direction: dir, Effect: Unknown,
				Text: fmt.Sprintf("the answer differs between parts of %s, and the input does not say which addresses %s has",
					netset.Describe(h.Addrs), h.Label)})
		}
		outerVals[o] = verdictWhy{v, dedupe(why)}
	}
	return pick(outerVals, qo)
}

// pairResult keeps, for the fold, both sides of one pair for each service
// atom.
type pairResult struct{ eg, ig []sideResult }

// pair decides one pair of host classes for the service atoms, every one
// or some one as qs says.
func (e *Engine) pair(from, to *Host, out, in *sideOf, fromCuts, toCuts []netip.Addr, qf, qt Quantifier, svcAtoms []netset.Service, qs Quantifier) (PairAnswer, pairResult) {
	toAtoms := atomsOf(to, toCuts)
	fromAtoms := atomsOf(from, fromCuts)
	pa := PairAnswer{From: from.Label, To: to.Label}
	pr := pairResult{eg: make([]sideResult, len(svcAtoms)), ig: make([]sideResult, len(svcAtoms))}
	verdicts := make([]Verdict, len(svcAtoms))
	var fromOK, toOK netipx.IPSetBuilder
	for k, svc := range svcAtoms {
		eg := e.sideOver(out, svc, to, toAtoms, qt)
		ig := e.sideOver(in, svc, from, fromAtoms, qf)
		pr.eg[k], pr.ig[k] = eg, ig
		v := And(eg.verdict, ig.verdict)
		verdicts[k] = v
		if v == Allowed {
			addRanges(&toOK, eg.allowed)
			addRanges(&fromOK, ig.allowed)
		}
	}
	pa.Verdict = combine(verdicts, qs, true)
	if pa.Verdict == Allowed {
		pa.FromAddrs, _ = fromOK.IPSet()
		pa.ToAddrs, _ = toOK.IPSet()
	}
	return pa, pr
}

func addRanges(b *netipx.IPSetBuilder, rs []netipx.IPRange) {
	for _, r := range rs {
		b.AddRange(r)
	}
}

// serviceAtoms splits svcs where any rule of either side starts or ends
// its services, and returns one representative service of each piece:
// within a piece every rule matches all services or none.
func serviceAtoms(svcs netset.Services, sides ...*sideOf) []netset.Service {
	pieces := svcs.Ranges().Split(serviceCuts(sides...))
	out := make([]netset.Service, len(pieces))
	for i, p := range pieces {
		out[i] = netset.FirstOf(p)
	}
	return out
}

func serviceCuts(sides ...*sideOf) []uint32 {
	var sets []netset.Ranges
	for _, s := range sides {
		sets = append(sets, s.svcCuts...)
		for _, g := range s.groups {
			for _, r := range g.rules[s.dir] {
				sets = append(sets, r.svc.Ranges())
			}
		}
	}
	return netset.Cuts(sets...)
}

// atomsOf splits a host's addresses at the cut points. A host whose
// addresses are not known at all may have any address.
func atomsOf(h *Host, cuts []netip.Addr) []netipx.IPRange {
	if netset.IsEmpty(h.Addrs) {
		h.Addrs, h.Exact = netset.AllAddrs(), false
	}
	return netset.SplitRanges(h.Addrs.Ranges(), cuts)
}

type sideResult struct {
	verdict Verdict
	allowed []netipx.IPRange // atoms of the peer that the side allows
	atoms   []verdictWhy     // per atom of the peer
	// mixed, when the verdict is unknown because the atoms of a bound
	// disagree, says so.
	mixed *Reason
}

// reasons returns what decides the side's verdict: the reasons of the
// atoms whose verdict it is and, when a bound's atoms disagree, that and
// the reasons of every atom. Only the fold reads them, and only for some
// sides, so they are gathered on demand.
func (sr *sideResult) reasons() []Reason {
	var out []Reason
	for _, a := range sr.atoms {
		if a.v == sr.verdict {
			out = append(out, a.why...)
		}
	}
	if sr.mixed != nil {
		out = append(out, *sr.mixed)
		for _, a := range sr.atoms {
			out = append(out, a.why...)
		}
	}
	return out
}

// sideOver decides one side for one service over every atom of the
// peer's addresses.
func (e *Engine) sideOver(s *sideOf, svc netset.Service, peer *Host, atoms []netipx.IPRange, q Quantifier) sideResult {
	sr := sideResult{atoms: make([]verdictWhy, len(atoms))}
	verdicts := make([]Verdict, len(atoms))
	for i, a := range atoms {
		v, why := e.decide(s, svc, peer, a)
		verdicts[i], sr.atoms[i] = v, verdictWhy{v, why}
	}
	v := combine(verdicts, q, peer.Exact)
	sr.verdict = v
	mixed := false
	for i, a := range atoms {
		if verdicts[i] == Allowed {
			sr.allowed = append(sr.allowed, a)
		}
		mixed = mixed || verdicts[i] != v
	}
	if v == Unknown && mixed && !peer.Exact && !s.quiet {
		sr.mixed = &Reason{Direction: s.dir, Effect: Unknown,
			Text: fmt.Sprintf("%s's rules treat parts of %s differently, and the input does not say which addresses %s has",
				s.host.Label, netset.Describe(peer.Addrs), peer.Label)}
	}
	return sr
}

// dedupe drops repeated reasons and sorts them: egress before ingress,
// then by group, location and text.
func dedupe(rs []Reason) []Reason {
	type key struct {
		dir   model.Direction
		group string
		rule  *model.Rule
		text  string
	}
	seen := map[key]bool{}
	var out []Reason
	for _, r := range rs {
		k := key{r.Direction, r.Group, r.Rule, r.Text}
		if !seen[k] {
			seen[k] = true
			out = append(out, r)
		}
	}
	slices.SortStableFunc(out, func(a, b Reason) int {
		return cmp.Or(-cmp.Compare(a.Direction, b.Direction), cmp.Compare(a.Group, b.Group),
			srcpos.Compare(a.Location, b.Location), cmp.Compare(a.Text, b.Text))
	})
	return out
}
