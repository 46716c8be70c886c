package tencent

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/netip"
	"net/url"
	"slices"
	"strings"

	"github.com/clusterwall/clusterwall/internal/model"
	"github.com/clusterwall/clusterwall/internal/netset"
	"github.com/clusterwall/clusterwall/internal/source/input"
	"github.com/clusterwall/clusterwall/internal/srcpos"
)

// What TKE names and says, as Tencent documents it.
const (
	// defaultWorkerGroupPrefix is the name TKE gives the worker group it
	// creates for a cluster: tke-worker-security-for-<clusterId> (Pod
	// security group guide; reference §6.2).
	defaultWorkerGroupPrefix = "tke-worker-security-for-"
	independentCluster       = "INDEPENDENT_CLUSTER"
	networkVPCCNI            = "VPC-CNI"
	// apiPort is where the API server endpoints listen (https, 443).
	apiPort = 443
)

type clusterDoc struct {
	c   *cluster
	loc srcpos.Location
}

// nodeDoc is one element of DescribeClusterInstances.
type nodeDoc struct {
	in  *instance
	loc srcpos.Location
}

type poolDoc struct {
	p   *nodePool
	loc srcpos.Location
}

type endpointDoc struct {
	e   *endpoints
	loc srcpos.Location
}

func (r *reader) build() (*model.Estate, error) {
	e := model.NewEstate()
	for _, p := range r.pending {
		rule := &r.groups[p.group].Rules[p.index]
		if svcs, why := r.services(p.svcID); why != "" {
			rule.Services, rule.PortsUnknown = netset.AllServices(), why
		} else {
			rule.Services = svcs
		}
	}
	var setIDs []string
	for id := range r.addrTemplates {
		setIDs = append(setIDs, id)
	}
	for id := range r.addrGroups {
		setIDs = append(setIDs, id)
	}
	for _, ref := range r.addrRefs {
		setIDs = append(setIDs, ref.id)
	}
	slices.Sort(setIDs)
	for _, id := range slices.Compact(setIDs) {
		e.AddressSets[id] = r.addressSet(id)
	}
	for id, v := range r.vpcs {
		e.VPCs[id] = v
	}
	for id, s := range r.subnets {
		e.Subnets[id] = s
	}
	for _, id := range r.cvmOrder {
		e.Interfaces = append(e.Interfaces, r.iface(r.cvms[id]))
	}
	clusters, err := r.buildClusters()
	if err != nil {
		return nil, err
	}
	e.Clusters = clusters
	for _, id := range r.groupOrder {
		g := r.groups[id]
		if _, ok := r.ruled[id]; !ok && !g.Implicit {
			if r.described[id] {
				g.RulesUnknown = fmt.Sprintf("the policies of the group are not in the input (add `tccli vpc DescribeSecurityGroupPolicies --SecurityGroupId %s > %s.json` output)", id, id)
			} else {
				g.RulesUnknown = fmt.Sprintf("the group is named in the input but not described (add `tccli vpc DescribeSecurityGroups` and `tccli vpc DescribeSecurityGroupPolicies --SecurityGroupId %s > %s.json` output)", id, id)
			}
		}
		e.Groups[id] = g
	}
	e.Notes = r.notes
	return e, nil
}

// iface is a CVM instance as an interface: its groups in binding order.
func (r *reader) iface(c *cvmDoc) *model.Interface {
	n := &model.Interface{ID: c.in.InstanceID, Description: c.in.InstanceName, Type: "cvm", Instance: c.in.InstanceID,
		Groups: slices.Clone(c.in.SecurityGroupIDs), Addrs: c.addrs, Tags: tagMap(c.in.Tags), Origin: c.loc}
	if v := c.in.VirtualPrivateCloud; v != nil {
		n.VPC, n.Subnet = v.VpcID, v.SubnetID
	}
	for _, g := range n.Groups {
		r.group(g, c.loc)
	}
	return n
}

// clusterIDOf finds the cluster an answer that does not name it belongs
// to: the cls-… id in the file's name, else the only cluster of the input.
func (r *reader) clusterIDOf(loc srcpos.Location, what, example string) (string, error) {
	switch ids := groupIDsIn(loc.File, "cls-"); len(ids) {
	case 1:
		return ids[0], nil
	case 0:
	default:
		return "", srcpos.Errorf(loc, "the file name holds several cluster ids (%s): name the file after the one cluster whose %s it holds", strings.Join(ids, ", "), what)
	}
	if len(r.clusters) == 1 {
		return r.clusters[0].c.ClusterID, nil
	}
	return "", srcpos.Errorf(loc, "%s does not name its cluster and the input has %d clusters: name the file after the cluster, such as %s", what, len(r.clusters), example)
}

func (r *reader) buildClusters() ([]*model.Cluster, error) {
	var ids []string
	add := func(id string) {
		if id != "" && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	for _, d := range r.clusters {
		add(d.c.ClusterID)
	}
	nodes := map[string][]*nodeDoc{}
	for _, n := range r.nodes {
		id := ""
		if p := r.pools[n.in.NodePoolID]; p != nil && p.p.ClusterInstanceID != "" && len(groupIDsIn(n.loc.File, "cls-")) == 0 {
			id = p.p.ClusterInstanceID
		} else {
			var err error
			if id, err = r.clusterIDOf(n.loc, "DescribeClusterInstances output", "cls-xxxxxxxx-instances.json"); err != nil {
				return nil, err
			}
		}
		nodes[id] = append(nodes[id], n)
		add(id)
	}
	pools := map[string][]*poolDoc{}
	for _, pid := range r.poolOrder {
		p := r.pools[pid]
		id := p.p.ClusterInstanceID
		if id == "" {
			var err error
			if id, err = r.clusterIDOf(p.loc, "DescribeClusterNodePools output", "cls-xxxxxxxx-node-pools.json"); err != nil {
				return nil, err
			}
		}
		pools[id] = append(pools[id], p)
		add(id)
	}
	eps := map[string]*endpointDoc{}
	for _, ep := range r.endpoints {
		id := clusterInDomain(ep.e.ClusterDomain, ep.e.ClusterExternalDomain, ep.e.ClusterIntranetDomain, ep.e.Domain)
		if id == "" {
			var err error
			if id, err = r.clusterIDOf(ep.loc, "DescribeClusterEndpoints output", "cls-xxxxxxxx-endpoints.json"); err != nil {
				return nil, err
			}
		}
		if _, ok := eps[id]; !ok {
			eps[id] = ep
		}
		add(id)
	}
	var out []*model.Cluster
	names := map[string]int{}
	for _, id := range ids {
		c := r.cluster(id, nodes[id], pools[id], eps[id])
		names[c.Name]++
		out = append(out, c)
	}
	for i, c := range out {
		if names[c.Name] > 1 {
			c.Name = ids[i] // two clusters of one name: their ids tell them apart
		}
	}
	return out, nil
}

// clusterInDomain reads the cluster id out of an endpoint's domain,
// "cls-xxxxxxxx.ccs.tencent-cloud.com".
func clusterInDomain(domains ...string) string {
	for _, d := range domains {
		if id, _, ok := strings.Cut(d, "."); ok && len(groupIDsIn(id, "cls-")) == 1 && len(id) == len("cls-")+8 {
			return id
		}
	}
	return ""
}

func (r *reader) clusterDoc(id string) *clusterDoc {
	for _, d := range r.clusters {
		if d.c.ClusterID == id {
			return d
		}
	}
	return nil
}

func (r *reader) cluster(id string, nodes []*nodeDoc, pools []*poolDoc, ep *endpointDoc) *model.Cluster {
	c := &model.Cluster{Name: id, Platform: model.TKE}
	label := id
	if doc := r.clusterDoc(id); doc != nil {
		d := doc.c
		c.Name, c.Origin, c.VPC = cmp.Or(d.ClusterName, id), doc.loc, d.ClusterNetworkSettings.VpcID
		if c.Name != id {
			label = c.Name + " (" + id + ")"
		}
		c.Independent = d.ClusterType == independentCluster
		var prop clusterProperty
		if d.Property != "" {
			if err := json.Unmarshal([]byte(d.Property), &prop); err != nil {
				r.note("cluster %s: its Property is not the JSON TKE writes there (%v), so its network mode is unknown", label, err)
			}
		}
		c.NetworkMode = prop.NetworkType
		r.networks(c, d, prop, label)
	} else {
		r.note("cluster %s: no `tccli tke DescribeClusters` output, so its type, networks and VPC are unknown", label)
		switch {
		case len(nodes) > 0:
			c.Origin = nodes[0].loc
		case len(pools) > 0:
			c.Origin = pools[0].loc
		case ep != nil:
			c.Origin = ep.loc
		}
	}
	if v := r.vpcs[c.VPC]; v != nil {
		c.Networks.VPC = v.CIDRs
	} else if c.VPC != "" {
		r.note("cluster %s: the CIDRs of %s are not in the input (add `tccli vpc DescribeVpcs` output); the vpc role and what counts as internet are less precise", label, c.VPC)
	}
	workers, masters := r.instanceMembers(nodes)
	if len(workers) == 0 {
		workers = r.poolMembers(pools)
	}
	if len(workers) == 0 {
		workers = r.defaultWorkers(id, label)
	}
	if c.Independent && len(masters) == 0 {
		r.note("cluster %s is independent, but the input does not say which security groups its masters have (add `tccli tke DescribeClusterInstances --ClusterId %s --InstanceRole ALL` and `tccli cvm DescribeInstances` output, or pass --role control-plane=sg-xxxxxxxx)", label, id)
	}
	c.Members = append(c.Members, masters...)
	c.Members = append(c.Members, r.endpointMembers(c, id, label, ep)...)
	c.Members = append(c.Members, workers...)
	return c
}

// networks fills the cluster's address ranges from DescribeClusters: the
// container network is ClusterCIDR in global-router (GR) mode and the ENI
// subnets in VPC-CNI mode (both when a GR cluster has VPC-CNI on).
func (r *reader) networks(c *model.Cluster, d *cluster, prop clusterProperty, label string) {
	ns := d.ClusterNetworkSettings
	for _, s := range []string{ns.ServiceCIDR, ns.Ipv6ServiceCIDR} {
		if p, err := netip.ParsePrefix(strings.TrimSpace(s)); err == nil {
			c.Networks.Services = append(c.Networks.Services, p.Masked())
		}
	}
	if prop.NetworkType != networkVPCCNI {
		if p, err := netip.ParsePrefix(strings.TrimSpace(ns.ClusterCIDR)); err == nil {
			c.Networks.Pods = append(c.Networks.Pods, p.Masked())
		} else if ns.ClusterCIDR != "" {
			r.note("cluster %s: ClusterCIDR %q is not a CIDR block, so the container network is unknown", label, ns.ClusterCIDR)
		}
	}
	if prop.NetworkType == networkVPCCNI || prop.VpcCniType != "" {
		var missing []string
		for _, id := range ns.Subnets {
			if s := r.subnets[id]; s != nil {
				c.Networks.Pods = append(c.Networks.Pods, s.CIDRs...)
			} else {
				missing = append(missing, id)
			}
		}
		if len(missing) > 0 {
			r.note("cluster %s: the pods' ENI subnets %s are not in the input (add `tccli vpc DescribeSubnets` output), so the container network is %s", label,
				strings.Join(missing, ", "), map[bool]string{true: "only partly known", false: "unknown"}[len(c.Networks.Pods) > 0])
		}
	}
}

// instanceGroups returns the groups an instance is bound to, in binding
// order, or why they are not known: the CVM's own SecurityGroupIds, else
// its node pool's launch configuration.
func (r *reader) instanceGroups(in *instance) ([]string, string) {
	if cvm := r.cvms[in.InstanceID]; cvm != nil {
		if len(cvm.in.SecurityGroupIDs) == 0 {
			return nil, fmt.Sprintf("instance %s is bound to no security group", in.InstanceID)
		}
		return cvm.in.SecurityGroupIDs, ""
	}
	if p := r.pools[in.NodePoolID]; p != nil {
		if lc := r.lcs[p.p.LaunchConfigurationID]; lc != nil && len(lc.SecurityGroupIDs) > 0 {
			return lc.SecurityGroupIDs, ""
		}
	}
	return nil, fmt.Sprintf("the security groups of instance %s are not in the input (add `tccli cvm DescribeInstances --InstanceIds '[\"%s\"]'` output)", in.InstanceID, in.InstanceID)
}

// instanceMembers makes the members of the instances DescribeClusterInstances
// lists: one per role, name and ordered group set, with exact addresses.
func (r *reader) instanceMembers(nodes []*nodeDoc) (workers, masters []*model.Member) {
	index := map[string]*model.Member{}
	for _, n := range nodes {
		groups, why := r.instanceGroups(n.in)
		for _, g := range groups {
			r.group(g, n.loc)
		}
		var addrs []netip.Prefix
		if cvm := r.cvms[n.in.InstanceID]; cvm != nil {
			for _, a := range cvm.addrs {
				addrs = append(addrs, netip.PrefixFrom(a, a.BitLen()))
			}
		}
		if a, err := netip.ParseAddr(strings.TrimSpace(n.in.LanIP)); err == nil && !slices.Contains(addrs, netip.PrefixFrom(a, a.BitLen())) {
			addrs = append(addrs, netip.PrefixFrom(a, a.BitLen()))
		}
		role := strings.ToUpper(n.in.InstanceRole)
		var roles []string
		switch role {
		case "", "WORKER":
			roles = []string{model.RoleNodes}
		case "MASTER", "ETCD", "MASTER_ETCD":
			roles = []string{model.RoleControlPlane}
		case "ALL":
			roles = []string{model.RoleControlPlane, model.RoleNodes}
		default:
			r.note("instance %s has the role %q, which clusterwall does not know; it is left out", n.in.InstanceID, n.in.InstanceRole)
		}
		for _, role := range roles {
			name, kind := "masters", "master"
			if role == model.RoleNodes {
				name, kind = r.groupSetName(groups), "node"
				if p := r.pools[n.in.NodePoolID]; p != nil {
					name, kind = cmp.Or(p.p.Name, p.p.NodePoolID), "node-pool"
				} else if n.in.NodePoolID != "" {
					name, kind = n.in.NodePoolID, "node-pool"
				}
			}
			key := role + "|" + name + "|" + strings.Join(groups, ",") + "|" + why
			m := index[key]
			if m == nil {
				m = &model.Member{Role: role, Name: name, Kind: kind, Groups: groups, GroupsUnknown: why, AddrsExact: true, Origin: n.loc}
				index[key] = m
				if role == model.RoleNodes {
					workers = append(workers, m)
				} else {
					masters = append(masters, m)
				}
			}
			m.Interfaces++
			m.Addrs = append(m.Addrs, addrs...)
		}
	}
	for _, ms := range [][]*model.Member{workers, masters} {
		input.Disambiguate(ms)
		for _, m := range ms {
			if len(m.Addrs) == 0 {
				m.AddrsExact = false // the input gives no address: assemble bounds it by the VPC
			}
		}
	}
	return workers, masters
}

// groupSetName names a set of groups by their names.
func (r *reader) groupSetName(groups []string) string {
	if len(groups) == 0 {
		return "unknown-groups"
	}
	names := make([]string, len(groups))
	for i, id := range groups {
		names[i] = id
		if g := r.groups[id]; g != nil && g.Name != "" {
			names[i] = g.Name
		}
	}
	return strings.Join(names, "+")
}

// poolMembers makes a member of each node pool when the input lists no
// instances: the groups of its launch configuration, addresses unknown.
func (r *reader) poolMembers(pools []*poolDoc) []*model.Member {
	var out []*model.Member
	for _, p := range pools {
		m := &model.Member{Role: model.RoleNodes, Name: cmp.Or(p.p.Name, p.p.NodePoolID), Kind: "node-pool", Origin: p.loc}
		switch lc := r.lcs[p.p.LaunchConfigurationID]; {
		case lc != nil && len(lc.SecurityGroupIDs) > 0:
			m.Groups = lc.SecurityGroupIDs
			for _, g := range m.Groups {
				r.group(g, p.loc)
			}
		case p.p.LaunchConfigurationID == "":
			m.GroupsUnknown = fmt.Sprintf("node pool %s names no launch configuration, so its nodes' security groups are not in the input (add `tccli tke DescribeClusterInstances` and `tccli cvm DescribeInstances` output)", p.p.NodePoolID)
		default:
			m.GroupsUnknown = fmt.Sprintf("node pool %s uses launch configuration %s, whose security groups are not in the input (add `tccli as DescribeLaunchConfigurations --LaunchConfigurationIds '[\"%s\"]'` output)",
				p.p.NodePoolID, p.p.LaunchConfigurationID, p.p.LaunchConfigurationID)
		}
		out = append(out, m)
	}
	input.Disambiguate(out)
	return out
}

// defaultWorkers is the last resort when nothing in the input says which
// groups the nodes have: the group TKE creates for them by name.
func (r *reader) defaultWorkers(id, label string) []*model.Member {
	name := defaultWorkerGroupPrefix + id
	for _, gid := range r.groupOrder {
		g := r.groups[gid]
		if g.Name != name {
			continue
		}
		r.note("cluster %s: the input does not say which security groups the nodes have, so they are taken to have TKE's default worker group %s (%s) (add `tccli tke DescribeClusterInstances --ClusterId %s` and `tccli cvm DescribeInstances` output, or pass --role nodes=GROUP)",
			label, gid, name, id)
		return []*model.Member{{Role: model.RoleNodes, Name: name, Kind: "default-worker-group", Groups: []string{gid}, Origin: g.Origin}}
	}
	r.note("cluster %s: the input does not say which security groups the nodes have (add `tccli tke DescribeClusterInstances --ClusterId %s` and `tccli cvm DescribeInstances` output, or pass --role nodes=sg-xxxxxxxx)", label, id)
	return nil
}

// endpointMembers makes the API server endpoints that DescribeClusterEndpoints
// shows control-plane members. Both are load balancers that TKE runs, so
// they are public-endpoint members: they accept connections but never
// open them. The internet endpoint is reachable as its security group (or,
// on older clusters, its access list) allows; the intranet endpoint is a
// private address of the VPC serving tcp/443, which TKE reports no
// security group for.
func (r *reader) endpointMembers(c *model.Cluster, id, label string, ep *endpointDoc) []*model.Member {
	if ep == nil {
		if !c.Independent {
			r.note("cluster %s: no `tccli tke DescribeClusterEndpoints --ClusterId %s` output, so its API endpoints are not part of the control plane", label, id)
		}
		return nil
	}
	c.Endpoint.Origin = ep.loc
	var out []*model.Member
	https := netset.Ports(netset.TCP, apiPort, apiPort)
	if ext := ep.e.ClusterExternalEndpoint; ext != nil {
		c.Endpoint.Public = model.TriOf(strings.TrimSpace(*ext) != "")
		acl := append(slices.Clone(ep.e.ClusterExternalACL), ep.e.SecurityPolicy...)
		for _, s := range acl {
			if p, err := parsePrefix(s, ep.loc); err == nil {
				c.Endpoint.PublicCIDRs = append(c.Endpoint.PublicCIDRs, p)
			}
		}
		if c.Endpoint.Public == model.Yes {
			m := &model.Member{Role: model.RoleControlPlane, Name: "internet-endpoint", Kind: model.KindAPIEndpoint, Origin: ep.loc}
			if a, ok := hostAddr(*ext); ok {
				m.Addrs, m.AddrsExact, m.Interfaces = []netip.Prefix{netip.PrefixFrom(a, a.BitLen())}, true, 1
			} else {
				// A domain name: a public IPv4 address that the input does
				// not give.
				m.Addrs = []netip.Prefix{netset.AllIPv4}
			}
			switch sg := strings.TrimSpace(ep.e.SecurityGroup); {
			case sg != "":
				// CONTRACT: the internet endpoint is reachable as its
				// security group allows.
				r.group(sg, ep.loc)
				m.Groups = []string{sg}
			case len(c.Endpoint.PublicCIDRs) > 0:
				// Older managed clusters guard the endpoint with an access
				// list instead: it admits those sources on tcp/443.
				acl := &model.Group{ID: id + "/internet-endpoint", Name: "internet endpoint access list of " + label, Provider: model.Tencent, Implicit: true,
					Origin: ep.loc, Description: "the addresses TKE's internet endpoint admits (ClusterExternalACL)"}
				for _, p := range c.Endpoint.PublicCIDRs {
					acl.Rules = append(acl.Rules, model.Rule{Direction: model.Ingress, Action: model.Accept, Services: https,
						Peer: model.Peer{Kind: model.PeerCIDR, Prefix: p}, Description: "internet access list", Origin: ep.loc})
				}
				r.addImplicit(acl)
				m.Groups = []string{acl.ID}
			default:
				m.GroupsUnknown = "the internet endpoint is on, but the input names neither its security group nor its access list (DescribeClusterEndpoints gave no SecurityGroup or ClusterExternalACL)"
			}
			out = append(out, m)
		}
	}
	intranet := cmp.Or(strings.TrimSpace(ep.e.ClusterIntranetEndpoint), strings.TrimSpace(ep.e.PgwEndpoint))
	c.Endpoint.Private = model.TriOf(intranet != "")
	if intranet != "" {
		// A private address of the VPC without a security group of its
		// own: assemble gives it what routing allows.
		m := &model.Member{Role: model.RoleControlPlane, Name: "intranet-endpoint", Kind: model.KindPrivateAPIEndpoint, Origin: ep.loc}
		if a, ok := hostAddr(intranet); ok {
			m.Addrs, m.AddrsExact, m.Interfaces = []netip.Prefix{netip.PrefixFrom(a, a.BitLen())}, true, 1
		} else if s := r.subnets[ep.e.ClusterIntranetSubnetID]; s != nil {
			m.Addrs = s.CIDRs
		} else {
			m.Addrs = c.Networks.VPC
		}
		out = append(out, m)
	}
	return out
}

func (r *reader) addImplicit(g *model.Group) {
	if _, ok := r.groups[g.ID]; !ok {
		r.groupOrder = append(r.groupOrder, g.ID)
	}
	r.groups[g.ID] = g
}

// hostAddr reads an endpoint given as "10.0.0.10", "https://10.0.0.10" or
// "10.0.0.10:443".
func hostAddr(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	if a, err := netip.ParseAddr(s); err == nil {
		return a, true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr(), true
	}
	if u, err := url.Parse(s); err == nil && u.Host != "" {
		if a, err := netip.ParseAddr(u.Hostname()); err == nil {
			return a, true
		}
	}
	return netip.Addr{}, false
}
