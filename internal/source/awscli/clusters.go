package awscli

import (
	"cmp"
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strings"

	"github.com/clusterwall/clusterwall/internal/model"
	"github.com/clusterwall/clusterwall/internal/source/input"
)

// Evidence of EKS in what the AWS CLI prints.
const (
	tagEKSClusterName  = "aws:eks:cluster-name"           // on the cluster security group
	tagK8sClusterPref  = "kubernetes.io/cluster/"         // on node and cluster groups
	tagCNIClusterName  = "cluster.k8s.amazonaws.com/name" // on ENIs the VPC CNI creates
	tagCNIInstance     = "node.k8s.amazonaws.com/instance_id"
	tagInstanceCluster = "eks:cluster-name" // on managed node group instances
	tagInstanceNG      = "eks:nodegroup-name"
	tagLBCCluster      = "elbv2.k8s.aws/cluster" // on groups the Load Balancer Controller makes
	descControlPlane   = "Amazon EKS "
	descCNI            = "aws-K8S-"
	descBranch         = "aws-k8s-branch-eni"
)

func (r *reader) build() *model.Estate {
	e := model.NewEstate()
	for _, id := range r.groupOrder {
		g := r.groups[id]
		if rules, ok := r.ruleGroups[id]; ok {
			// describe-security-group-rules gives the same rules with ids.
			g.Rules = rules
		} else if g.Origin.IsZero() {
			g.RulesUnknown = fmt.Sprintf("the group is named in the input but not described (add `aws ec2 describe-security-groups --group-ids %s` output)", id)
		}
		e.Groups[id] = g
	}
	for id, s := range r.prefixLists {
		e.AddressSets[id] = s
	}
	for id, v := range r.vpcs {
		e.VPCs[id] = v
	}
	for id, s := range r.subnets {
		e.Subnets[id] = s
	}
	e.Interfaces = r.enis
	e.LoadBalancers = r.lbs
	for _, name := range r.clusterNames() {
		c := r.cluster(name, e)
		e.Clusters = append(e.Clusters, c)
	}
	return e
}

// clusterNames finds every cluster the input shows evidence of, in the
// order first seen.
func (r *reader) clusterNames() []string {
	var names []string
	add := func(n string) {
		if n != "" && !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	for _, c := range r.clusters {
		add(c.c.Name)
	}
	for _, ng := range r.nodegroups {
		add(ng.ng.ClusterName)
	}
	for _, id := range r.groupOrder {
		add(r.groups[id].Tags[tagEKSClusterName])
	}
	for _, n := range r.enis {
		if name, ok := strings.CutPrefix(n.Description, descControlPlane); ok {
			add(name)
		}
		add(n.Tags[tagCNIClusterName])
	}
	return names
}

func (r *reader) clusterDoc(name string) *clusterDoc {
	for i := range r.clusters {
		if r.clusters[i].c.Name == name {
			return &r.clusters[i]
		}
	}
	return nil
}

func (r *reader) cluster(name string, e *model.Estate) *model.Cluster {
	c := &model.Cluster{Name: name, Platform: model.EKS}
	var cpGroups []string
	if doc := r.clusterDoc(name); doc != nil {
		cfg := doc.c.ResourcesVpcConfig
		c.Origin, c.VPC, c.ClusterGroup = doc.loc, cfg.VpcID, cfg.ClusterSecurityGroupID
		c.Legacy = cfg.ClusterSecurityGroupID == ""
		c.IPv6 = doc.c.KubernetesNetworkConfig.IPFamily == "ipv6"
		c.Endpoint = model.Endpoint{Public: triPtr(cfg.EndpointPublicAccess), Private: triPtr(cfg.EndpointPrivateAccess), Origin: doc.loc}
		if c.Endpoint.Public == model.Yes {
			cidrs := cfg.PublicAccessCidrs
			if len(cidrs) == 0 {
				cidrs = []string{"0.0.0.0/0"} // the EKS default
			}
			for _, s := range cidrs {
				if p, err := netip.ParsePrefix(s); err == nil {
					c.Endpoint.PublicCIDRs = append(c.Endpoint.PublicCIDRs, p.Masked())
				}
			}
		}
		for _, s := range []string{doc.c.KubernetesNetworkConfig.ServiceIPv4Cidr, doc.c.KubernetesNetworkConfig.ServiceIPv6Cidr} {
			if p, err := netip.ParsePrefix(s); err == nil {
				c.Networks.Services = append(c.Networks.Services, p.Masked())
			}
		}
		c.Networks.Subnets = r.subnetCIDRs(cfg.SubnetIDs)
		cpGroups = appendUnique(cpGroups, cfg.ClusterSecurityGroupID)
		cpGroups = appendUnique(cpGroups, cfg.SecurityGroupIDs...)
	} else {
		// No describe-cluster: the cluster security group carries the
		// cluster's name in a tag that EKS maintains.
		for _, id := range r.groupOrder {
			if g := r.groups[id]; g.Tags[tagEKSClusterName] == name {
				c.ClusterGroup, c.VPC, c.Origin = id, g.VPC, g.Origin
				cpGroups = appendUnique(cpGroups, id)
				break
			}
		}
		e.Notes = append(e.Notes, fmt.Sprintf("cluster %s: no `aws eks describe-cluster` output, so its endpoint access and additional security groups are unknown", name))
	}
	if v := r.vpcs[c.VPC]; v != nil {
		c.Networks.VPC = v.CIDRs
	} else if c.VPC != "" {
		e.Notes = append(e.Notes, fmt.Sprintf("cluster %s: the CIDRs of %s are not in the input (add `aws ec2 describe-vpcs` output); the vpc role and what counts as internet are less precise", name, c.VPC))
	}

	cp, nodes, pods, lbENIs := r.classify(name, c)
	c.Members = append(c.Members, r.controlPlane(c, cp, cpGroups)...)
	nodeMembers := r.nodeMembers(c, nodes, e)
	c.Members = append(c.Members, nodeMembers...)
	c.Members = append(c.Members, r.podMembers(pods)...)
	c.Members = append(c.Members, r.loadBalancers(c, nodeMembers, lbENIs)...)
	return c
}

func triPtr(b *bool) model.Tri {
	if b == nil {
		return model.Unset
	}
	return model.TriOf(*b)
}

func appendUnique(xs []string, ys ...string) []string {
	for _, y := range ys {
		if y != "" && !slices.Contains(xs, y) {
			xs = append(xs, y)
		}
	}
	return xs
}

func (r *reader) subnetCIDRs(ids []string) []netip.Prefix {
	var out []netip.Prefix
	for _, id := range ids {
		s := r.subnets[id]
		if s == nil {
			return nil // one unknown subnet makes the whole bound unknown
		}
		out = append(out, s.CIDRs...)
	}
	return out
}

// classify sorts the interfaces of a cluster by what made them.
func (r *reader) classify(name string, c *model.Cluster) (cp, nodes, pods []*model.Interface, lbs map[string][]*model.Interface) {
	lbs = map[string][]*model.Interface{}
	nodeInstances := map[string]bool{}
	for id, inst := range r.instances {
		if inst.tags[tagInstanceCluster] == name || inst.tags[tagK8sClusterPref+name] != "" {
			nodeInstances[id] = true
		}
	}
	for _, n := range r.enis {
		if n.Tags[tagCNIClusterName] == name {
			if id := n.Tags[tagCNIInstance]; id != "" {
				nodeInstances[id] = true
			}
			if n.Instance != "" {
				nodeInstances[n.Instance] = true
			}
		}
	}
	inCluster := func(n *model.Interface) bool { return c.VPC == "" || n.VPC == "" || n.VPC == c.VPC }
	for _, n := range r.enis {
		switch {
		case n.Description == descControlPlane+name:
			cp = append(cp, n)
		case !inCluster(n):
		case strings.HasPrefix(n.Description, "ELB "):
			lbs[lbNameOf(n.Description)] = append(lbs[lbNameOf(n.Description)], n)
		case n.Type == "branch" || n.Description == descBranch:
			// The VPC resource controller tags the branch interfaces it
			// makes kubernetes.io/cluster/<name>; their groups are the
			// pods' own, which nothing tags.
			if n.Tags[tagCNIClusterName] == name || n.Tags[tagK8sClusterPref+name] != "" || r.hasClusterGroup(n, name, c) {
				pods = append(pods, n)
			}
		case n.Tags[tagCNIClusterName] == name, n.Instance != "" && nodeInstances[n.Instance]:
			nodes = append(nodes, n)
		case strings.HasPrefix(n.Description, descCNI) && nodeInstances[strings.TrimPrefix(n.Description, descCNI)]:
			nodes = append(nodes, n)
		case n.Instance != "" && r.hasClusterGroup(n, name, c):
			nodes = append(nodes, n)
		}
	}
	return cp, nodes, pods, lbs
}

// lbNameOf reads the balancer name from "ELB app/<name>/<id>",
// "ELB net/<name>/<id>" or "ELB <name>" (classic).
func lbNameOf(desc string) string {
	rest := strings.TrimPrefix(desc, "ELB ")
	parts := strings.Split(rest, "/")
	if len(parts) >= 2 {
		return parts[1]
	}
	return rest
}

// hasClusterGroup reports whether an interface has a group that EKS or
// Kubernetes tags as the cluster's, or the cluster security group.
func (r *reader) hasClusterGroup(n *model.Interface, name string, c *model.Cluster) bool {
	for _, id := range n.Groups {
		if id == c.ClusterGroup && id != "" {
			return true
		}
		if g := r.groups[id]; g != nil && (g.Tags[tagK8sClusterPref+name] != "" || g.Tags[tagEKSClusterName] == name) {
			return true
		}
	}
	return false
}

// membersByGroups makes one member per distinct ordered group set (and
// name), with the exact addresses of its interfaces.
func membersByGroups(role, kind string, ifcs []*model.Interface, nameOf func(*model.Interface) string) []*model.Member {
	var out []*model.Member
	index := map[string]*model.Member{}
	for _, n := range ifcs {
		name := nameOf(n)
		key := name + "|" + strings.Join(n.Groups, ",")
		m := index[key]
		if m == nil {
			m = &model.Member{Role: role, Name: name, Kind: kind, Groups: n.Groups, AddrsExact: true, Origin: n.Origin}
			index[key] = m
			out = append(out, m)
		}
		m.Interfaces++
		for _, a := range n.Addrs {
			m.Addrs = append(m.Addrs, netip.PrefixFrom(a, a.BitLen()))
		}
	}
	input.Disambiguate(out)
	return out
}

func (r *reader) controlPlane(c *model.Cluster, enis []*model.Interface, groups []string) []*model.Member {
	if len(enis) > 0 {
		return membersByGroups(model.RoleControlPlane, "cluster-eni", enis, func(*model.Interface) string { return "" })
	}
	m := &model.Member{Role: model.RoleControlPlane, Kind: "cluster-eni", Groups: groups, Addrs: c.Networks.Subnets, Origin: c.Origin}
	if r.clusterDoc(c.Name) == nil && len(groups) > 0 {
		m.GroupsMore = fmt.Sprintf("without `aws eks describe-cluster --name %s` output or its control-plane interfaces, the additional security groups EKS puts on them (resourcesVpcConfig.securityGroupIds) are not in the input", c.Name)
	}
	if len(m.Addrs) == 0 {
		m.Addrs = c.Networks.VPC
	}
	if len(groups) == 0 {
		m.GroupsUnknown = "the cluster has neither a cluster security group nor additional security groups in the input; the control-plane interfaces then have the VPC's default group"
	}
	return []*model.Member{m}
}

func (r *reader) nodeMembers(c *model.Cluster, enis []*model.Interface, e *model.Estate) []*model.Member {
	if len(enis) > 0 {
		return membersByGroups(model.RoleNodes, "node", enis, func(n *model.Interface) string { return r.nodegroupOf(n) })
	}
	var out []*model.Member
	for _, doc := range r.nodegroups {
		ng := doc.ng
		if ng.ClusterName != c.Name {
			continue
		}
		m := &model.Member{Role: model.RoleNodes, Name: ng.NodegroupName, Kind: "managed-node-group", Origin: doc.loc, Addrs: r.subnetCIDRs(ng.Subnets)}
		if len(m.Addrs) == 0 {
			m.Addrs = c.Networks.VPC
		}
		if m.Groups = r.nodegroupGroups(ng); m.Groups == nil {
			lt := cmp.Or(ng.LaunchTemplate.ID, ng.LaunchTemplate.Name)
			m.GroupsUnknown = fmt.Sprintf("node group %s uses launch template %s, which is not in the input (add `aws ec2 describe-launch-template-versions --launch-template-id %s` output)", ng.NodegroupName, lt, lt)
		}
		out = append(out, m)
	}
	if len(out) > 0 {
		return out
	}
	return r.nodesFromTags(c, e)
}

// nodegroupGroups returns the groups of a managed node group's nodes, or
// nil when its launch template is not in the input. EKS puts the cluster
// security group on nodes of a node group without a launch template, or
// whose template names no groups; a template's groups replace it.
func (r *reader) nodegroupGroups(ng *eksNodegroup) []string {
	cluster := ""
	if doc := r.clusterDoc(ng.ClusterName); doc != nil {
		cluster = doc.c.ResourcesVpcConfig.ClusterSecurityGroupID
	}
	lt := ng.LaunchTemplate
	if lt == nil {
		return appendUnique([]string{}, cluster, ng.Resources.RemoteAccessSecurityGroup)
	}
	groups, ok := r.templates[lt.ID]
	if !ok {
		groups, ok = r.templates[lt.Name]
	}
	switch {
	case !ok:
		return nil
	case len(groups) == 0:
		return appendUnique([]string{}, cluster)
	}
	return groups
}

// nodesFromTags is the last resort when the input shows no node interface
// and no node group: a group tagged kubernetes.io/cluster/<name> that is
// not the cluster's own is a node group's, as terraform-aws-eks, eksctl
// and the AWS node template make them.
func (r *reader) nodesFromTags(c *model.Cluster, e *model.Estate) []*model.Member {
	var out []*model.Member
	cp := map[string]bool{c.ClusterGroup: true}
	if doc := r.clusterDoc(c.Name); doc != nil {
		for _, id := range doc.c.ResourcesVpcConfig.SecurityGroupIDs {
			cp[id] = true
		}
	}
	for _, id := range r.groupOrder {
		g := r.groups[id]
		if cp[id] || g.Tags[tagK8sClusterPref+c.Name] == "" || g.Tags[tagLBCCluster] != "" || strings.HasPrefix(g.Name, "k8s-") {
			continue
		}
		out = append(out, &model.Member{Role: model.RoleNodes, Name: cmp.Or(g.Name, id), Kind: "tagged-group",
			Groups: []string{id}, Addrs: c.Networks.VPC, Origin: g.Origin})
	}
	if len(out) == 0 && c.ClusterGroup != "" {
		out = append(out, &model.Member{Role: model.RoleNodes, Name: "managed", Kind: "cluster-group-default",
			Groups: []string{c.ClusterGroup}, Addrs: c.Networks.VPC, Origin: c.Origin})
		e.Notes = append(e.Notes, fmt.Sprintf("cluster %s: the input shows no nodes, so they are taken to be managed node groups with the cluster security group %s (add describe-network-interfaces or describe-nodegroup output, or --role nodes=GROUP)", c.Name, c.ClusterGroup))
	} else if len(out) > 0 {
		e.Notes = append(e.Notes, fmt.Sprintf("cluster %s: the input shows no nodes, so the groups tagged %s%s are taken to be the node groups' (add describe-network-interfaces output, or --role nodes=GROUP)", c.Name, tagK8sClusterPref, c.Name))
	}
	return out
}

// nodegroupOf names the node group of a node interface: the managed node
// group's name from the instance tags, or the name of its groups.
func (r *reader) nodegroupOf(n *model.Interface) string {
	inst := n.Instance
	if inst == "" {
		inst = n.Tags[tagCNIInstance]
	}
	if info := r.instances[inst]; info != nil {
		if ng := info.tags[tagInstanceNG]; ng != "" {
			return ng
		}
		if asg := info.tags["aws:autoscaling:groupName"]; asg != "" {
			for _, doc := range r.nodegroups {
				for _, a := range doc.ng.Resources.AutoScalingGroups {
					if a.Name == asg {
						return doc.ng.NodegroupName
					}
				}
			}
			return asg
		}
	}
	// A node group that gives exactly these groups.
	var match []string
	for _, doc := range r.nodegroups {
		if groups := r.nodegroupGroups(doc.ng); len(groups) > 0 && sameSet(groups, n.Groups) {
			match = append(match, doc.ng.NodegroupName)
		}
	}
	if len(match) == 1 {
		return match[0]
	}
	return r.groupSetName(n.Groups)
}

// groupSetName names a set of groups by their names, or their ids.
func (r *reader) groupSetName(ids []string) string {
	names := make([]string, len(ids))
	for i, id := range ids {
		names[i] = cmp.Or(r.groups[id].Name, id)
	}
	return strings.Join(names, "+")
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}

func (r *reader) podMembers(enis []*model.Interface) []*model.Member {
	return membersByGroups(model.RolePods, "branch-eni", enis, func(n *model.Interface) string { return r.groupSetName(n.Groups) })
}

// loadBalancers ties the balancers of the cluster's VPC to the cluster
// when something says they serve it: a name the AWS Load Balancer
// Controller gives ("k8s-…"), a group it tags, or a node rule that admits
// the balancer's group.
func (r *reader) loadBalancers(c *model.Cluster, nodes []*model.Member, enis map[string][]*model.Interface) []*model.Member {
	// Groups the nodes admit, and balancer names their rules mention (the
	// in-tree controller describes NLB rules "kubernetes.io/rule/nlb/…=NAME").
	admitted := map[string]bool{}
	for _, m := range nodes {
		for _, id := range m.Groups {
			g := r.groups[id]
			if g == nil {
				continue
			}
			for _, rule := range g.Rules { // build has put describe-security-group-rules output there
				if rule.Direction != model.Ingress {
					continue
				}
				if rule.Peer.Kind == model.PeerGroup {
					admitted[rule.Peer.Group] = true
				}
				if _, name, ok := strings.Cut(rule.Description, "="); ok && strings.HasPrefix(rule.Description, "kubernetes.io/rule/") {
					admitted[name] = true
				}
			}
		}
	}
	var out []*model.Member
	seen := map[string]bool{}
	for _, lb := range r.lbs {
		if c.VPC != "" && lb.VPC != "" && lb.VPC != c.VPC {
			continue
		}
		seen[lb.Name] = true
		if !r.servesCluster(c, lb.Name, lb.Groups, admitted) {
			continue
		}
		lb.Cluster = c.Name
		m := &model.Member{Role: model.RoleLoadBalancer, Name: lb.Name, Kind: lb.Type, Groups: lb.Groups, Origin: lb.Origin, Addrs: c.Networks.VPC}
		if ifcs := enis[lb.Name]; len(ifcs) > 0 {
			m.Addrs, m.AddrsExact = nil, true
			for _, n := range ifcs {
				m.Interfaces++
				for _, a := range n.Addrs {
					m.Addrs = append(m.Addrs, netip.PrefixFrom(a, a.BitLen()))
				}
			}
		}
		out = append(out, m)
	}
	// Balancers seen only as interfaces.
	var names []string
	for name := range enis {
		if !seen[name] {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	for _, name := range names {
		ifcs := enis[name]
		if !r.servesCluster(c, name, ifcs[0].Groups, admitted) {
			continue
		}
		out = append(out, membersByGroups(model.RoleLoadBalancer, "elb-eni", ifcs, func(*model.Interface) string { return name })...)
	}
	return out
}

// servesCluster tells a balancer of the cluster's VPC that Kubernetes
// made or that the nodes admit. A balancer without groups (an NLB) is a
// member without groups: nothing filters what it sends, and the nodes'
// rules alone decide.
func (r *reader) servesCluster(c *model.Cluster, name string, groups []string, admitted map[string]bool) bool {
	if strings.HasPrefix(name, "k8s-") || admitted[name] || inTreeLBName.MatchString(name) {
		return true
	}
	for _, id := range groups {
		if admitted[id] {
			return true
		}
		if g := r.groups[id]; g != nil && (g.Tags[tagLBCCluster] == c.Name || g.Tags[tagK8sClusterPref+c.Name] != "" || strings.HasPrefix(g.Name, "k8s-")) {
			return true
		}
	}
	return false
}

// inTreeLBName is how the in-tree service controller names balancers: "a"
// and the Service's UID without dashes, cut to 32 characters.
var inTreeLBName = regexp.MustCompile(`^a[0-9a-f]{31}$`)
