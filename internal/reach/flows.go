package reach

import (
	"github.com/clusterwall/clusterwall/internal/model"
	"github.com/clusterwall/clusterwall/internal/netset"
)

// Flow is what one host class may open to another.
type Flow struct {
	From, To string
	// Allowed services: for each, some address of From may open a
	// connection to some address of To.
	Allowed netset.Services
	// Unknown services: the input does not decide them.
	Unknown netset.Services
}

// Flows computes every service one host class may open to another. It
// splits the service space where some rule of either side starts or ends
// and decides each piece once, so the cost grows with the rules of the
// two classes, not with the size of the space.
func (e *Engine) Flows(from, to *Host) Flow {
	// Work on copies: atomsOf fills in the addresses of hosts that have none.
	fh, th := *from, *to
	from, to = &fh, &th
	out, in := e.side(from, model.Egress), e.side(to, model.Ingress)
	out.quiet, in.quiet = true, true
	toAtoms := atomsOf(to, out.cuts)
	fromAtoms := atomsOf(from, in.cuts)
	f := Flow{From: from.Label, To: to.Label}
	var allowed, unknown netset.Ranges
	for _, piece := range netset.AllServices().Ranges().Split(serviceCuts(out, in)) {
		svc := netset.FirstOf(piece)
		eg := e.sideOver(out, svc, to, toAtoms, Some)
		if eg.verdict == Denied {
			continue
		}
		ig := e.sideOver(in, svc, from, fromAtoms, Some)
		switch And(eg.verdict, ig.verdict) {
		case Allowed:
			allowed = append(allowed, piece)
		case Unknown:
			unknown = append(unknown, piece)
		}
	}
	f.Allowed, f.Unknown = netset.ServicesOf(allowed), netset.ServicesOf(unknown)
	return f
}
