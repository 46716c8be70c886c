package check

import (
	"fmt"
	"slices"
	"strings"

	"github.com/clusterwall/clusterwall/internal/endpoint"
	"github.com/clusterwall/clusterwall/internal/knowledge"
	"github.com/clusterwall/clusterwall/internal/model"
	"github.com/clusterwall/clusterwall/internal/netset"
	"github.com/clusterwall/clusterwall/internal/reach"
	"github.com/clusterwall/clusterwall/internal/remedy"
	"github.com/clusterwall/clusterwall/internal/srcpos"
)

// widerFlows reports a flow between two roles that allows more than the
// requirements between them need: seed 000 asks exactly this of the
// legacy control plane → nodes 1025-65535. What the platform's own group
// allows by design (the EKS cluster security group admitting itself) is
// not the user's to narrow and is left out.
type widerFlows struct{}

func (widerFlows) Run(ctx *Context, out *Result) {
	p := ctx.Catalog.Platforms[string(ctx.Cluster.Platform)]
	if p == nil {
		return
	}
	for i := range p.Wider {
		ctx.wider(&p.Wider[i], out)
	}
}

// needed is what the applicable requirements from one role to others need.
func (ctx *Context) needed(from string, to []string) netset.Services {
	var svcs netset.Services
	for _, a := range ctx.requirements() {
		fromOK := slices.Contains(strings.Split(a.Req.From, "|"), from)
		toOK := slices.ContainsFunc(strings.Split(a.Req.To, "|"), func(r string) bool { return slices.Contains(to, r) })
		if fromOK && toOK {
			svcs = svcs.Union(a.Req.Svcs)
		}
	}
	return svcs
}

func (ctx *Context) wider(w *knowledge.Wider, out *Result) {
	c := ctx.Cluster
	needed := ctx.needed(w.From, w.To)
	var extra netset.Services
	var members []string
	var reasons []reach.Reason
	for _, fm := range endpoint.Members(c, w.From, endpoint.From) {
		from := ctx.hostFor(fm)
		for _, tm := range endpoint.Members(c, w.To[0], endpoint.To) {
			to := ctx.hostFor(tm)
			more := ctx.Engine.Flows(&from, &to).Allowed.Intersect(w.Svcs).Minus(needed)
			if more.IsEmpty() {
				continue
			}
			ans := ctx.Engine.Ask(reach.Endpoint{Name: w.From, Hosts: []reach.Host{from}}, reach.Endpoint{Name: w.To[0], Hosts: []reach.Host{to}}, more)
			// Only rules that name the source's groups are about this flow;
			// address rules are judged as exposures, and the platform's own
			// self rule is not the user's to narrow.
			var own []reach.Reason
			var byOwn netset.Services
			for _, r := range ans.Because {
				if r.Direction == model.Ingress && r.Effect == reach.Allowed && r.Rule != nil &&
					r.Rule.Peer.Kind == model.PeerGroup && slices.Contains(fm.Groups, r.Rule.Peer.Group) && !platformSelfRule(c, r) {
					own = append(own, r)
					byOwn = byOwn.Union(r.Rule.Services)
				}
			}
			if more = more.Intersect(byOwn); portCount(more) <= widerThan {
				continue // a few deliberate ports, or none of the user's
			}
			extra = extra.Union(more)
			members = append(members, fm.Qualified()+" → "+tm.Qualified())
			reasons = append(reasons, own...)
		}
	}
	if extra.IsEmpty() {
		return
	}
	var locs []srcpos.Location
	var rules []string
	var changes []remedy.Change
	for _, r := range reasons {
		changes = appendRemoval(ctx, changes, r)
		t := r.Text
		if !r.Location.IsZero() {
			locs = append(locs, r.Location)
			t += " at " + r.Location.String()
		}
		if !slices.Contains(rules, t) {
			rules = append(rules, t)
		}
	}
	msg := fmt.Sprintf("%s: %s is allowed beyond what the cluster needs (%s): %s.",
		strings.Join(dedupeStrings(members), "; "), extra, neededText(needed), w.Why)
	out.Findings = append(out.Findings, Finding{
		ID: ctx.platformID(w.ID), Kind: Exposed, Severity: w.Severity, Cluster: c.Name, Title: w.Title, Message: msg,
		Flow: flowOf(w.From, w.To[0], extra), Locations: locs,
		Fix: strings.TrimSpace(w.Advice) + ". The rules that allow it: " + strings.Join(rules, "; ") + ".", References: w.References,
		Changes: changes,
	})
}

// widerThan is how many extra ports make a range worth reviewing: a
// module's handful of webhook ports is deliberate, 1025-65535 is not.
const widerThan = 64

func portCount(s netset.Services) int {
	n := 0
	for _, r := range s.Ranges() {
		n += int(r.Hi-r.Lo) + 1
	}
	return n
}

func neededText(s netset.Services) string {
	if s.IsEmpty() {
		return "nothing is needed"
	}
	return "needed: " + s.String()
}

// platformSelfRule reports a rule of the platform's own cluster group that
// admits the group itself: EKS creates it and recreates it on every update.
func platformSelfRule(c *model.Cluster, r reach.Reason) bool {
	return r.Rule != nil && r.Group == c.ClusterGroup && r.Rule.Peer.Kind == model.PeerGroup && r.Rule.Peer.Group == r.Group
}
