// Package assemble completes the estate that the readers produced, before
// any analysis: it applies the user's --role overrides, gives the groups
// that a platform creates implicitly their documented default rules, makes
// the public API endpoint a member of the control plane, and bounds the
// addresses of members whose interfaces the input does not list.
package assemble

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/clusterwall/clusterwall/internal/knowledge"
	"github.com/clusterwall/clusterwall/internal/model"
	"github.com/clusterwall/clusterwall/internal/netset"
	"github.com/clusterwall/clusterwall/internal/srcpos"
)

// RoleOverride is one --role [CLUSTER:]ROLE=GROUP.
type RoleOverride struct {
	Cluster string
	Role    string // may be "nodes/<name>"
	Group   string
}

// ParseRole reads "[CLUSTER:]ROLE=GROUP".
func ParseRole(s string) (RoleOverride, error) {
	lhs, group, ok := strings.Cut(s, "=")
	if !ok || lhs == "" || group == "" {
		return RoleOverride{}, fmt.Errorf("--role %q: expected ROLE=GROUP, such as nodes=sg-0123456789abcdef0", s)
	}
	o := RoleOverride{Role: lhs, Group: group}
	if c, r, ok := strings.Cut(lhs, ":"); ok {
		o.Cluster, o.Role = c, r
	}
	switch base, _, _ := strings.Cut(o.Role, "/"); base {
	case model.RoleInternet, model.RoleVPC:
		return RoleOverride{}, fmt.Errorf("--role %q: %s is an address range, not a role groups can play", s, base)
	}
	return o, nil
}

// Options are the user's say over the estate.
type Options struct {
	Roles    []RoleOverride
	AddOns   []model.AddOn  // from --addons, added to every cluster
	Platform model.Platform // forced platform, or ""
}

// Apply completes the estate in place.
func Apply(e *model.Estate, cat *knowledge.Catalog, opts Options) error {
	roleTags(e, opts.Platform)
	if len(e.Clusters) == 0 && len(opts.Roles) > 0 {
		e.Clusters = append(e.Clusters, &model.Cluster{Name: "default", Platform: platformOf(e, opts.Platform)})
	}
	for _, c := range e.Clusters {
		if opts.Platform != "" {
			c.Platform = opts.Platform
		}
		if len(c.Networks.VPC) == 0 {
			if v := e.VPCs[c.VPC]; v != nil {
				c.Networks.VPC = v.CIDRs
			}
		}
	}
	if err := applyRoles(e, opts.Roles); err != nil {
		return err
	}
	for _, c := range e.Clusters {
		if c.Platform == model.EKS {
			clusterGroupDefaults(e, c, cat)
			publicEndpoint(e, c, cat)
		}
		privateEndpoints(e, c)
		if c.Platform == model.TKE {
			endpointListeners(e, c)
		}
		for _, a := range opts.AddOns {
			if !slices.ContainsFunc(c.AddOns, func(b model.AddOn) bool { return b.Name == a.Name }) {
				c.AddOns = append(c.AddOns, a)
			}
		}
		for _, m := range c.Members {
			if len(m.Addrs) == 0 && !m.IsAPIEndpoint() {
				m.Addrs = c.Networks.Subnets
				if len(m.Addrs) == 0 {
					m.Addrs = c.Networks.VPC
				}
				if len(m.Addrs) == 0 && ipv4Only(c, m) {
					m.Addrs = []netip.Prefix{netset.AllIPv4}
				}
			}
		}
	}
	return nil
}

// Tags by which a group declares its role in any input (clusterwall
// generate writes them; users may too): "clusterwall:role" holds one or
// more roles, comma-separated, and "clusterwall:cluster" the cluster.
const (
	TagRole    = "clusterwall:role"
	TagCluster = "clusterwall:cluster"
	// TagVPCCIDRs and TagPodCIDRs give the cluster's networks (CIDRs
	// separated by spaces) where the input does not declare its VPC.
	TagVPCCIDRs = "clusterwall:vpc-cidrs"
	TagPodCIDRs = "clusterwall:pod-cidrs"
)

// roleTags makes a member of every group tagged with a role, unless a
// member of that role already has the group. The cluster is the one the
// tag names (made when the input has none of that name), or the input's
// only cluster.
func roleTags(e *model.Estate, forced model.Platform) {
	for _, g := range e.SortedGroups() {
		roles := g.Tags[TagRole]
		if roles == "" {
			continue
		}
		name := g.Tags[TagCluster]
		var c *model.Cluster
		switch {
		case name != "":
			c = e.Cluster(name)
		case len(e.Clusters) == 1:
			c = e.Clusters[0]
		default:
			name = "default"
			c = e.Cluster(name)
		}
		if c == nil {
			// Nothing says how its API endpoint is reached: no Origin, so no
			// endpoint member is made up for it.
			c = &model.Cluster{Name: name, Platform: platformOf(e, forced), VPC: g.VPC}
			e.Clusters = append(e.Clusters, c)
		}
		if len(c.Networks.VPC) == 0 {
			c.Networks.VPC = prefixes(g.Tags[TagVPCCIDRs])
		}
		if len(c.Networks.Pods) == 0 {
			c.Networks.Pods = prefixes(g.Tags[TagPodCIDRs])
		}
		for _, role := range strings.Split(roles, ",") {
			role = strings.TrimSpace(role)
			if role == "" || slices.ContainsFunc(c.MembersOf(role), func(m *model.Member) bool { return slices.Contains(m.Groups, g.ID) }) {
				continue
			}
			m := &model.Member{Role: role, Kind: "tagged", Groups: []string{g.ID}, Origin: g.Origin}
			if role != model.RoleControlPlane {
				m.Name = g.Name
				if m.Name == "" {
					m.Name = g.ID
				}
			}
			c.Members = append(c.Members, m)
		}
	}
}

// prefixes reads CIDRs separated by commas or spaces (AWS tag values
// allow no commas), skipping what does not parse.
func prefixes(s string) []netip.Prefix {
	var out []netip.Prefix
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		if p, err := netip.ParsePrefix(strings.TrimSpace(f)); err == nil {
			out = append(out, p.Masked())
		}
	}
	return out
}

func platformOf(e *model.Estate, forced model.Platform) model.Platform {
	if forced != "" {
		return forced
	}
	for _, g := range e.Groups {
		if g.Provider == model.Tencent {
			return model.TKE
		}
	}
	return model.EKS
}

func applyRoles(e *model.Estate, overrides []RoleOverride) error {
	type key struct {
		cluster *model.Cluster
		role    string
	}
	replaced := map[key][]*model.Member{}
	var order []key
	for _, o := range overrides {
		ids := e.FindGroups(o.Group)
		switch {
		case len(ids) == 0:
			return fmt.Errorf("--role %s=%s: no security group %q in the input", o.Role, o.Group, o.Group)
		case len(ids) > 1:
			return fmt.Errorf("--role %s=%s: %q names several groups (%s); use the group's id", o.Role, o.Group, o.Group, strings.Join(ids, ", "))
		}
		g := e.Groups[ids[0]]
		clusters, err := clustersFor(e, o, g)
		if err != nil {
			return err
		}
		for _, c := range clusters {
			k := key{c, o.Role}
			if _, ok := replaced[k]; !ok {
				order = append(order, k)
			}
			replaced[k] = append(replaced[k], memberFor(c, o, g))
		}
	}
	for _, k := range order {
		base, _, one := strings.Cut(k.role, "/")
		kept := k.cluster.Members[:0]
		for _, m := range k.cluster.Members {
			if m.Role == base && (!one || m.Qualified() == k.role) {
				continue
			}
			kept = append(kept, m)
		}
		k.cluster.Members = append(kept, replaced[k]...)
	}
	return nil
}

func clustersFor(e *model.Estate, o RoleOverride, g *model.Group) ([]*model.Cluster, error) {
	if o.Cluster != "" {
		c := e.Cluster(o.Cluster)
		if c == nil {
			return nil, fmt.Errorf("--role %s:%s=%s: no cluster %q in the input", o.Cluster, o.Role, o.Group, o.Cluster)
		}
		return []*model.Cluster{c}, nil
	}
	var out []*model.Cluster
	for _, c := range e.Clusters {
		if c.VPC == "" || g.VPC == "" || c.VPC == g.VPC {
			out = append(out, c)
		}
	}
	if len(out) > 1 {
		return nil, fmt.Errorf("--role %s=%s: the input has several clusters; write --role CLUSTER:%s=%s", o.Role, o.Group, o.Role, o.Group)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("--role %s=%s: %s is in %s, where no cluster of the input is", o.Role, o.Group, g.ID, g.VPC)
	}
	return out, nil
}

// memberFor makes the member a --role names. When the group is already
// on interfaces the input knows, the member keeps their full group set
// and addresses; otherwise it is an interface with just that group.
func memberFor(c *model.Cluster, o RoleOverride, g *model.Group) *model.Member {
	base, name, _ := strings.Cut(o.Role, "/")
	if name == "" && base != model.RoleControlPlane {
		name = g.Name
		if name == "" {
			name = g.ID
		}
	}
	m := &model.Member{Role: base, Name: name, Kind: "--role", Groups: []string{g.ID}, Origin: g.Origin}
	for _, old := range c.Members {
		if slices.Contains(old.Groups, g.ID) && old.GroupsUnknown == "" {
			m.Groups, m.Addrs, m.AddrsExact, m.Interfaces = old.Groups, old.Addrs, old.AddrsExact, old.Interfaces
			break
		}
	}
	return m
}

// clusterGroupDefaults gives the EKS cluster security group, when the
// input only implies it (IaC declares the cluster, EKS makes the group),
// the rules EKS creates it with; rules the input adds to it stay.
func clusterGroupDefaults(e *model.Estate, c *model.Cluster, cat *knowledge.Catalog) {
	g := e.Groups[c.ClusterGroup]
	p := cat.Platforms[string(model.EKS)]
	if g == nil || !g.Implicit || p == nil || p.ClusterSecurityGroup == nil {
		return
	}
	def := p.ClusterSecurityGroup
	origin := c.Origin
	add := func(dir model.Direction, rules []knowledge.DefaultRule) {
		for _, d := range rules {
			svcs, _ := netset.ParseServices(d.Services)
			r := model.Rule{Direction: dir, Services: svcs, Description: "created by EKS with the cluster", Origin: origin}
			if d.Peer == "self" {
				r.Peer = model.Peer{Kind: model.PeerGroup, Group: g.ID}
			} else {
				r.Peer = model.Peer{Kind: model.PeerCIDR, Prefix: netip.MustParsePrefix(d.Peer)}
			}
			g.Rules = append(g.Rules, r)
		}
	}
	add(model.Ingress, def.Ingress)
	add(model.Egress, def.Egress)
	if c.IPv6 {
		add(model.Egress, def.EgressIPv6)
	}
}

// publicEndpoint makes the EKS public API endpoint a control-plane member
// with a group of its own: with public access on, the addresses in
// publicAccessCidrs reach it on tcp/443 whatever the security groups say.
func publicEndpoint(e *model.Estate, c *model.Cluster, cat *knowledge.Catalog) {
	if c.Endpoint.Public == model.No {
		return
	}
	if c.Endpoint.Public == model.Unset && c.Origin.IsZero() {
		return // nothing says the cluster exists beyond its groups' tags
	}
	id := c.Name + "/public-endpoint"
	loc := c.Endpoint.Origin
	if loc.IsZero() {
		loc = c.Origin
	}
	g := &model.Group{ID: id, Name: "EKS public endpoint of " + c.Name, Provider: model.AWS, Implicit: true, Origin: loc}
	switch c.Endpoint.Public {
	case model.Yes:
		// With private access on, clients inside the VPC resolve the
		// endpoint's name to the private endpoint, so they never use the
		// public one.
		peer := model.Peer{Kind: model.PeerCIDR}
		if c.Endpoint.Private == model.Yes {
			peer.Except, peer.ExceptWhy = c.Networks.VPC, "the VPC, whose clients use the private endpoint"
		}
		https := netset.Ports(netset.TCP, 443, 443)
		at := srcpos.Location{File: loc.File, Line: loc.Line, Address: loc.Address}
		everyone := false
		for _, p := range c.Endpoint.PublicCIDRs {
			peer.Prefix = p
			everyone = everyone || p.Bits() == 0
			g.Rules = append(g.Rules, model.Rule{Direction: model.Ingress, Services: https, Peer: peer, Description: "publicAccessCidrs", Origin: at})
		}
		// Without the private endpoint, clients in the VPC reach the public
		// one from their NAT gateway's public addresses, which the input
		// does not give.
		if c.Endpoint.Private != model.Yes && !everyone {
			for _, p := range c.Networks.VPC {
				g.Rules = append(g.Rules, model.Rule{Direction: model.Ingress, Services: https, Origin: at,
					Description: "VPC clients through NAT",
					Peer:        model.Peer{Kind: model.PeerCIDR, Prefix: p, Maybe: "clients in the VPC reach the public endpoint from their NAT gateways' public addresses; whether publicAccessCidrs holds them is not in the input"}})
			}
		}
	default:
		g.RulesUnknown = "the input does not say whether the public endpoint is on or which addresses may use it"
	}
	e.Groups[id] = g
	// The endpoint's addresses are public ones that the input does not
	// name: IPv4, and IPv6 too for IPv6 clusters.
	var addrs []netip.Prefix
	for _, p := range cat.Public(c.Networks.VPC).Prefixes() {
		if p.Addr().Is4() || c.IPv6 {
			addrs = append(addrs, p)
		}
	}
	c.Members = append(c.Members, &model.Member{Role: model.RoleControlPlane, Name: "public-endpoint", Kind: model.KindAPIEndpoint,
		Groups: []string{id}, Addrs: addrs, Origin: loc})
}

// privateEndpoints gives a managed API endpoint on a private address of
// the VPC without a security group (TKE's intranet endpoint) what routing
// allows: tcp/443 from the VPC, and nothing from outside it.
func privateEndpoints(e *model.Estate, c *model.Cluster) {
	for _, m := range c.Members {
		if m.Kind != model.KindPrivateAPIEndpoint || len(m.Groups) > 0 || m.GroupsUnknown != "" {
			continue
		}
		if len(c.Networks.VPC) == 0 {
			m.GroupsUnknown = "the endpoint is a private address of the cluster's VPC, whose CIDRs are not in the input"
			continue
		}
		provider := model.AWS
		if c.Platform == model.TKE {
			provider = model.Tencent
		}
		g := &model.Group{ID: c.Name + "/" + m.Name, Name: m.Name + " of " + c.Name, Provider: provider, Implicit: true, Origin: m.Origin,
			Description: "a private API endpoint: the VPC reaches it on tcp/443"}
		for _, p := range c.Networks.VPC {
			g.Rules = append(g.Rules, model.Rule{Direction: model.Ingress, Services: netset.Ports(netset.TCP, 443, 443),
				Peer: model.Peer{Kind: model.PeerCIDR, Prefix: p}, Description: "the VPC reaches the private endpoint", Origin: m.Origin})
		}
		e.Groups[g.ID] = g
		m.Groups = []string{g.ID}
	}
}

// endpointListeners makes TKE's API endpoints serve tcp/443 only. Both are
// load balancers that TKE runs in front of the API server: whatever the
// internet endpoint's security group accepts, nothing but the API port
// reaches an API server through them. A group bound before the endpoint's
// own drops every other service (Tencent matches groups in binding order),
// so the endpoint's group decides tcp/443 and nothing else.
func endpointListeners(e *model.Estate, c *model.Cluster) {
	others := netset.AllServices().Minus(netset.Ports(netset.TCP, 443, 443))
	for _, m := range c.Members {
		if m.Kind != model.KindAPIEndpoint || len(m.Groups) == 0 {
			continue
		}
		id := c.Name + "/" + m.Name + "/listener"
		if slices.Contains(m.Groups, id) {
			continue
		}
		g := &model.Group{ID: id, Name: "listener of " + m.Name + " of " + c.Name, Provider: model.Tencent, Implicit: true, Origin: m.Origin,
			Description: "TKE's API endpoint listens on tcp/443 only"}
		for _, p := range []netip.Prefix{netset.AllIPv4, netset.AllIPv6} {
			g.Rules = append(g.Rules, model.Rule{Direction: model.Ingress, Action: model.Drop, Services: others,
				Peer: model.Peer{Kind: model.PeerCIDR, Prefix: p}, Description: "the API endpoint listens on tcp/443 only", Origin: m.Origin})
		}
		e.Groups[id] = g
		m.Groups = append([]string{id}, m.Groups...)
	}
}

// ipv4Only reports whether a member whose addresses the input does not
// bound still talks over IPv4 only: the control plane, nodes and pods of
// an EKS cluster of the IPv4 family (Kubernetes gives nodes and pods one
// address family, and the cluster's flows use it). Without this, a
// configuration that names its subnets by id (the VPC declared elsewhere)
// left every address, IPv6 included, and the IPv4-only default egress of
// the cluster security group made kubelet and the API server "unknown".
func ipv4Only(c *model.Cluster, m *model.Member) bool {
	if c.Platform != model.EKS || c.IPv6 {
		return false
	}
	switch m.Role {
	case model.RoleControlPlane, model.RoleNodes, model.RolePods:
		return true
	}
	return false
}
