// Package endpoint turns what users write for the ends of a flow — a
// role, a node group, a security group, an address — into the host classes
// the engine decides over. "internet" is every public address outside the
// cluster's VPC, as the knowledge catalog defines public.
package endpoint

import (
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strings"

	"go4.org/netipx"

	"github.com/clusterwall/clusterwall/internal/knowledge"
	"github.com/clusterwall/clusterwall/internal/model"
	"github.com/clusterwall/clusterwall/internal/netset"
	"github.com/clusterwall/clusterwall/internal/reach"
)

// Resolver resolves endpoint names against one estate.
type Resolver struct {
	Estate  *model.Estate
	Catalog *knowledge.Catalog
}

// HostOf is the host class of a cluster member.
func HostOf(m *model.Member) reach.Host {
	return reach.Host{Label: m.Qualified(), Groups: m.Groups, GroupsUnknown: m.GroupsUnknown, GroupsMore: m.GroupsMore,
		Addrs: netset.SetOf(m.Addrs...), Exact: m.AddrsExact, NotPeer: m.Kind == model.KindPodNetwork}
}

// HostFor is the host class of a cluster member for the cluster's own
// traffic: only addresses of the cluster's IP family count (pods and
// Services of an IPv4 cluster use IPv4 even on dual-stack nodes; an IPv6
// cluster's use IPv6), unless the member has none of that family.
func HostFor(c *model.Cluster, m *model.Member) reach.Host {
	h := HostOf(m)
	if m.IsAPIEndpoint() {
		return h
	}
	var same []netip.Prefix
	for _, p := range m.Addrs {
		if p.Addr().Is6() == c.IPv6 {
			same = append(same, p)
		}
	}
	if len(same) > 0 && len(same) < len(m.Addrs) {
		h.Addrs = netset.SetOf(same...)
	}
	return h
}

// Members returns the members of a role in a cluster that may play the
// given side of a flow: managed API endpoints accept connections but never
// open them, and the control plane of an EKS cluster without a private
// endpoint accepts them only there. Pods without a class of their own (no
// security groups for pods) share their nodes' groups, as the VPC CNI and
// TKE's global router give them.
func Members(c *model.Cluster, role string, side Side) []*model.Member {
	var ms []*model.Member
	for _, m := range c.MembersOf(role) {
		if side == From && m.IsAPIEndpoint() {
			continue
		}
		if side == To && m.Role == model.RoleControlPlane && publicOnly(c) && !m.IsAPIEndpoint() {
			continue
		}
		ms = append(ms, m)
	}
	if len(ms) > 0 || role != model.RolePods {
		return ms
	}
	for _, n := range c.MembersOf(model.RoleNodes) {
		p := *n
		p.Role, p.Name = model.RolePods, "on-"+n.Qualified()
		if len(c.Networks.Pods) > 0 {
			p.Kind, p.Addrs, p.AddrsExact = model.KindPodNetwork, c.Networks.Pods, false
		}
		ms = append(ms, &p)
	}
	return ms
}

// Side says which end of a flow an endpoint is.
type Side uint8

const (
	From Side = iota
	To
)

// VPCs returns the cluster's VPC CIDRs, or every VPC's when there is no
// cluster.
func (r *Resolver) VPCs(c *model.Cluster) []netip.Prefix {
	if c != nil {
		return c.Networks.VPC
	}
	var out []netip.Prefix
	for _, v := range r.Estate.VPCs {
		out = append(out, v.CIDRs...)
	}
	slices.SortFunc(out, func(a, b netip.Prefix) int { return a.Addr().Compare(b.Addr()) })
	return out
}

// Internet is every public address outside the cluster's VPC.
func (r *Resolver) Internet(c *model.Cluster) reach.Host {
	return reach.Host{Label: model.RoleInternet, Addrs: r.Catalog.Public(r.VPCs(c)), Exact: true}
}

// Resolve resolves one endpoint name for one side of a flow. c may be nil
// when the input has no cluster; roles then cannot be resolved.
func (r *Resolver) Resolve(c *model.Cluster, name string, side Side, q reach.Quantifier) (reach.Endpoint, error) {
	ep := reach.Endpoint{Name: name, Q: q}
	base, _, _ := strings.Cut(name, "/")
	switch {
	case name == model.RoleInternet:
		ep.Hosts = []reach.Host{r.Internet(c)}
		return ep, nil
	case name == model.RoleVPC:
		vpc := r.VPCs(c)
		if len(vpc) == 0 {
			return ep, fmt.Errorf("endpoint vpc: the input does not give the VPC's CIDRs (add describe-vpcs output or the aws_vpc resource)")
		}
		ep.Hosts = []reach.Host{{Label: model.RoleVPC, Addrs: netset.SetOf(vpc...), Exact: true}}
		return ep, nil
	case c != nil && (isRole(base) || len(c.MembersOf(base)) > 0):
		for _, m := range Members(c, name, side) {
			ep.Hosts = append(ep.Hosts, HostOf(m))
		}
		if len(ep.Hosts) == 0 {
			if others := Members(c, base, side); base != name && len(others) > 0 {
				names := make([]string, len(others))
				for i, m := range others {
					names[i] = m.Qualified()
				}
				return ep, fmt.Errorf("endpoint %s: cluster %s has no %s in the input; its %s are %s (the input may not tell node groups with the same security groups apart), or name the group with --role %s=GROUP",
					name, c.Name, name, base, strings.Join(names, ", "), name)
			}
			return ep, fmt.Errorf("endpoint %s: cluster %s has no %s in the input; name its group with --role %s=GROUP", name, c.Name, name, name)
		}
		return ep, nil
	}
	if set, ok := parseAddrs(name); ok {
		ep.Hosts = []reach.Host{{Label: name, Addrs: set, Exact: true}}
		return ep, nil
	}
	ids := r.Estate.FindGroups(name)
	switch {
	case len(ids) == 1:
		ep.Hosts = []reach.Host{r.groupHost(ids[0])}
		return ep, nil
	case len(ids) > 1:
		return ep, fmt.Errorf("endpoint %s names several security groups (%s): use one's id", name, strings.Join(ids, ", "))
	case isRole(base):
		return ep, fmt.Errorf("endpoint %s: the input has no cluster to take roles from; name the groups with --role %s=GROUP", name, base)
	case groupID.MatchString(name):
		return ep, fmt.Errorf("endpoint %s: no security group %s in the input (add `aws ec2 describe-security-groups --group-ids %s` output, or the file that declares it)", name, name, name)
	}
	return ep, fmt.Errorf("endpoint %q: expected a role (control-plane, nodes, nodes/NAME, load-balancer, pods, vpc, internet), a security group (id, name or resource address), or an address or CIDR", name)
}

// groupID is how AWS and Tencent Cloud write security group ids.
var groupID = regexp.MustCompile(`^sg-[0-9a-z]{8,17}$`)

func isRole(s string) bool {
	switch s {
	case model.RoleControlPlane, model.RoleNodes, model.RoleLoadBalancer, model.RolePods, model.RoleMonitoring, model.RoleBastion:
		return true
	}
	return false
}

func parseAddrs(s string) (*netipx.IPSet, bool) {
	if p, err := netip.ParsePrefix(s); err == nil {
		return netset.SetOf(p), true
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return netset.SetOf(netip.PrefixFrom(a, a.BitLen())), true
	}
	return nil, false
}

// groupHost is "a network interface that has exactly this group": the
// interfaces of the input that have only it, or else some address of the
// group's VPC.
func (r *Resolver) groupHost(id string) reach.Host {
	h := reach.Host{Label: id, Groups: []string{id}}
	var exact []netip.Prefix
	for _, n := range r.Estate.Interfaces {
		if len(n.Groups) == 1 && n.Groups[0] == id {
			for _, a := range n.Addrs {
				exact = append(exact, netip.PrefixFrom(a, a.BitLen()))
			}
		}
	}
	if len(exact) > 0 {
		h.Addrs, h.Exact = netset.SetOf(exact...), true
		return h
	}
	if g := r.Estate.Groups[id]; g != nil {
		if v := r.Estate.VPCs[g.VPC]; v != nil {
			h.Addrs = netset.SetOf(v.CIDRs...)
			return h
		}
	}
	h.Addrs = netset.AllAddrs()
	return h
}

// publicOnly reports an EKS cluster whose API server has no private
// endpoint: "Kubernetes API requests that originate from within your
// cluster's VPC (such as node to control plane communication) leave the
// VPC" (cluster-endpoint), so what reaches the API server is what reaches
// the public endpoint; the control plane's interfaces only call out.
func publicOnly(c *model.Cluster) bool {
	return c.Platform == model.EKS && c.Endpoint.Private == model.No && c.Endpoint.Public == model.Yes
}
