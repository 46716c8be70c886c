package tfplan

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/clusterwall/clusterwall/internal/model"
)

// dump prints what an estate says, without where it says it, one fact a
// line in a stable order, so that estates read from different inputs
// compare as text.
func dump(e *model.Estate) string {
	var b strings.Builder
	for _, g := range e.SortedGroups() {
		fmt.Fprintf(&b, "group %s name=%q vpc=%s desc=%q provider=%s", g.ID, g.Name, g.VPC, g.Description, g.Provider)
		if len(g.Aliases) > 0 {
			a := slices.Clone(g.Aliases)
			slices.Sort(a)
			fmt.Fprintf(&b, " aliases=%q", a)
		}
		if len(g.Tags) > 0 {
			fmt.Fprintf(&b, " tags=%v", g.Tags)
		}
		if g.Implicit {
			b.WriteString(" implicit")
		}
		if g.ExclusiveRules {
			b.WriteString(" exclusive")
		}
		if g.RulesUnknown != "" {
			fmt.Fprintf(&b, " rules-unknown=%q", g.RulesUnknown)
		}
		b.WriteString("\n")
		var rules []string
		for _, r := range g.Rules {
			s := fmt.Sprintf("  %s %s %s peer=%s", r.Direction, r.Action, r.Services, r.Peer)
			if r.Peer.Kind == model.PeerUnknown {
				s += fmt.Sprintf(" why=%q", r.Peer.Why)
			}
			if r.PortsUnknown != "" {
				s += fmt.Sprintf(" ports-unknown=%q", r.PortsUnknown)
			}
			s += fmt.Sprintf(" desc=%q id=%s", r.Description, r.ID)
			if r.Standalone {
				s += " standalone"
			}
			rules = append(rules, s+"\n")
		}
		slices.Sort(rules)
		b.WriteString(strings.Join(rules, ""))
	}
	for _, k := range slices.Sorted(maps.Keys(e.AddressSets)) {
		s := e.AddressSets[k]
		fmt.Fprintf(&b, "set %s name=%q prefixes=%v unknown=%q\n", k, s.Name, s.Prefixes, s.Unknown)
	}
	for _, k := range slices.Sorted(maps.Keys(e.VPCs)) {
		fmt.Fprintf(&b, "vpc %s cidrs=%v\n", k, e.VPCs[k].CIDRs)
	}
	for _, k := range slices.Sorted(maps.Keys(e.Subnets)) {
		s := e.Subnets[k]
		fmt.Fprintf(&b, "subnet %s vpc=%s cidrs=%v\n", k, s.VPC, s.CIDRs)
	}
	var lbs []string
	for _, lb := range e.LoadBalancers {
		lbs = append(lbs, fmt.Sprintf("lb %s type=%s scheme=%s vpc=%s groups=%q cluster=%s\n", lb.Name, lb.Type, lb.Scheme, lb.VPC, lb.Groups, lb.Cluster))
	}
	slices.Sort(lbs)
	b.WriteString(strings.Join(lbs, ""))
	clusters := slices.Clone(e.Clusters)
	slices.SortFunc(clusters, func(a, b *model.Cluster) int { return strings.Compare(a.Name, b.Name) })
	for _, c := range clusters {
		fmt.Fprintf(&b, "cluster %s platform=%s vpc=%s group=%s ipv6=%v legacy=%v networks=%v endpoint=%v/%v/%v\n",
			c.Name, c.Platform, c.VPC, c.ClusterGroup, c.IPv6, c.Legacy, c.Networks, c.Endpoint.Public, c.Endpoint.Private, c.Endpoint.PublicCIDRs)
		var members []string
		for _, m := range c.Members {
			members = append(members, fmt.Sprintf("  member %s kind=%s groups=%q groups-unknown=%q addrs=%v exact=%v\n",
				m.Qualified(), m.Kind, m.Groups, m.GroupsUnknown, m.Addrs, m.AddrsExact))
		}
		slices.Sort(members)
		b.WriteString(strings.Join(members, ""))
		for _, a := range c.AddOns {
			fmt.Fprintf(&b, "  add-on %s %s %s\n", a.Name, a.Version, a.Source)
		}
	}
	return b.String()
}

// diffLines lists the lines only one side has.
func diffLines(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	var out []string
	for _, l := range al {
		if !slices.Contains(bl, l) {
			out = append(out, "- "+l)
		}
	}
	for _, l := range bl {
		if !slices.Contains(al, l) {
			out = append(out, "+ "+l)
		}
	}
	return strings.Join(out, "\n")
}
