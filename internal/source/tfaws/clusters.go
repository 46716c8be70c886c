package tfaws

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/zclconf/go-cty/cty"

	"github.com/clusterwall/clusterwall/internal/model"
	"github.com/clusterwall/clusterwall/internal/netset"
	"github.com/clusterwall/clusterwall/internal/source/tfinst"
	"github.com/clusterwall/clusterwall/internal/srcpos"
)

// keys decodes a list of ids (subnet_ids, security_group_ids) into keys;
// why says what is not known about it.
func (m *mapper) keys(v cty.Value, attr string) (keys []string, why string) {
	elems, known := tfinst.List(v)
	if !known {
		return nil, fmt.Sprintf("%s is not known: %s", attr, tfinst.ReasonOr(v, "it is computed at apply time"))
	}
	for _, e := range elems {
		k, w := m.c.RefKey(e)
		if w != "" {
			why = joinWhy(why, fmt.Sprintf("%s: %s", attr, w))
			continue
		}
		if k != "" && !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	return keys, why
}

// subnetBound returns the CIDRs of subnets when all of them are known,
// and the VPC they are in.
func (m *mapper) subnetBound(keys []string, why string) (cidrs []netip.Prefix, vpc string) {
	for _, k := range keys {
		s := m.e.Subnets[k]
		if s == nil {
			return nil, vpc
		}
		if vpc == "" {
			vpc = s.VPC
		}
		if len(s.CIDRs) == 0 {
			why = "a subnet's CIDR is not known"
		}
		cidrs = append(cidrs, s.CIDRs...)
	}
	if why != "" {
		return nil, vpc
	}
	return cidrs, vpc
}

func (m *mapper) eksClusters() error {
	for _, in := range m.c.Of("aws_eks_cluster") {
		if !m.c.Expanded(in, "the cluster") {
			continue
		}
		if err := m.eksCluster(in); err != nil {
			return err
		}
	}
	return nil
}

func (m *mapper) eksCluster(in *tfinst.Instance) error {
	v := in.Values
	name, ok := tfinst.String(tfinst.Get(v, "name"))
	if !ok || tfinst.ContainsRef(name) {
		name = in.Address
		m.c.Note("%s: the cluster's name is not known (%s), so it is called by its address", in.Address, tfinst.ReasonOr(tfinst.Get(v, "name"), "not set"))
	}
	c := &model.Cluster{Name: name, Platform: model.EKS, Origin: in.Origin}
	cfg := tfinst.Block(v, "vpc_config")
	cfgLoc := in.BlockOrigin("vpc_config[0]")
	subnets, subnetsWhy := m.keys(tfinst.Get(cfg, "subnet_ids"), "subnet_ids")
	c.Networks.Subnets, c.VPC = m.subnetBound(subnets, subnetsWhy)
	extra, extraWhy := m.keys(tfinst.Get(cfg, "security_group_ids"), "security_group_ids")
	if c.VPC == "" {
		for _, k := range extra {
			if g := m.e.Groups[k]; g != nil && g.VPC != "" {
				c.VPC = g.VPC
				break
			}
		}
	}
	if vpc := m.e.VPCs[c.VPC]; vpc != nil {
		c.Networks.VPC = vpc.CIDRs
	}

	// The API endpoint: public access is on and open to 0.0.0.0/0 unless
	// the configuration says otherwise.
	c.Endpoint = model.Endpoint{Public: model.Yes, Private: model.No, Origin: cfgLoc}
	if pub := tfinst.Get(cfg, "endpoint_public_access"); !tfinst.Absent(pub) {
		if b, ok := tfinst.Bool(pub); ok {
			c.Endpoint.Public = model.TriOf(b)
		} else {
			c.Endpoint.Public = model.Unset
			m.c.Note("%s: whether the public endpoint is on is not known (%s)", in.Address, tfinst.ReasonOr(pub, "computed at apply time"))
		}
	}
	if priv := tfinst.Get(cfg, "endpoint_private_access"); !tfinst.Absent(priv) {
		if b, ok := tfinst.Bool(priv); ok {
			c.Endpoint.Private = model.TriOf(b)
		} else {
			c.Endpoint.Private = model.Unset
		}
	}
	if c.Endpoint.Public == model.Yes {
		cidrs := tfinst.Get(cfg, "public_access_cidrs")
		elems, known := tfinst.List(cidrs)
		switch {
		case !known || !tfinst.WhollyKnown(cidrs):
			c.Endpoint.Public = model.Unset
			m.c.Note("%s: the addresses that may use the public endpoint are not known (%s)", in.Address, tfinst.ReasonOr(cidrs, "computed at apply time"))
		case tfinst.Absent(cidrs) || len(elems) == 0:
			c.Endpoint.PublicCIDRs = []netip.Prefix{netip.MustParsePrefix("0.0.0.0/0")} // the EKS default
		default:
			for _, e := range elems {
				s, _ := tfinst.String(e)
				p, err := parsePrefix(s)
				if err != nil {
					return srcpos.Errorf(cfgLoc, "public_access_cidrs: %v", err)
				}
				c.Endpoint.PublicCIDRs = append(c.Endpoint.PublicCIDRs, p)
			}
		}
	}

	knc := tfinst.Block(v, "kubernetes_network_config")
	if s, ok := tfinst.String(tfinst.Get(knc, "service_ipv4_cidr")); ok {
		p, err := parsePrefix(s)
		if err != nil {
			return srcpos.Errorf(in.BlockOrigin("kubernetes_network_config[0]"), "service_ipv4_cidr: %v", err)
		}
		c.Networks.Services = append(c.Networks.Services, p)
	}
	if s, _ := tfinst.String(tfinst.Get(knc, "ip_family")); strings.EqualFold(s, "ipv6") {
		c.IPv6 = true
	}

	// EKS creates the cluster security group and puts it on the
	// control-plane interfaces; assemble gives it its default rules.
	cg := &model.Group{
		ID: m.c.Key(in.Address + "." + attrClusterGroup), Name: "eks-cluster-sg-" + name, Provider: model.AWS,
		VPC: c.VPC, Implicit: true, Origin: in.Origin,
		Description: "EKS created security group applied to ENI that is attached to EKS Control Plane master nodes, as well as any managed workloads.",
		Tags:        map[string]string{tagK8sClusterPrefix + name: "owned", tagEKSClusterName: name},
		Aliases:     m.c.Aliases(in.Address + "." + attrClusterGroup),
	}
	cg = m.e.AddGroup(cg)
	c.ClusterGroup = cg.ID

	cp := &model.Member{Role: model.RoleControlPlane, Kind: "cluster-eni", Groups: append([]string{cg.ID}, extra...),
		Addrs: c.Networks.Subnets, Origin: in.Origin}
	if extraWhy != "" {
		cp.GroupsUnknown = extraWhy
	}
	c.Members = append(c.Members, cp)
	m.clusters = append(m.clusters, &clusterInfo{c: c, inst: in})
	m.e.Clusters = append(m.e.Clusters, c)
	return nil
}

// clusterFor finds the cluster a cluster_name (or tag) names: by name, or
// by reference to the cluster resource. A cluster that the configuration
// names but does not declare is added, with what is known of it.
func (m *mapper) clusterFor(v cty.Value, who string) *clusterInfo {
	if addr, _, ok := tfinst.RefAddress(v); ok {
		for _, ci := range m.clusters {
			if ci.inst != nil && ci.inst.Address == addr {
				return ci
			}
		}
	}
	name, ok := tfinst.String(v)
	if !ok || tfinst.ContainsRef(name) {
		declared := m.declaredClusters()
		if len(declared) == 1 {
			m.c.Note("%s: the cluster is not known (%s); the configuration declares one cluster, %s, so it is taken to be that one", who, tfinst.ReasonOr(v, "computed at apply time"), declared[0].c.Name)
			return declared[0]
		}
		m.c.Note("%s: the cluster is not known (%s), so it is left out", who, tfinst.ReasonOr(v, "computed at apply time"))
		return nil
	}
	return m.clusterNamed(name)
}

func (m *mapper) declaredClusters() []*clusterInfo {
	var out []*clusterInfo
	for _, ci := range m.clusters {
		if ci.inst != nil {
			out = append(out, ci)
		}
	}
	return out
}

func (m *mapper) clusterNamed(name string) *clusterInfo {
	for _, ci := range m.clusters {
		if ci.c.Name == name {
			return ci
		}
	}
	c := &model.Cluster{Name: name, Platform: model.EKS}
	ci := &clusterInfo{c: c}
	m.clusters = append(m.clusters, ci)
	m.e.Clusters = append(m.e.Clusters, c)
	m.c.Note("cluster %s is not declared in the configuration: its cluster security group, endpoint and control plane are not known", name)
	return ci
}

// clusterGroups is what EKS puts on nodes that get the cluster group.
func clusterGroups(ci *clusterInfo, mem *model.Member) {
	if ci.c.ClusterGroup == "" {
		mem.GroupsUnknown = joinWhy(mem.GroupsUnknown, fmt.Sprintf("the nodes get the cluster security group of %s, which is not in the configuration", ci.c.Name))
		return
	}
	mem.Groups = append(mem.Groups, ci.c.ClusterGroup)
}

func nodeName(in *tfinst.Instance, attrs ...string) string {
	for _, a := range attrs {
		if s, ok := tfinst.String(tfinst.Get(in.Values, a)); ok && s != "" && !tfinst.ContainsRef(s) {
			return strings.TrimRight(s, "-")
		}
	}
	return tfinst.StripModule(in.Address)
}

func (m *mapper) nodeGroups() error {
	for _, in := range m.c.Of("aws_eks_node_group") {
		if !m.c.Expanded(in, "the node group") {
			continue
		}
		v := in.Values
		ci := m.clusterFor(tfinst.Get(v, "cluster_name"), in.Address)
		if ci == nil {
			continue
		}
		mem := &model.Member{Role: model.RoleNodes, Name: nodeName(in, "node_group_name", "node_group_name_prefix"), Kind: "managed-node-group", Origin: in.Origin}
		subnets, why := m.keys(tfinst.Get(v, "subnet_ids"), "subnet_ids")
		mem.Addrs, _ = m.subnetBound(subnets, why)
		if lt := tfinst.Block(v, "launch_template"); lt != cty.NilVal {
			// A launch template's groups replace the cluster group; one
			// without groups gets it.
			groups, why := m.launchTemplateGroups(tfinst.Get(lt, "id"), tfinst.Get(lt, "name"))
			switch {
			case why != "":
				mem.GroupsUnknown = why
			case len(groups) == 0:
				clusterGroups(ci, mem)
			default:
				mem.Groups = groups
			}
		} else {
			// The default launch template: EKS puts the cluster group on
			// the nodes.
			clusterGroups(ci, mem)
			if ra := tfinst.Block(v, "remote_access"); ra != cty.NilVal {
				mem.Groups = append(mem.Groups, m.remoteAccess(in, mem.Name, ra))
			}
		}
		ci.c.Members = append(ci.c.Members, mem)
	}
	return nil
}

// remoteAccess makes the group EKS creates for remote_access: SSH from
// the source groups, or from anywhere when none is given.
func (m *mapper) remoteAccess(in *tfinst.Instance, name string, ra cty.Value) string {
	loc := in.BlockOrigin("remote_access[0]")
	g := &model.Group{ID: m.c.Key(in.Address + "." + attrRemoteAccessGroup), Name: "eks-remoteAccess-" + name,
		Provider: model.AWS, Implicit: true, Origin: loc,
		Description: "Security group for all nodes in the nodeGroup to allow SSH access"}
	ps := &peerSet{m: m, loc: loc}
	src := tfinst.Get(ra, "source_security_group_ids")
	ps.groups("source_security_group_ids", src)
	if elems, known := tfinst.List(src); known && len(elems) == 0 {
		ps.peers = append(ps.peers, model.Peer{Kind: model.PeerCIDR, Prefix: netip.MustParsePrefix("0.0.0.0/0")})
	}
	g.Rules = rulesFor(model.Ingress, netset.Ports(netset.TCP, 22, 22), "", ps.peers,
		"SSH, opened by EKS for remote_access", "", false, loc)
	g = m.e.AddGroup(g)
	return g.ID
}

// launchTemplateGroups returns the groups of the launch template an id
// or name names: vpc_security_group_ids, or the groups of its primary
// network interface.
func (m *mapper) launchTemplateGroups(id, name cty.Value) ([]string, string) {
	lt, why := m.findInstance("aws_launch_template", id, name)
	if lt == nil {
		return nil, why
	}
	if lt.ExpansionUnknown != "" {
		return nil, fmt.Sprintf("%s: %s", lt.Address, lt.ExpansionUnknown)
	}
	groups, gwhy := m.keys(tfinst.Get(lt.Values, "vpc_security_group_ids"), lt.Address+" vpc_security_group_ids")
	if gwhy != "" {
		return nil, gwhy
	}
	if len(groups) > 0 {
		return groups, ""
	}
	if why := lt.UnknownBlocks["network_interfaces"]; why != "" {
		return nil, fmt.Sprintf("%s network_interfaces are not known: %s", lt.Address, why)
	}
	for _, ni := range tfinst.Blocks(lt.Values, "network_interfaces") {
		if idx, ok := tfinst.Int(tfinst.Get(ni, "device_index")); ok && idx != 0 {
			continue
		}
		groups, gwhy = m.keys(tfinst.Get(ni, "security_groups"), lt.Address+" network_interfaces.security_groups")
		if gwhy != "" {
			return nil, gwhy
		}
		return groups, ""
	}
	return nil, ""
}

// findInstance finds the instance of a type that an id (a reference) or
// a name (matched against the instances' name attribute) names.
func (m *mapper) findInstance(typ string, id, name cty.Value) (*tfinst.Instance, string) {
	for _, v := range []cty.Value{id, name} {
		if addr, _, ok := tfinst.RefAddress(v); ok {
			if in := m.c.All[addr]; in != nil && in.Type == typ {
				return in, ""
			}
			if in := m.c.All[strings.TrimSuffix(addr, "[*]")]; in != nil && in.Type == typ {
				return in, ""
			}
		}
	}
	if s, ok := tfinst.String(name); ok && !tfinst.ContainsRef(s) {
		for _, in := range m.c.Of(typ) {
			if n, _ := tfinst.String(tfinst.Get(in.Values, "name")); n == s {
				return in, ""
			}
		}
		return nil, fmt.Sprintf("%s %q is not in the configuration", typ, s)
	}
	if s, ok := tfinst.String(id); ok && !tfinst.ContainsRef(s) {
		return nil, fmt.Sprintf("%s %s is not in the configuration", typ, s)
	}
	for _, v := range []cty.Value{id, name} {
		if !tfinst.Absent(v) && !tfinst.WhollyKnown(v) {
			return nil, fmt.Sprintf("the %s is not known: %s", typ, tfinst.ReasonOr(v, "computed at apply time"))
		}
	}
	if !tfinst.Absent(id) || !tfinst.Absent(name) {
		return nil, fmt.Sprintf("the %s it names is not in the configuration", typ)
	}
	return nil, fmt.Sprintf("no %s is named", typ)
}

// autoscalingGroups maps self-managed node groups: an Auto Scaling group
// tied to a cluster by its tags or by the groups of its instances.
func (m *mapper) autoscalingGroups() error {
	for _, in := range m.c.Of("aws_autoscaling_group") {
		if !m.c.Expanded(in, "the Auto Scaling group") {
			continue
		}
		v := in.Values
		mem := &model.Member{Role: model.RoleNodes, Name: nodeName(in, "name", "name_prefix"), Kind: "self-managed", Origin: in.Origin}
		subnets, why := m.keys(tfinst.Get(v, "vpc_zone_identifier"), "vpc_zone_identifier")
		mem.Addrs, _ = m.subnetBound(subnets, why)
		groups, gwhy := m.asgGroups(in)
		mem.Groups, mem.GroupsUnknown = groups, gwhy
		ci := m.asgCluster(in, groups)
		if ci == nil {
			continue
		}
		if len(mem.Groups) == 0 && mem.GroupsUnknown == "" {
			mem.GroupsUnknown = "the launch template gives no security groups, so the instances get the VPC's default group"
		}
		ci.c.Members = append(ci.c.Members, mem)
	}
	return nil
}

func (m *mapper) asgGroups(in *tfinst.Instance) ([]string, string) {
	v := in.Values
	if lt := tfinst.Block(v, "launch_template"); lt != cty.NilVal {
		return m.launchTemplateGroups(tfinst.Get(lt, "id"), tfinst.Get(lt, "name"))
	}
	if mip := tfinst.Block(v, "mixed_instances_policy"); mip != cty.NilVal {
		spec := tfinst.Block(tfinst.Block(mip, "launch_template"), "launch_template_specification")
		return m.launchTemplateGroups(tfinst.Get(spec, "launch_template_id"), tfinst.Get(spec, "launch_template_name"))
	}
	if why := in.UnknownBlocks["launch_template"]; why != "" {
		return nil, "the launch template is not known: " + why
	}
	lcv := tfinst.Get(v, "launch_configuration")
	if !tfinst.Absent(lcv) {
		lc, why := m.findInstance("aws_launch_configuration", lcv, lcv)
		if lc == nil {
			return nil, why
		}
		return m.keys(tfinst.Get(lc.Values, "security_groups"), lc.Address+" security_groups")
	}
	return nil, fmt.Sprintf("%s names no launch template or launch configuration", in.Address)
}

// asgTags reads the tag blocks and the tags list of an Auto Scaling group.
func asgTags(v cty.Value) map[string]string {
	out := map[string]string{}
	var tags []cty.Value
	tags = append(tags, tfinst.Blocks(v, "tag")...)
	list, _ := tfinst.List(tfinst.Get(v, "tags"))
	tags = append(tags, list...)
	for _, t := range tags {
		k, ok := tfinst.String(tfinst.Get(t, "key"))
		if !ok {
			continue
		}
		val, _ := tfinst.String(tfinst.Get(t, "value"))
		out[k] = val
	}
	return out
}

// asgCluster ties an Auto Scaling group to a cluster: a tag
// kubernetes.io/cluster/<name>, or a group of its instances that is the
// cluster group or tagged for the cluster.
func (m *mapper) asgCluster(in *tfinst.Instance, groups []string) *clusterInfo {
	tags := asgTags(in.Values)
	var names []string
	for k := range tags {
		if name, ok := strings.CutPrefix(k, tagK8sClusterPrefix); ok && name != "" && !tfinst.ContainsRef(name) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	if len(names) > 0 {
		return m.clusterNamed(names[0])
	}
	for _, ci := range m.clusters {
		for _, k := range groups {
			if k == ci.c.ClusterGroup && k != "" {
				return ci
			}
			if g := m.e.Groups[k]; g != nil && (g.Tags[tagK8sClusterPrefix+ci.c.Name] != "" || g.Tags[tagEKSClusterName] == ci.c.Name) {
				return ci
			}
		}
	}
	return nil
}

func (m *mapper) fargateProfiles() error {
	for _, in := range m.c.Of("aws_eks_fargate_profile") {
		if !m.c.Expanded(in, "the Fargate profile") {
			continue
		}
		ci := m.clusterFor(tfinst.Get(in.Values, "cluster_name"), in.Address)
		if ci == nil {
			continue
		}
		mem := &model.Member{Role: model.RoleNodes, Name: nodeName(in, "fargate_profile_name"), Kind: "fargate", Origin: in.Origin}
		subnets, why := m.keys(tfinst.Get(in.Values, "subnet_ids"), "subnet_ids")
		mem.Addrs, _ = m.subnetBound(subnets, why)
		// Fargate pods get the cluster security group.
		clusterGroups(ci, mem)
		ci.c.Members = append(ci.c.Members, mem)
	}
	return nil
}

func (m *mapper) loadBalancers() error {
	for _, typ := range []string{"aws_lb", "aws_alb"} {
		for _, in := range m.c.Of(typ) {
			if !m.c.Expanded(in, "the load balancer") {
				continue
			}
			m.loadBalancer(in)
		}
	}
	return nil
}

func (m *mapper) loadBalancer(in *tfinst.Instance) {
	v := in.Values
	lb := &model.LoadBalancer{Name: nodeName(in, "name", "name_prefix"), Type: "application", Scheme: "internet-facing", Origin: in.Origin}
	if t, ok := tfinst.String(tfinst.Get(v, "load_balancer_type")); ok {
		lb.Type = t
	}
	if internal, ok := tfinst.Bool(tfinst.Get(v, "internal")); ok && internal {
		lb.Scheme = "internal"
	}
	subnets, why := m.keys(tfinst.Get(v, "subnets"), "subnets")
	for _, sm := range tfinst.Blocks(v, "subnet_mapping") {
		k, w := m.c.RefKey(tfinst.Get(sm, "subnet_id"))
		why = joinWhy(why, w)
		if k != "" {
			subnets = append(subnets, k)
		}
	}
	addrs, vpc := m.subnetBound(subnets, why)
	lb.VPC = vpc
	groups, gwhy := m.keys(tfinst.Get(v, "security_groups"), "security_groups")
	lb.Groups = groups
	m.e.LoadBalancers = append(m.e.LoadBalancers, lb)
	if len(groups) == 0 && gwhy == "" {
		m.c.Note("load balancer %s has no security groups; clusterwall cannot tell which addresses it sends from", lb.Name)
		return
	}
	// Tie the balancer to the configuration's one cluster, or to the
	// one cluster in its VPC.
	var ci *clusterInfo
	declared := m.declaredClusters()
	if len(declared) == 1 {
		ci = declared[0]
	} else {
		var same []*clusterInfo
		for _, d := range declared {
			if vpc != "" && d.c.VPC == vpc {
				same = append(same, d)
			}
		}
		if len(same) == 1 {
			ci = same[0]
		}
	}
	if ci == nil {
		return
	}
	lb.Cluster = ci.c.Name
	mem := &model.Member{Role: model.RoleLoadBalancer, Name: lb.Name, Kind: lb.Type, Groups: groups, GroupsUnknown: gwhy, Addrs: addrs, Origin: in.Origin}
	ci.c.Members = append(ci.c.Members, mem)
}

func (m *mapper) eksAddons() error {
	for _, in := range m.c.Of("aws_eks_addon") {
		if !m.c.Expanded(in, "the add-on") {
			continue
		}
		name, ok := tfinst.String(tfinst.Get(in.Values, "addon_name"))
		if !ok {
			m.c.Note("%s: the add-on's name is not known (%s)", in.Address, tfinst.ReasonOr(tfinst.Get(in.Values, "addon_name"), "not set"))
			continue
		}
		ci := m.clusterFor(tfinst.Get(in.Values, "cluster_name"), in.Address)
		if ci == nil {
			continue
		}
		version, _ := tfinst.String(tfinst.Get(in.Values, "addon_version"))
		name = strings.ToLower(name)
		if !slices.ContainsFunc(ci.c.AddOns, func(a model.AddOn) bool { return a.Name == name }) {
			ci.c.AddOns = append(ci.c.AddOns, model.AddOn{Name: name, Version: version, Source: "aws_eks_addon", Origin: in.Origin})
		}
	}
	return nil
}
