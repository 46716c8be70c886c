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
)

// requiredFlows reports every flow of the platform's catalog (and of the
// installed add-ons) that the cluster needs but its groups do not allow.
type requiredFlows struct{}

func (requiredFlows) Run(ctx *Context, out *Result) {
	c := ctx.Cluster
	if p := ctx.Catalog.Platforms[string(c.Platform)]; p != nil {
		for i := range p.Requirements {
			if req := &p.Requirements[i]; ctx.applies(req.When) {
				ctx.require(req, req.ID, nil, out)
			}
		}
	}
	done := map[*knowledge.AddOn]bool{}
	for i := range c.AddOns {
		inst := &c.AddOns[i]
		a := ctx.Catalog.AddOn(inst.Name)
		if a == nil || done[a] || !slices.Contains(a.Platforms, string(c.Platform)) {
			continue
		}
		done[a] = true
		for j := range a.Requirements {
			req := &a.Requirements[j]
			if ctx.applies(req.When) && req.When.Matches(inst.Source, inst.Version) {
				ctx.require(req, strings.ToUpper(string(c.Platform))+"-"+req.ID, inst, out)
			}
		}
	}
}

// applies reports whether a catalog condition holds for the cluster.
func (ctx *Context) applies(w knowledge.Condition) bool {
	c := ctx.Cluster
	for _, role := range w.Roles {
		if len(c.MembersOf(role)) == 0 {
			return false
		}
	}
	if w.Level > ctx.Level {
		return false
	}
	if w.Legacy != nil && *w.Legacy != c.Legacy {
		return false
	}
	if w.IPv6 != nil && *w.IPv6 != c.IPv6 {
		return false
	}
	return true
}

// quantifier: the control plane is one service whose flows need some
// endpoint of it; every other role needs each of its members served.
func quantifier(role string) reach.Quantifier {
	if role == model.RoleControlPlane {
		return reach.Some
	}
	return reach.Every
}

// unit is one piece of a requirement that must hold on its own: one
// member of each side a requirement quantifies over every member of.
type unit struct {
	from, to []*model.Member
}

func units(from, to []*model.Member, qf, qt reach.Quantifier) []unit {
	split := func(ms []*model.Member, q reach.Quantifier) [][]*model.Member {
		if q == reach.Some {
			return [][]*model.Member{ms}
		}
		out := make([][]*model.Member, len(ms))
		for i, m := range ms {
			out[i] = []*model.Member{m}
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

func hostsOf(ms []*model.Member) []reach.Host {
	out := make([]reach.Host, len(ms))
	for i, m := range ms {
		out[i] = endpoint.HostOf(m)
	}
	return out
}

func labels(ms []*model.Member) string {
	ls := make([]string, len(ms))
	for i, m := range ms {
		ls[i] = m.Qualified()
	}
	return strings.Join(ls, ", ")
}

// roleOf picks the first of "a|b" alternatives that the cluster has.
func roleOf(c *model.Cluster, alternatives string) string {
	alts := strings.Split(alternatives, "|")
	for _, r := range alts {
		if len(endpoint.Members(c, r, endpoint.To)) > 0 {
			return r
		}
	}
	return alts[len(alts)-1]
}

// require checks one required flow and reports it blocked where it is
// not allowed. inst is the add-on that needs it, if any.
func (ctx *Context) require(req *knowledge.Requirement, id string, inst *model.AddOn, out *Result) {
	c := ctx.Cluster
	fromRole, toRole := roleOf(c, req.From), roleOf(c, req.To)
	from, to := endpoint.Members(c, fromRole, endpoint.From), endpoint.Members(c, toRole, endpoint.To)
	if len(from) == 0 || len(to) == 0 {
		return
	}
	qf, qt := quantifier(fromRole), quantifier(toRole)
	var failed []string
	var blockers []reach.Reason
	var fixes []string
	for _, u := range units(from, to, qf, qt) {
		f := reach.Endpoint{Name: req.From, Hosts: hostsOf(u.from), Q: reach.Some}
		t := reach.Endpoint{Name: req.To, Hosts: hostsOf(u.to), Q: reach.Some}
		ans := ctx.Engine.Ask(f, t, req.Svcs)
		if req.Any && ans.Verdict != reach.Allowed {
			ans.Verdict = ctx.someAllowed(f, t, req.Svcs, ans.Verdict)
		}
		pair := labels(u.from) + " → " + labels(u.to)
		if len(u.from) > 1 {
			pair = "(" + labels(u.from) + ") → " + labels(u.to)
		}
		switch ans.Verdict {
		case reach.Denied:
			failed = append(failed, pair)
			blockers = append(blockers, ans.Because...)
			fixes = append(fixes, ctx.fixes(ans.Because, u, req.Svcs)...)
		case reach.Unknown:
			out.Unverified = append(out.Unverified, Unverified{ID: id, Cluster: c.Name,
				Flow: flowOf(fromRole, toRole, req.Svcs), Where: pair, Missing: reasonList(ans.Because)})
		}
	}
	if len(failed) == 0 {
		return
	}
	svcWord := req.Svcs.String()
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
		Flow: flowOf(fromRole, toRole, req.Svcs), Locations: locs,
		Fix: strings.Join(dedupeStrings(fixes), " "), References: req.References,
	})
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

// flowOf fills a finding's flow; a set of several protocols is "all"
// only when it is everything, otherwise the first protocol's part.
func flowOf(from, to string, svcs netset.Services) *Flow {
	parts := svcs.Parts()
	if len(parts) == 0 {
		return &Flow{From: from, To: to, Protocol: "all", Ports: "all"}
	}
	proto, ports := parts[0].Protocol, parts[0].Ports
	for _, p := range parts[1:] {
		proto += "," + p.Protocol
		if p.Ports != parts[0].Ports {
			ports += "," + p.Ports
		}
	}
	return &Flow{From: from, To: to, Protocol: proto, Ports: ports}
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
func (ctx *Context) fixes(because []reach.Reason, u unit, svcs netset.Services) []string {
	var out []string
	src, dst := ctx.fixMember(u.from), ctx.fixMember(u.to)
	if src == nil || dst == nil {
		return nil
	}
	// A side blocks when a reason denies it at a group of the member the
	// fix will name.
	blockedAt := map[model.Direction]bool{}
	for _, r := range because {
		m := dst
		if r.Direction == model.Egress {
			m = src
		}
		if r.Effect == reach.Denied && slices.Contains(m.Groups, r.Group) {
			blockedAt[r.Direction] = true
		}
	}
	if blockedAt[model.Egress] {
		out = append(out, ctx.ruleFix(model.Egress, src, dst, svcs))
	}
	if blockedAt[model.Ingress] {
		out = append(out, ctx.ruleFix(model.Ingress, dst, src, svcs))
	}
	return out
}

// fixMember picks the member a fix names: a real interface class, not the
// public endpoint the platform runs.
func (ctx *Context) fixMember(ms []*model.Member) *model.Member {
	for _, m := range ms {
		if m.Kind != model.KindPublicEndpoint && len(m.Groups) > 0 {
			return m
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

// ruleFix words the rule to add to self's group so that it allows svcs
// with peer.
func (ctx *Context) ruleFix(dir model.Direction, self, peer *model.Member, svcs netset.Services) string {
	g, p := ctx.fixGroup(self), ctx.fixGroup(peer)
	prep := "from"
	if dir == model.Egress {
		prep = "to"
	}
	text := fmt.Sprintf("Add to %s an %s rule allowing %s %s %s.", ctx.groupLabel(g), dir, svcs, prep, ctx.groupLabel(p))
	if cmd := awsCLIFix(dir, g, p, svcs); cmd != "" {
		text += " With the AWS CLI: " + cmd
	}
	return text
}

// awsCLIFix is the authorize command for real group ids.
func awsCLIFix(dir model.Direction, group, peer string, svcs netset.Services) string {
	if !strings.HasPrefix(group, "sg-") || !strings.HasPrefix(peer, "sg-") {
		return ""
	}
	var perms []string
	for _, part := range svcs.Parts() {
		proto, from, to := part.Protocol, "-1", "-1"
		switch {
		case proto == "all":
			proto = "-1"
		case part.Ports != "all":
			lo, hi, ok := strings.Cut(part.Ports, "-")
			if !ok {
				hi = lo
			}
			if strings.Contains(part.Ports, ",") {
				return ""
			}
			from, to = lo, hi
		}
		perms = append(perms, fmt.Sprintf("IpProtocol=%s,FromPort=%s,ToPort=%s,UserIdGroupPairs=[{GroupId=%s}]", proto, from, to, peer))
	}
	return fmt.Sprintf("aws ec2 authorize-security-group-%s --group-id %s --ip-permissions '%s'", dir, group, strings.Join(perms, "' '"))
}
