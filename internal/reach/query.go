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
	Because  []Reason
	// FromAddrs and ToAddrs are, when the verdict is allowed, the
	// addresses of each end for which it is.
	FromAddrs, ToAddrs *netipx.IPSet
}

// Ask decides whether a new connection from one endpoint to the other may
// be opened for every service of svcs.
func (e *Engine) Ask(from, to Endpoint, svcs netset.Services) Answer {
	return e.ask(from, to, svcs, Every)
}

// AskSome decides whether a new connection may be opened for some service
// of svcs: a load balancer needs some NodePort, not every one.
func (e *Engine) AskSome(from, to Endpoint, svcs netset.Services) Answer {
	return e.ask(from, to, svcs, Some)
}

func (e *Engine) ask(from, to Endpoint, svcs netset.Services, qs Quantifier) Answer {
	var pairs []PairAnswer
	for i := range from.Hosts {
		for j := range to.Hosts {
			pairs = append(pairs, e.pair(&from.Hosts[i], &to.Hosts[j], from.Q, to.Q, svcs, qs))
		}
	}
	v := e.fold(pairs, len(from.Hosts), len(to.Hosts), from.Q, to.Q)
	ans := Answer{Verdict: v, Pairs: pairs}
	for _, p := range pairs {
		if p.Verdict == v {
			ans.Because = append(ans.Because, p.Because...)
		}
	}
	if len(pairs) == 0 {
		ans.Because = []Reason{{Effect: Denied, Text: fmt.Sprintf("%s or %s stands for no host", from.Name, to.Name)}}
	}
	ans.Because = dedupe(ans.Because)
	return ans
}

// fold combines pair verdicts (laid out from-major) over both quantifiers,
// with an Every side outermost: "every node reaches some control-plane
// endpoint".
func (e *Engine) fold(pairs []PairAnswer, nf, nt int, qf, qt Quantifier) Verdict {
	at := func(i, j int) Verdict { return pairs[i*nt+j].Verdict }
	if nf == 0 || nt == 0 {
		return Denied
	}
	outerFrom := qf == Every || qt != Every
	no, ni, qo, qi := nf, nt, qf, qt
	if !outerFrom {
		no, ni, qo, qi = nt, nf, qt, qf
	}
	outer := make([]Verdict, no)
	for o := range no {
		inner := make([]Verdict, ni)
		for i := range ni {
			if outerFrom {
				inner[i] = at(o, i)
			} else {
				inner[i] = at(i, o)
			}
		}
		outer[o] = combine(inner, qi, true)
	}
	return combine(outer, qo, true)
}

// pair decides one pair of host classes for the services of svcs, every
// one or some one as qs says.
func (e *Engine) pair(from, to *Host, qf, qt Quantifier, svcs netset.Services, qs Quantifier) PairAnswer {
	out, in := e.side(from, model.Egress), e.side(to, model.Ingress)
	toAtoms := atomsOf(to, out.cuts)
	fromAtoms := atomsOf(from, in.cuts)
	pa := PairAnswer{From: from.Label, To: to.Label}
	var verdicts []Verdict
	var because [3][]Reason
	var fromOK, toOK netipx.IPSetBuilder
	for _, svc := range serviceAtoms(svcs, out, in) {
		eg := e.sideOver(out, svc, to, toAtoms, qt)
		ig := e.sideOver(in, svc, from, fromAtoms, qf)
		v := And(eg.verdict, ig.verdict)
		verdicts = append(verdicts, v)
		switch v {
		case Allowed:
			because[v] = append(because[v], eg.reasons...)
			because[v] = append(because[v], ig.reasons...)
			addRanges(&toOK, eg.allowed)
			addRanges(&fromOK, ig.allowed)
		default:
			for _, sr := range []sideResult{eg, ig} {
				if sr.verdict == v {
					because[v] = append(because[v], sr.reasons...)
				}
			}
		}
	}
	pa.Verdict = combine(verdicts, qs, true)
	pa.Because = dedupe(because[pa.Verdict])
	if pa.Verdict == Allowed {
		pa.FromAddrs, _ = fromOK.IPSet()
		pa.ToAddrs, _ = toOK.IPSet()
	}
	return pa
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
		out[i] = netset.ServicesOf(netset.Ranges{p}).First()
	}
	return out
}

func serviceCuts(sides ...*sideOf) []uint32 {
	var sets []netset.Ranges
	for _, s := range sides {
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
	reasons []Reason
	allowed []netipx.IPRange // atoms of the peer that the side allows
}

// sideOver decides one side for one service over every atom of the
// peer's addresses.
func (e *Engine) sideOver(s *sideOf, svc netset.Service, peer *Host, atoms []netipx.IPRange, q Quantifier) sideResult {
	verdicts := make([]Verdict, len(atoms))
	reasons := make([][]Reason, len(atoms))
	for i, a := range atoms {
		verdicts[i], reasons[i] = e.decide(s, svc, peer, a)
	}
	v := combine(verdicts, q, peer.Exact)
	sr := sideResult{verdict: v}
	mixed := false
	for i, a := range atoms {
		if verdicts[i] == Allowed {
			sr.allowed = append(sr.allowed, a)
		}
		if verdicts[i] == v {
			sr.reasons = append(sr.reasons, reasons[i]...)
		} else {
			mixed = true
		}
	}
	if v == Unknown && mixed && !peer.Exact {
		sr.reasons = append(sr.reasons, Reason{Direction: s.dir, Effect: Unknown,
			Text: fmt.Sprintf("%s's rules treat parts of %s differently, and the input does not say which addresses %s has",
				s.host.Label, netset.Describe(peer.Addrs), peer.Label)})
		for i := range atoms {
			sr.reasons = append(sr.reasons, reasons[i]...)
		}
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
