package tftencent

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

// What TKE and the provider name and default, as they document them.
const (
	managedCluster     = "MANAGED_CLUSTER"
	independentCluster = "INDEPENDENT_CLUSTER"
	networkGR          = "GR"
	networkVPCCNI      = "VPC-CNI"
	networkCilium      = "CiliumOverlay"
	// defaultWorkerGroup is the name TKE gives the worker group it makes
	// for a cluster (reference §6.2): tke-worker-security-for-<cluster id>.
	defaultWorkerGroup = "tke-worker-security-for-<cluster id>"
	// apiPort is where the API server endpoints listen.
	apiPort = 443
	clbType = "clb"
)

// Member names, as the Tencent API reader names them too.
const (
	nameMasters          = "masters"
	nameWorkers          = "workers"
	nameInternetEndpoint = "internet-endpoint"
	nameIntranetEndpoint = "intranet-endpoint"
)

// clusterInfo is a cluster being built: its members by kind, put together
// (masters, endpoints, workers) when every resource is read.
type clusterInfo struct {
	c    *model.Cluster
	inst *tfinst.Instance // nil for a cluster the configuration only names
	// masters, endpoints and workers (nodes, then load balancers) are
	// the members in the order they are read; endpoints by name, so that
	// a cluster_endpoint resource replaces what the cluster says.
	masters, workers []*model.Member
	endpoints        map[string]*model.Member
	endpointsBy      string // the address of the resource that set the endpoints
}

func (m *mapper) kubernetesClusters() error {
	for _, in := range m.c.Of(typeCluster) {
		if !m.c.Expanded(in, "the cluster") {
			continue
		}
		if err := m.kubernetesCluster(in); err != nil {
			return err
		}
	}
	return nil
}

// oneOf reads an attribute whose known values are listed (the first is the
// provider's default when the attribute is absent); ok is false when the
// value is not known.
func oneOf(in *tfinst.Instance, v cty.Value, attr string, values ...string) (string, bool, error) {
	a := tfinst.Get(v, attr)
	if tfinst.Absent(a) {
		return values[0], true, nil
	}
	s, ok := tfinst.String(a)
	if !ok || tfinst.ContainsRef(s) {
		return "", false, nil
	}
	for _, want := range values {
		if strings.EqualFold(strings.TrimSpace(s), want) {
			return want, true, nil
		}
	}
	if strings.TrimSpace(s) == "" {
		return values[0], true, nil
	}
	return "", false, srcpos.Errorf(in.Origin, "%s %q: expected %s", attr, s, strings.Join(values, ", "))
}

func (m *mapper) kubernetesCluster(in *tfinst.Instance) error {
	v := in.Values
	name := str(v, "cluster_name")
	if name == "" {
		name = in.Address
		if n := tfinst.Get(v, "cluster_name"); !tfinst.Absent(n) {
			m.c.Note("%s: the cluster's name is not known (%s), so it is called by its address", in.Address, tfinst.ReasonOr(n, "it is computed at apply time"))
		}
	}
	c := &model.Cluster{Name: name, Platform: model.TKE, Origin: in.Origin}
	ci := &clusterInfo{c: c, inst: in, endpoints: map[string]*model.Member{}}

	vpc, why := m.c.RefKey(tfinst.Get(v, "vpc_id"))
	c.VPC = vpc
	switch vp := m.e.VPCs[vpc]; {
	case why != "":
		m.c.Note("cluster %s: its VPC is not known (%s), so the vpc role and what counts as internet are less precise", name, why)
	case vp != nil && len(vp.CIDRs) > 0:
		c.Networks.VPC = slices.Clone(vp.CIDRs)
	case vpc != "" && vp == nil:
		m.c.Note("cluster %s: %s is not declared in the configuration, so the cluster network's CIDRs are not known (add its tencentcloud_vpc, or `tccli vpc DescribeVpcs` output)", name, m.label(vpc))
	}

	deploy, ok, err := oneOf(in, v, "cluster_deploy_type", managedCluster, independentCluster)
	if err != nil {
		return err
	}
	if !ok {
		m.c.Note("cluster %s: cluster_deploy_type is not known (%s), so the cluster is read as managed and the independent masters' requirements are not checked", name, tfinst.ReasonOr(tfinst.Get(v, "cluster_deploy_type"), "it is computed at apply time"))
	}
	c.Independent = deploy == independentCluster

	mode, ok, err := oneOf(in, v, "network_type", networkGR, networkVPCCNI, networkCilium)
	if err != nil {
		return err
	}
	if !ok {
		m.c.Note("cluster %s: network_type is not known (%s), so the container network is not known", name, tfinst.ReasonOr(tfinst.Get(v, "network_type"), "it is computed at apply time"))
	}
	c.NetworkMode = mode
	if err := m.podNetworks(ci, in, mode); err != nil {
		return err
	}
	if err := m.cidrAttr(&c.Networks.Services, in, "service_cidr", name); err != nil {
		return err
	}

	// The masters of an independent cluster are the user's instances.
	for i, mc := range tfinst.Blocks(v, "master_config") {
		if !c.Independent {
			m.c.Note("%s: master_config applies to independent clusters only; the masters of a managed cluster are Tencent's, so it is left out", in.Address)
			break
		}
		ci.masters = append(ci.masters, m.instanceMember(in, fmt.Sprintf("master_config[%d]", i), mc, model.RoleControlPlane, nameMasters, "master"))
	}
	if why := in.UnknownBlocks["master_config"]; why != "" {
		m.c.Note("%s: the master_config blocks are not known (%s), so the masters are left out", in.Address, why)
	}
	for i, wc := range tfinst.Blocks(v, "worker_config") {
		ci.workers = append(ci.workers, m.instanceMember(in, fmt.Sprintf("worker_config[%d]", i), wc, model.RoleNodes, nameWorkers, "worker"))
	}
	if why := in.UnknownBlocks["worker_config"]; why != "" {
		ci.workers = append(ci.workers, &model.Member{Role: model.RoleNodes, Name: nameWorkers, Kind: "worker",
			GroupsUnknown: "the worker_config blocks are not known: " + why, Origin: in.Origin})
	}
	for i, ei := range tfinst.Blocks(v, "exist_instance") {
		m.existInstances(ci, in, i, ei)
	}
	m.endpoints(ci, in, v)
	m.clusters = append(m.clusters, ci)
	m.e.Clusters = append(m.e.Clusters, c)
	return nil
}

// cidrAttr reads a cluster CIDR attribute (cluster_cidr, service_cidr).
func (m *mapper) cidrAttr(dst *[]netip.Prefix, in *tfinst.Instance, attr, cluster string) error {
	a := tfinst.Get(in.Values, attr)
	if !set(a) {
		return nil
	}
	s, ok := tfinst.String(a)
	if !ok || tfinst.ContainsRef(s) {
		m.c.Note("cluster %s: %s is not known (%s)", cluster, attr, unknownWhy(a, s))
		return nil
	}
	p, err := netip.ParsePrefix(strings.TrimSpace(s))
	if err != nil {
		return srcpos.Errorf(in.Origin, "%s %q: expected a CIDR block such as 172.16.0.0/16", attr, s)
	}
	*dst = append(*dst, p.Masked())
	return nil
}

// podNetworks fills the container network: cluster_cidr in global-router
// (GR) and Cilium overlay mode, the ENI subnets in VPC-CNI mode (both
// when a GR cluster has VPC-CNI on as well).
func (m *mapper) podNetworks(ci *clusterInfo, in *tfinst.Instance, mode string) error {
	c, v := ci.c, in.Values
	if mode != networkVPCCNI {
		if err := m.cidrAttr(&c.Networks.Pods, in, "cluster_cidr", c.Name); err != nil {
			return err
		}
		if mode == networkGR && !set(tfinst.Get(v, "cluster_cidr")) {
			m.c.Note("cluster %s: cluster_cidr is not set, so the container network is not known", c.Name)
		}
	}
	eni := tfinst.Get(v, "eni_subnet_ids")
	if mode != networkVPCCNI && !set(tfinst.Get(v, "vpc_cni_type")) {
		return nil
	}
	keys, why := m.keys(eni, "eni_subnet_ids")
	var missing []string
	for _, k := range keys {
		if s := m.e.Subnets[k]; s != nil && len(s.CIDRs) > 0 {
			c.Networks.Pods = append(c.Networks.Pods, s.CIDRs...)
		} else {
			missing = append(missing, m.label(k))
		}
	}
	if len(missing) > 0 {
		why = joinWhy(why, fmt.Sprintf("the CIDRs of %s are not in the configuration", strings.Join(missing, ", ")))
	}
	if why != "" {
		m.c.Note("cluster %s: the pods' ENI subnets are not all known (%s), so the container network is %s", c.Name, why,
			map[bool]string{true: "only partly known", false: "not known"}[len(c.Networks.Pods) > 0])
	}
	return nil
}

// subnetBound returns the CIDRs of subnets when all of them are known.
func (m *mapper) subnetBound(keys []string, why string) []netip.Prefix {
	if why != "" {
		return nil
	}
	var out []netip.Prefix
	for _, k := range keys {
		s := m.e.Subnets[k]
		if s == nil || len(s.CIDRs) == 0 {
			return nil
		}
		out = append(out, s.CIDRs...)
	}
	return out
}

// groupsOf reads an ordered list of security group ids; absent means
// none.
func (m *mapper) groupsOf(v cty.Value, attr string) ([]string, string) {
	if tfinst.Absent(v) {
		return nil, ""
	}
	return m.keys(v, attr)
}

// noGroups says why a member whose declaration names no security groups
// has groups that are not known.
func noGroups(role, where string) string {
	if role == model.RoleControlPlane {
		return fmt.Sprintf("%s gives the masters no security_group_ids, so TKE binds its default master group, whose rules are not in the configuration (add its `tccli vpc DescribeSecurityGroupPolicies` output, or pass --role control-plane=GROUP)", where)
	}
	return fmt.Sprintf("%s gives the nodes no security groups, so TKE binds the default worker group it creates (%s), whose rules are not in the configuration (add its `tccli vpc DescribeSecurityGroupPolicies` output, or pass --role nodes=GROUP)", where, defaultWorkerGroup)
}

// instanceMember makes the member of a master_config or worker_config
// block: its security_group_ids in binding order, its subnet as a bound.
func (m *mapper) instanceMember(in *tfinst.Instance, path string, b cty.Value, role, defName, kind string) *model.Member {
	loc := in.BlockOrigin(path)
	mem := &model.Member{Role: role, Name: defName, Kind: kind, Origin: loc}
	if n := str(b, "instance_name"); n != "" {
		mem.Name = n
	}
	mem.Groups, mem.GroupsUnknown = m.groupsOf(tfinst.Get(b, "security_group_ids"), path+".security_group_ids")
	if len(mem.Groups) == 0 && mem.GroupsUnknown == "" {
		mem.GroupsUnknown = noGroups(role, in.Address+" "+path)
	}
	subnet, why := m.c.RefKey(tfinst.Get(b, "subnet_id"))
	if subnet != "" {
		mem.Addrs = m.subnetBound([]string{subnet}, why)
	}
	if n, ok := tfinst.Int(tfinst.Get(b, "count")); ok && n > 0 {
		mem.Interfaces = int(n)
	}
	return mem
}

// existInstances makes the member of an exist_instance block: instances
// that already exist, re-installed as workers or masters.
func (m *mapper) existInstances(ci *clusterInfo, in *tfinst.Instance, i int, ei cty.Value) {
	path := fmt.Sprintf("exist_instance[%d]", i)
	loc := in.BlockOrigin(path)
	role, name, kind := model.RoleNodes, "existing-workers", "exist-instance"
	switch r := strings.ToUpper(str(ei, "node_role")); r {
	case "", "WORKER":
	case "MASTER_ETCD":
		role, name = model.RoleControlPlane, "existing-masters"
		if !ci.c.Independent {
			m.c.Note("%s: %s attaches masters, which only independent clusters have; it is left out", in.Address, path)
			return
		}
	default:
		m.c.Note("%s: %s has node_role %q, which is not WORKER or MASTER_ETCD; it is left out", in.Address, path, r)
		return
	}
	for j, para := range tfinst.Blocks(ei, "instances_para") {
		ppath := fmt.Sprintf("%s.instances_para[%d]", path, j)
		mem := &model.Member{Role: role, Name: name, Kind: kind, Origin: cmpLoc(in.BlockOrigin(ppath), loc)}
		mem.Groups, mem.GroupsUnknown = m.groupsOf(tfinst.Get(para, "security_group_ids"), ppath+".security_group_ids")
		if len(mem.Groups) == 0 && mem.GroupsUnknown == "" {
			mem.GroupsUnknown = fmt.Sprintf("%s %s gives no security_group_ids, so the instances keep the groups they have, which are not in the configuration", in.Address, ppath)
		}
		if ids, known := tfinst.List(tfinst.Get(para, "instance_ids")); known {
			mem.Interfaces = len(ids)
		}
		if role == model.RoleNodes {
			ci.workers = append(ci.workers, mem)
		} else {
			ci.masters = append(ci.masters, mem)
		}
	}
}

func cmpLoc(a, b srcpos.Location) srcpos.Location {
	if a.IsZero() {
		return b
	}
	return a
}

// endpoints makes the API server endpoints that a cluster (or a
// cluster_endpoint resource) opens control-plane members. Both are load
// balancers that TKE runs: they accept connections but never open them.
// The internet endpoint is reachable as cluster_internet_security_group
// allows; the intranet endpoint has no security group (the provider
// passes the group to CreateClusterEndpoint for internet access only), so
// what reaches it is decided by routing to its subnet, not by groups.
func (m *mapper) endpoints(ci *clusterInfo, in *tfinst.Instance, v cty.Value) {
	c := ci.c
	internet, iok := tfinst.Bool(tfinst.Get(v, "cluster_internet"))
	intranet, nok := tfinst.Bool(tfinst.Get(v, "cluster_intranet"))
	if in.Type == typeClusterEndpoint || iok && internet || nok && intranet {
		if ci.endpointsBy != "" && ci.endpointsBy != in.Address {
			m.c.Note("%s and %s both manage the API endpoints of cluster %s (the provider says not to use both); %s's are read", ci.endpointsBy, in.Address, c.Name, in.Address)
		}
		ci.endpointsBy = in.Address
		ci.endpoints = map[string]*model.Member{}
	}
	c.Endpoint.Origin = in.Origin
	c.Endpoint.Public, c.Endpoint.Private = model.No, model.No
	switch iv := tfinst.Get(v, "cluster_internet"); {
	case tfinst.Absent(iv):
	case !iok:
		c.Endpoint.Public = model.Unset
		m.c.Note("cluster %s: whether the internet endpoint is on is not known (%s), so it is left out", c.Name, tfinst.ReasonOr(iv, "it is computed at apply time"))
	case internet:
		c.Endpoint.Public = model.Yes
		ci.endpoints[nameInternetEndpoint] = m.internetEndpoint(ci, in, v)
	}
	switch nv := tfinst.Get(v, "cluster_intranet"); {
	case tfinst.Absent(nv):
	case !nok:
		c.Endpoint.Private = model.Unset
		m.c.Note("cluster %s: whether the intranet endpoint is on is not known (%s), so it is left out", c.Name, tfinst.ReasonOr(nv, "it is computed at apply time"))
	case intranet:
		c.Endpoint.Private = model.Yes
		// A private address in the cluster's VPC with no security group
		// (the provider binds cluster_internet_security_group to the
		// internet endpoint only): assemble gives it what routing allows.
		mem := &model.Member{Role: model.RoleControlPlane, Name: nameIntranetEndpoint, Kind: model.KindPrivateAPIEndpoint, Origin: in.Origin}
		subnet, why := m.c.RefKey(tfinst.Get(v, "cluster_intranet_subnet_id"))
		if subnet != "" {
			mem.Addrs = m.subnetBound([]string{subnet}, why)
		}
		ci.endpoints[nameIntranetEndpoint] = mem
	}
}

// internetEndpoint makes the member of the internet endpoint: its group,
// or, for clusters made before cluster_internet_security_group, the
// access list managed_cluster_internet_security_policies, which admits
// those sources on the API port. Its address is a public IPv4 one the
// configuration does not give.
func (m *mapper) internetEndpoint(ci *clusterInfo, in *tfinst.Instance, v cty.Value) *model.Member {
	c := ci.c
	// A public IPv4 address of the endpoint's CLB, which the configuration
	// does not give (the Tencent API reader reads a domain so too).
	mem := &model.Member{Role: model.RoleControlPlane, Name: nameInternetEndpoint, Kind: model.KindAPIEndpoint, Origin: in.Origin,
		Addrs: []netip.Prefix{netset.AllIPv4}}
	sgv := tfinst.Get(v, "cluster_internet_security_group")
	if set(sgv) {
		key, why := m.c.RefKey(sgv)
		if why != "" {
			mem.GroupsUnknown = "cluster_internet_security_group is not known: " + why
		} else {
			mem.Groups = []string{key}
		}
		return mem
	}
	pol := tfinst.Get(v, "managed_cluster_internet_security_policies")
	elems, known := tfinst.List(pol)
	switch {
	case !known || !tfinst.WhollyKnown(pol):
		mem.GroupsUnknown = "managed_cluster_internet_security_policies is not known: " + tfinst.ReasonOr(pol, "it is computed at apply time")
		return mem
	case len(elems) == 0:
		mem.GroupsUnknown = "cluster_internet is on, but neither cluster_internet_security_group nor managed_cluster_internet_security_policies is given (the provider requires the group), so what may reach the internet endpoint is not known"
		return mem
	}
	https := netset.Ports(netset.TCP, apiPort, apiPort)
	key := m.c.Key(in.Address + ".managed_cluster_internet_security_policies")
	g := &model.Group{ID: key, Name: "internet endpoint access list of " + c.Name, Provider: model.Tencent, Implicit: true, Origin: in.Origin,
		Description: "the sources managed_cluster_internet_security_policies admits to the internet endpoint",
		Aliases:     m.c.Aliases(in.Address + ".managed_cluster_internet_security_policies")}
	for _, e := range elems {
		s, _ := tfinst.String(e)
		p, err := CIDR(s)
		if err != nil {
			m.c.Note("%s: managed_cluster_internet_security_policies: %v; it is left out", in.Address, err)
			continue
		}
		c.Endpoint.PublicCIDRs = append(c.Endpoint.PublicCIDRs, p)
		g.Rules = append(g.Rules, model.Rule{Direction: model.Ingress, Action: model.Accept, Services: https,
			Peer: model.Peer{Kind: model.PeerCIDR, Prefix: p}, Description: "managed_cluster_internet_security_policies", Origin: in.Origin})
	}
	m.e.AddGroup(g)
	mem.Groups = []string{g.ID}
	return mem
}

// clusterEndpoints maps tencentcloud_kubernetes_cluster_endpoint, which
// opens a cluster's API endpoints apart from the cluster resource.
func (m *mapper) clusterEndpoints() error {
	for _, in := range m.c.Of(typeClusterEndpoint) {
		if !m.c.Expanded(in, "the cluster endpoint") {
			continue
		}
		ci := m.clusterFor(tfinst.Get(in.Values, "cluster_id"), in.Address)
		if ci == nil {
			continue
		}
		m.endpoints(ci, in, in.Values)
	}
	return nil
}

// clusterFor finds the cluster a cluster_id names: by reference to the
// cluster resource, or by a literal id of a cluster the configuration
// does not declare, which is then added with what is known of it.
func (m *mapper) clusterFor(v cty.Value, who string) *clusterInfo {
	if addr, _, ok := tfinst.RefAddress(v); ok {
		for _, ci := range m.clusters {
			if ci.inst != nil && ci.inst.Address == addr {
				return ci
			}
		}
	}
	id, ok := tfinst.String(v)
	if !ok || tfinst.ContainsRef(id) || strings.TrimSpace(id) == "" {
		var declared []*clusterInfo
		for _, ci := range m.clusters {
			if ci.inst != nil {
				declared = append(declared, ci)
			}
		}
		why := tfinst.ReasonOr(v, "it is computed at apply time")
		if tfinst.Absent(v) {
			why = "cluster_id is not set"
		} else if ok && tfinst.ContainsRef(id) {
			why = unknownWhy(v, id)
		}
		if len(declared) == 1 {
			m.c.Note("%s: the cluster is not known (%s); the configuration declares one cluster, %s, so it is taken to be that one", who, why, declared[0].c.Name)
			return declared[0]
		}
		m.c.Note("%s: the cluster is not known (%s), so it is left out", who, why)
		return nil
	}
	id = strings.TrimSpace(id)
	for _, ci := range m.clusters {
		if ci.c.Name == id {
			return ci
		}
	}
	c := &model.Cluster{Name: id, Platform: model.TKE}
	ci := &clusterInfo{c: c, endpoints: map[string]*model.Member{}}
	m.clusters = append(m.clusters, ci)
	m.e.Clusters = append(m.e.Clusters, c)
	m.c.Note("cluster %s is not declared in the configuration: its VPC, networks, masters and API endpoints are not known (add `tccli tke DescribeClusters` output)", id)
	return ci
}

// nodePools maps tencentcloud_kubernetes_node_pool: one nodes member per
// pool, bound to auto_scaling_config.orderly_security_group_ids in order.
func (m *mapper) nodePools() error {
	for _, in := range m.c.Of(typeNodePool) {
		if !m.c.Expanded(in, "the node pool") {
			continue
		}
		v := in.Values
		ci := m.clusterFor(tfinst.Get(v, "cluster_id"), in.Address)
		if ci == nil {
			continue
		}
		mem := &model.Member{Role: model.RoleNodes, Name: poolName(in), Kind: "node-pool", Origin: in.Origin}
		subnets, why := m.keys(tfinst.Get(v, "subnet_ids"), "subnet_ids")
		mem.Addrs = m.subnetBound(subnets, why)
		asc := tfinst.Block(v, "auto_scaling_config")
		ascPath := "auto_scaling_config[0]"
		orderly, legacy := tfinst.Get(asc, "orderly_security_group_ids"), tfinst.Get(asc, "security_group_ids")
		switch {
		case in.UnknownBlocks["auto_scaling_config"] != "":
			mem.GroupsUnknown = "auto_scaling_config is not known: " + in.UnknownBlocks["auto_scaling_config"]
		case set(orderly) && !isEmptyList(orderly):
			mem.Groups, mem.GroupsUnknown = m.keys(orderly, "auto_scaling_config.orderly_security_group_ids")
			mem.Origin = in.BlockOrigin(ascPath)
		case set(legacy) && !isEmptyList(legacy):
			mem.Groups, mem.GroupsUnknown = m.keys(legacy, "auto_scaling_config.security_group_ids")
			mem.Origin = in.BlockOrigin(ascPath)
			if len(mem.Groups) > 1 {
				m.c.Note("%s: auto_scaling_config.security_group_ids is deprecated because the order of its elements is not guaranteed, and Tencent matches a node's groups in binding order; they are read as written (%s). Use orderly_security_group_ids.",
					in.Address, strings.Join(labels(m, mem.Groups), ", "))
			}
		default:
			mem.GroupsUnknown = noGroups(model.RoleNodes, in.Address)
		}
		ci.workers = append(ci.workers, mem)
	}
	return nil
}

func labels(m *mapper, keys []string) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = m.label(k)
	}
	return out
}

func isEmptyList(v cty.Value) bool {
	elems, known := tfinst.List(v)
	return known && len(elems) == 0
}

// poolName is a pool's name, else its address without the module path.
func poolName(in *tfinst.Instance) string {
	if n := str(in.Values, "name"); n != "" {
		return n
	}
	return tfinst.StripModule(in.Address)
}

// nativeNodePools maps tencentcloud_kubernetes_native_node_pool, whose
// native block lists the nodes' security groups and subnets.
func (m *mapper) nativeNodePools() error {
	for _, in := range m.c.Of(typeNativeNodePool) {
		if !m.c.Expanded(in, "the native node pool") {
			continue
		}
		ci := m.clusterFor(tfinst.Get(in.Values, "cluster_id"), in.Address)
		if ci == nil {
			continue
		}
		nat := tfinst.Block(in.Values, "native")
		mem := &model.Member{Role: model.RoleNodes, Name: poolName(in), Kind: "native-node-pool", Origin: cmpLoc(in.BlockOrigin("native[0]"), in.Origin)}
		subnets, why := m.keys(tfinst.Get(nat, "subnet_ids"), "native.subnet_ids")
		mem.Addrs = m.subnetBound(subnets, why)
		mem.Groups, mem.GroupsUnknown = m.groupsOf(tfinst.Get(nat, "security_group_ids"), "native.security_group_ids")
		if why := in.UnknownBlocks["native"]; why != "" {
			mem.GroupsUnknown = "the native block is not known: " + why
		}
		if len(mem.Groups) == 0 && mem.GroupsUnknown == "" {
			mem.GroupsUnknown = noGroups(model.RoleNodes, in.Address)
		}
		ci.workers = append(ci.workers, mem)
	}
	return nil
}

// scaleWorkers maps tencentcloud_kubernetes_scale_worker: more workers
// of a cluster, described by a worker_config block.
func (m *mapper) scaleWorkers() error {
	for _, in := range m.c.Of(typeScaleWorker) {
		if !m.c.Expanded(in, "the workers") {
			continue
		}
		ci := m.clusterFor(tfinst.Get(in.Values, "cluster_id"), in.Address)
		if ci == nil {
			continue
		}
		for i, wc := range tfinst.Blocks(in.Values, "worker_config") {
			mem := m.instanceMember(in, fmt.Sprintf("worker_config[%d]", i), wc, model.RoleNodes, tfinst.StripModule(in.Address), "scale-worker")
			ci.workers = append(ci.workers, mem)
		}
	}
	return nil
}

// loadBalancers maps tencentcloud_clb_instance. A CLB is tied to the
// cluster when the configuration has one cluster in its VPC; a CLB
// without security groups is a member without groups.
func (m *mapper) loadBalancers() error {
	for _, in := range m.c.Of(typeCLB) {
		if !m.c.Expanded(in, "the CLB") {
			continue
		}
		v := in.Values
		name := str(v, "clb_name")
		if name == "" {
			name = tfinst.StripModule(in.Address)
		}
		lb := &model.LoadBalancer{Name: name, Type: clbType, Origin: in.Origin}
		switch t := strings.ToUpper(str(v, "network_type")); t {
		case "OPEN":
			lb.Scheme = "internet-facing"
		case "INTERNAL":
			lb.Scheme = "internal"
		case "":
		default:
			return srcpos.Errorf(in.Origin, "network_type %q: expected OPEN or INTERNAL", t)
		}
		lb.VPC, _ = m.c.RefKey(tfinst.Get(v, "vpc_id"))
		groups, gwhy := m.groupsOf(tfinst.Get(v, "security_groups"), "security_groups")
		lb.Groups = groups
		m.e.LoadBalancers = append(m.e.LoadBalancers, lb)
		if b, ok := tfinst.Bool(tfinst.Get(v, "load_balancer_pass_to_target")); ok && b {
			m.c.Note("CLB %s: load_balancer_pass_to_target is on, so the backends' security groups do not filter what the CLB forwards (only the CLB's do); clusterwall still judges NodePort flows by the nodes' groups", name)
		}
		var same []*clusterInfo
		for _, ci := range m.clusters {
			if ci.inst != nil && lb.VPC != "" && ci.c.VPC == lb.VPC {
				same = append(same, ci)
			}
		}
		if len(same) != 1 {
			if len(m.clusters) > 0 {
				m.c.Note("CLB %s: the configuration has %d clusters in its VPC, so it is not tied to a cluster", name, len(same))
			}
			continue
		}
		ci := same[0]
		lb.Cluster = ci.c.Name
		mem := &model.Member{Role: model.RoleLoadBalancer, Name: name, Kind: clbType, Groups: groups, GroupsUnknown: gwhy, Origin: in.Origin}
		if subnet, why := m.c.RefKey(tfinst.Get(v, "subnet_id")); subnet != "" && lb.Scheme == "internal" {
			mem.Addrs = m.subnetBound([]string{subnet}, why)
		}
		ci.workers = append(ci.workers, mem)
	}
	return nil
}

// finishClusters puts every cluster's members together: masters, API
// endpoints, then nodes and load balancers, with distinct names in each
// role.
func (m *mapper) finishClusters() {
	for _, ci := range m.clusters {
		c := ci.c
		var eps []*model.Member
		for _, n := range []string{nameInternetEndpoint, nameIntranetEndpoint} {
			if mem := ci.endpoints[n]; mem != nil {
				eps = append(eps, mem)
			}
		}
		c.Members = append(c.Members, ci.masters...)
		c.Members = append(c.Members, eps...)
		c.Members = append(c.Members, ci.workers...)
		disambiguate(c.Members)
		if ci.inst == nil {
			continue
		}
		if len(c.MembersOf(model.RoleNodes)) == 0 {
			m.c.Note("cluster %s: the configuration declares no nodes for it (no worker_config, exist_instance or node pool), so the nodes' security groups are not known; TKE binds its default worker group (%s) to nodes added without groups (pass --role nodes=GROUP)", c.Name, defaultWorkerGroup)
		}
		if c.Independent && len(ci.masters) == 0 {
			m.c.Note("cluster %s is independent, but the configuration gives no master_config, so the masters' security groups are not known (pass --role control-plane=GROUP)", c.Name)
		}
	}
}

// disambiguate gives members of one role that share a name distinct
// names: name-1, name-2, ….
func disambiguate(ms []*model.Member) {
	count := map[string]int{}
	for _, mem := range ms {
		count[mem.Role+"/"+mem.Name]++
	}
	seen := map[string]int{}
	for _, mem := range ms {
		k := mem.Role + "/" + mem.Name
		if count[k] > 1 {
			seen[k]++
			mem.Name = fmt.Sprintf("%s-%d", mem.Name, seen[k])
		}
	}
}
