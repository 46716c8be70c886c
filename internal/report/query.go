package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"go4.org/netipx"

	"github.com/clusterwall/clusterwall/internal/netset"
	"github.com/clusterwall/clusterwall/internal/reach"
	"github.com/clusterwall/clusterwall/internal/srcpos"
)

// Query is the answer of `clusterwall query` (CONTRACT.md).
type Query struct {
	From     string `json:"from"`
	To       string `json:"to"`
	Protocol string `json:"protocol"`
	// Port is a number for one port, otherwise a string: "30000-32767",
	// "all", an ICMP type.
	Port    any       `json:"port"`
	Verdict string    `json:"verdict"`
	Because []Because `json:"because"`
	Cluster string    `json:"cluster,omitempty"`
	// FromAddresses and ToAddresses name, for an allowed answer, which
	// addresses of each end may open the connection.
	FromAddresses []string `json:"from_addresses,omitempty"`
	ToAddresses   []string `json:"to_addresses,omitempty"`
	// Pairs gives the verdict for each pair of parts when an end has
	// several (two node groups, say).
	Pairs []QueryPair `json:"pairs,omitempty"`
}

// Because is one deciding rule or reason.
type Because struct {
	Direction string           `json:"direction,omitempty"`
	Group     string           `json:"group,omitempty"`
	Rule      string           `json:"rule"`
	Effect    string           `json:"effect"`
	Location  *srcpos.Location `json:"location,omitempty"`
}

// QueryPair is the verdict for one pair of parts.
type QueryPair struct {
	From    string `json:"from"`
	To      string `json:"to"`
	Verdict string `json:"verdict"`
}

// NewQuery shapes an engine answer for output.
func NewQuery(from, to string, svcs netset.Services, ans reach.Answer) *Query {
	q := &Query{From: from, To: to, Verdict: ans.Verdict.String(), Because: []Because{}}
	parts := svcs.Parts()
	q.Protocol, q.Port = parts[0].Protocol, parts[0].Ports
	if len(parts) > 1 {
		q.Protocol, q.Port = svcs.String(), "all"
	} else if n, err := strconv.Atoi(parts[0].Ports); err == nil && netset.HasPorts(svcs.First().Proto) {
		q.Port = n
	}
	for _, r := range ans.Because {
		b := Because{Group: r.Group, Rule: r.Text, Effect: r.Effect.String()}
		if r.Direction == 0 && r.Group == "" && r.Rule == nil {
			b.Direction = ""
		} else {
			b.Direction = r.Direction.String()
		}
		if !r.Location.IsZero() {
			loc := r.Location
			b.Location = &loc
		}
		q.Because = append(q.Because, b)
	}
	if ans.Verdict == reach.Allowed {
		var fromSets, toSets []*netipx.IPSet
		for _, p := range ans.Pairs {
			if p.Verdict == reach.Allowed {
				fromSets, toSets = append(fromSets, p.FromAddrs), append(toSets, p.ToAddrs)
			}
		}
		q.FromAddresses = prefixStrings(netset.Union(fromSets...))
		q.ToAddresses = prefixStrings(netset.Union(toSets...))
	}
	if len(ans.Pairs) > 1 {
		for _, p := range ans.Pairs {
			q.Pairs = append(q.Pairs, QueryPair{From: p.From, To: p.To, Verdict: p.Verdict.String()})
		}
	}
	return q
}

func prefixStrings(s *netipx.IPSet) []string {
	var out []string
	for _, p := range s.Prefixes() {
		out = append(out, p.String())
	}
	return out
}

// QueryText writes a query answer for people.
func QueryText(w io.Writer, q *Query) error {
	p := &printer{w: w}
	svc := q.Protocol
	if port := fmt.Sprint(q.Port); port != "all" {
		svc += "/" + port
	}
	p.line("%s → %s %s: %s", q.From, q.To, svc, q.Verdict)
	for _, b := range q.Because {
		text := b.Rule
		if b.Location != nil {
			text += " — " + b.Location.String()
		}
		p.wrap(fmt.Sprintf("  %-8s ", b.Direction), text)
	}
	if len(q.FromAddresses) > 0 && len(q.FromAddresses) <= 8 {
		p.wrap("  from addresses: ", strings.Join(q.FromAddresses, ", "))
	}
	for _, pair := range q.Pairs {
		p.line("  %s → %s: %s", pair.From, pair.To, pair.Verdict)
	}
	return p.err
}
