package cloudformation

import (
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/clusterwall/clusterwall/internal/model"
	"github.com/clusterwall/clusterwall/internal/netset"
	"github.com/clusterwall/clusterwall/internal/source/input"
	"github.com/clusterwall/clusterwall/internal/srcpos"
)

// launchTemplate is an AWS::EC2::LaunchTemplate or a launch configuration:
// the groups instances launched from it get.
type launchTemplate struct {
	key     string
	name    val // LaunchTemplateName or LaunchConfigurationName
	hasName bool
	groups  []string
	unknown string // why the groups are not known
	loc     srcpos.Location
}

type clusterDoc struct {
	t         *template
	res       *resource
	name      val
	display   string
	loc       srcpos.Location
	legacy    bool
	groupKey  string // the implicit cluster security group, "" when legacy
	cpGroups  []string
	cpUnknown string
	subnets   []string
	subnetsOK bool
	endpoint  model.Endpoint
	services  []netip.Prefix
	ipv6      bool
}

type nodegroupDoc struct {
	t        *template
	res      *resource
	key      string
	cluster  val
	name     string
	lt       val // LaunchTemplate specification, or kNull
	remote   val // RemoteAccess, or kNull
	subnets  []string
	subnetOK bool
	loc      srcpos.Location
}

type fargateDoc struct {
	cluster  val
	name     string
	subnets  []string
	subnetOK bool
	loc      srcpos.Location
}

type addonDoc struct {
	cluster val
	name    string
	version string
	loc     srcpos.Location
}

type asgDoc struct {
	t         *template
	key       string
	name      string
	tags      []tag
	lt        val // LaunchTemplate or MixedInstancesPolicy launch template specification
	lc        val // LaunchConfigurationName
	subnets   []string
	subnetsOK bool
	loc       srcpos.Location
}

type lbDoc struct {
	lb      *model.LoadBalancer
	tags    []tag
	subnets []string
}

type taggedGroup struct {
	key  string
	t    *template
	tags []tag
	loc  srcpos.Location
}

func (r *reader) clusterGroupKey(t *template, id string) string {
	return r.key(t, id) + ".ClusterSecurityGroupId"
}

func (r *reader) cluster(t *template, res *resource, props val, guard []string) error {
	r.exists(t, res, guard)
	d := &clusterDoc{t: t, res: res, loc: r.loc(t, res.key, res.id)}
	name, ok, err := r.field(props, "Name")
	if err != nil {
		return err
	}
	if ok && name.k == kStr {
		d.name, d.display = name, name.render()
	} else {
		d.display = res.id
		r.notes = append(r.notes, fmt.Sprintf("%s: cluster %s has no Name, so CloudFormation names it at deploy time; it is called %s here", t.file, res.id, res.id))
	}
	if v, _, err := r.str(props, "Version"); err != nil {
		return err
	} else if v != "" {
		major, minor, _ := strings.Cut(v, ".")
		mj, err1 := strconv.Atoi(major)
		mn, err2 := strconv.Atoi(minor)
		d.legacy = err1 == nil && err2 == nil && mj == 1 && mn < 14
	}
	d.endpoint = model.Endpoint{Public: model.Yes, Private: model.No, Origin: d.loc}
	cfg, ok, err := r.field(props, "ResourcesVpcConfig")
	if err != nil {
		return err
	}
	if ok {
		d.endpoint.Origin = r.loc(t, cfg.node, res.id)
		if v, ok, err := r.field(cfg, "SubnetIds"); err != nil {
			return err
		} else if ok {
			d.subnets, d.subnetsOK = r.subnetKeys(v)
		}
		if v, ok, err := r.field(cfg, "SecurityGroupIds"); err != nil {
			return err
		} else if ok {
			d.cpGroups, d.cpUnknown = r.groupList(v, d.loc)
			if d.cpUnknown != "" {
				d.cpUnknown = "the cluster's SecurityGroupIds: " + d.cpUnknown
			}
		}
		for _, f := range []struct {
			name string
			to   *model.Tri
		}{{"EndpointPublicAccess", &d.endpoint.Public}, {"EndpointPrivateAccess", &d.endpoint.Private}} {
			v, ok, err := r.field(cfg, f.name)
			switch {
			case err != nil:
				return err
			case !ok:
			case isTrue(v):
				*f.to = model.Yes
			case isFalse(v):
				*f.to = model.No
			default:
				*f.to = model.Unset
			}
		}
		if v, ok, err := r.field(cfg, "PublicAccessCidrs"); err != nil {
			return err
		} else if ok {
			if v.k != kList {
				d.endpoint.Public = model.Unset
			}
			for _, e := range v.list {
				s, known := e.known()
				p, ok := input.ParsePrefix(s)
				if !known || !ok {
					d.endpoint.Public, d.endpoint.PublicCIDRs = model.Unset, nil
					break
				}
				d.endpoint.PublicCIDRs = append(d.endpoint.PublicCIDRs, p)
			}
		}
	}
	if d.endpoint.Public == model.Yes && len(d.endpoint.PublicCIDRs) == 0 {
		d.endpoint.PublicCIDRs = []netip.Prefix{netip.MustParsePrefix("0.0.0.0/0")} // the EKS default
	}
	if d.endpoint.Public != model.Yes {
		d.endpoint.PublicCIDRs = nil
	}
	if knc, ok, err := r.field(props, "KubernetesNetworkConfig"); err != nil {
		return err
	} else if ok {
		if s, ok, _ := r.str(knc, "ServiceIpv4Cidr"); ok {
			if p, ok := input.ParsePrefix(s); ok {
				d.services = append(d.services, p)
			}
		}
		if s, ok, _ := r.str(knc, "IpFamily"); ok {
			d.ipv6 = strings.EqualFold(s, "ipv6")
		}
	}
	if !d.legacy {
		d.groupKey = r.clusterGroupKey(t, res.id)
		g := &model.Group{ID: d.groupKey, Name: "eks-cluster-sg-" + d.display, Provider: model.AWS, Implicit: true, Origin: d.loc,
			Description: "the cluster security group EKS creates for cluster " + d.display,
			Tags:        map[string]string{tagK8sClusterPrefix + d.display: "owned", "aws:eks:cluster-name": d.display}}
		r.addGroup(g)
	}
	r.clusters = append(r.clusters, d)
	return nil
}

func (r *reader) nodegroup(t *template, res *resource, props val, guard []string) error {
	r.exists(t, res, guard)
	d := &nodegroupDoc{t: t, res: res, key: r.key(t, res.id), loc: r.loc(t, res.key, res.id)}
	var err error
	if d.cluster, _, err = r.field(props, "ClusterName"); err != nil {
		return err
	}
	if v, ok, err := r.field(props, "NodegroupName"); err != nil {
		return err
	} else if s, known := v.known(); ok && known {
		d.name = s
	} else {
		d.name = d.key
	}
	if d.lt, _, err = r.field(props, "LaunchTemplate"); err != nil {
		return err
	}
	if d.remote, _, err = r.field(props, "RemoteAccess"); err != nil {
		return err
	}
	if v, ok, err := r.field(props, "Subnets"); err != nil {
		return err
	} else if ok {
		d.subnets, d.subnetOK = r.subnetKeys(v)
	}
	r.nodegroups = append(r.nodegroups, d)
	return nil
}

func (r *reader) fargateProfile(t *template, res *resource, props val, guard []string) error {
	r.exists(t, res, guard)
	d := &fargateDoc{loc: r.loc(t, res.key, res.id)}
	var err error
	if d.cluster, _, err = r.field(props, "ClusterName"); err != nil {
		return err
	}
	if s, ok, err := r.str(props, "FargateProfileName"); err != nil {
		return err
	} else if ok {
		d.name = s
	} else {
		d.name = r.key(t, res.id)
	}
	if v, ok, err := r.field(props, "Subnets"); err != nil {
		return err
	} else if ok {
		d.subnets, d.subnetOK = r.subnetKeys(v)
	}
	r.fargates = append(r.fargates, d)
	return nil
}

func (r *reader) addon(t *template, res *resource, props val) error {
	d := &addonDoc{loc: r.loc(t, res.key, res.id)}
	var err error
	if d.cluster, _, err = r.field(props, "ClusterName"); err != nil {
		return err
	}
	if d.name, _, err = r.str(props, "AddonName"); err != nil {
		return err
	}
	if d.version, _, err = r.str(props, "AddonVersion"); err != nil {
		return err
	}
	if d.name != "" {
		r.addons = append(r.addons, d)
	}
	return nil
}

// groupsField reads a list of group IDs (or, for names, GroupName values).
func (r *reader) groupsField(m val, field string, loc srcpos.Location) ([]string, string, error) {
	v, ok, err := r.field(m, field)
	if err != nil || !ok {
		return nil, "", err
	}
	if v.k == kMaybe {
		return nil, field + " " + v.whyUnknown(), nil
	}
	groups, why := r.groupList(v, loc)
	if why != "" {
		why = field + ": " + why
	}
	return groups, why, nil
}

func (r *reader) launchTemplate(t *template, res *resource, props val, guard []string) error {
	r.exists(t, res, guard)
	lt := &launchTemplate{key: r.key(t, res.id), loc: r.loc(t, res.key, res.id)}
	var err error
	if lt.name, lt.hasName, err = r.field(props, "LaunchTemplateName"); err != nil {
		return err
	}
	data, ok, err := r.field(props, "LaunchTemplateData")
	if err != nil {
		return err
	}
	switch {
	case !ok:
	case data.k != kMap:
		lt.unknown = "its LaunchTemplateData " + data.whyUnknown()
	default:
		for _, f := range []string{"SecurityGroupIds", "SecurityGroups"} {
			groups, why, err := r.groupsField(data, f, lt.loc)
			if err != nil {
				return err
			}
			lt.groups = appendUnique(lt.groups, groups...)
			if why != "" && lt.unknown == "" {
				lt.unknown = why
			}
		}
		nis, ok, err := r.field(data, "NetworkInterfaces")
		if err != nil {
			return err
		}
		if ok && nis.k != kList {
			lt.unknown = "its NetworkInterfaces " + nis.whyUnknown()
		}
		for _, ni := range nis.list {
			if ni.k != kMap {
				lt.unknown = "a network interface " + ni.whyUnknown()
				continue
			}
			// The primary interface (device index 0) carries the node's address.
			if idx, ok, _ := r.field(ni, "DeviceIndex"); ok {
				if s, known := idx.known(); !known || strings.TrimSpace(s) != "0" {
					continue
				}
			}
			if idx, ok, _ := r.field(ni, "NetworkCardIndex"); ok {
				if s, known := idx.known(); !known || strings.TrimSpace(s) != "0" {
					continue
				}
			}
			groups, why, err := r.groupsField(ni, "Groups", lt.loc)
			if err != nil {
				return err
			}
			lt.groups = appendUnique(lt.groups, groups...)
			if why != "" && lt.unknown == "" {
				lt.unknown = "NetworkInterfaces " + why
			}
		}
	}
	r.launchTemplates[lt.key] = lt
	return nil
}

func (r *reader) launchConfig(t *template, res *resource, props val, guard []string) error {
	r.exists(t, res, guard)
	lc := &launchTemplate{key: r.key(t, res.id), loc: r.loc(t, res.key, res.id)}
	var err error
	if lc.name, lc.hasName, err = r.field(props, "LaunchConfigurationName"); err != nil {
		return err
	}
	groups, why, err := r.groupsField(props, "SecurityGroups", lc.loc)
	if err != nil {
		return err
	}
	lc.groups, lc.unknown = groups, why
	r.launchConfigs[lc.key] = lc
	return nil
}

func (r *reader) autoScalingGroup(t *template, res *resource, props val, guard []string) error {
	r.exists(t, res, guard)
	d := &asgDoc{t: t, key: r.key(t, res.id), loc: r.loc(t, res.key, res.id)}
	var err error
	if d.tags, err = r.tags(props, "Tags"); err != nil {
		return err
	}
	if s, ok, err := r.str(props, "AutoScalingGroupName"); err != nil {
		return err
	} else if ok {
		d.name = s
	} else if s := knownTag(d.tags, "Name"); s != "" {
		d.name = s
	} else {
		d.name = d.key
	}
	if d.lt, _, err = r.field(props, "LaunchTemplate"); err != nil {
		return err
	}
	if d.lt.k == kNull {
		if mip, ok, err := r.field(props, "MixedInstancesPolicy"); err != nil {
			return err
		} else if ok {
			if lt, ok, err := r.field(mip, "LaunchTemplate"); err != nil {
				return err
			} else if ok {
				if d.lt, _, err = r.field(lt, "LaunchTemplateSpecification"); err != nil {
					return err
				}
			}
		}
	}
	if d.lc, _, err = r.field(props, "LaunchConfigurationName"); err != nil {
		return err
	}
	if v, ok, err := r.field(props, "VPCZoneIdentifier"); err != nil {
		return err
	} else if ok {
		d.subnets, d.subnetsOK = r.subnetKeys(v)
	}
	r.asgs = append(r.asgs, d)
	return nil
}

func (r *reader) loadBalancer(t *template, res *resource, props val, guard []string) error {
	r.exists(t, res, guard)
	key := r.key(t, res.id)
	lb := &model.LoadBalancer{Name: key, Type: "application", Scheme: "internet-facing", Origin: r.loc(t, res.key, res.id)}
	if res.typ == typeLoadBalancerV1 {
		lb.Type = "classic"
		if s, ok, _ := r.str(props, "LoadBalancerName"); ok && s != "" {
			lb.Name = s
		}
	} else if s, ok, _ := r.str(props, "Name"); ok && s != "" {
		lb.Name = s
	}
	if s, ok, _ := r.str(props, "Type"); ok && s != "" {
		lb.Type = s
	}
	if s, ok, _ := r.str(props, "Scheme"); ok && s != "" {
		lb.Scheme = s
	}
	groups, why, err := r.groupsField(props, "SecurityGroups", lb.Origin)
	if err != nil {
		return err
	}
	if why != "" {
		r.notes = append(r.notes, fmt.Sprintf("%s: the security groups of load balancer %s are not known (%s)", t.file, res.id, why))
	}
	lb.Groups = groups
	d := &lbDoc{lb: lb}
	if v, ok, err := r.field(props, "Subnets"); err != nil {
		return err
	} else if ok {
		d.subnets, _ = r.subnetKeys(v)
	}
	if d.tags, err = r.tags(props, "Tags"); err != nil {
		return err
	}
	r.lbs = append(r.lbs, d)
	return nil
}

func appendUnique(xs []string, ys ...string) []string {
	for _, y := range ys {
		if y != "" && !slices.Contains(xs, y) {
			xs = append(xs, y)
		}
	}
	return xs
}

// findLaunchTemplate resolves a launch template specification by ID (a
// Ref to the template) or by name.
func (r *reader) findLaunchTemplate(spec val, idField, nameField string, pool map[string]*launchTemplate) (*launchTemplate, string) {
	id, hasID, _ := r.field(spec, idField)
	name, hasName, _ := r.field(spec, nameField)
	if hasID {
		if sy := id.single(); sy != nil && sy.kind == symRes {
			if lt := pool[r.key(sy.t, sy.name)]; lt != nil {
				return lt, ""
			}
			return nil, fmt.Sprintf("launch template %s is not in the input (or its condition is false)", sy.name)
		}
		if s, ok := id.known(); ok {
			return nil, fmt.Sprintf("launch template %s is not in the input (add `aws ec2 describe-launch-template-versions --launch-template-id %s` output)", s, s)
		}
		return nil, "the launch template " + id.whyUnknown()
	}
	if hasName {
		return r.launchTemplateNamed(name, pool)
	}
	return nil, "the launch template specification names no template"
}

func (r *reader) launchTemplateNamed(name val, pool map[string]*launchTemplate) (*launchTemplate, string) {
	if sy := name.single(); sy != nil && sy.kind == symRes && sy.attr == "" {
		if lt := pool[r.key(sy.t, sy.name)]; lt != nil {
			return lt, ""
		}
	}
	id := name.identity()
	for _, key := range slices.Sorted(maps.Keys(pool)) {
		if lt := pool[key]; lt.hasName && lt.name.identity() == id {
			return lt, ""
		}
	}
	if s, ok := name.known(); ok {
		return nil, fmt.Sprintf("launch template or configuration %s is not in the input", s)
	}
	return nil, "the launch template " + name.whyUnknown()
}

// clusterInfo is one cluster of the estate: declared by an
// AWS::EKS::Cluster, or only named (node groups, tags) by the input.
type clusterInfo struct {
	ids       []string
	display   string
	doc       *clusterDoc
	origin    srcpos.Location
	templates []*template
	c         *model.Cluster
}

// clusterIdentity is what tells clusters apart: the name, with parts
// the template leaves to deploy time kept symbolic; a Ref to a cluster
// resource is that resource.
func clusterIdentity(v val) string {
	if sy := v.single(); sy != nil && sy.kind == symRes && sy.attr == "" && sy.t != nil {
		if res := sy.t.resources[sy.name]; res != nil && res.typ == typeEKSCluster {
			return "\x00res\x00" + sy.t.file + "\x00" + sy.name
		}
	}
	return v.identity()
}

func (r *reader) build() {
	// Rules declared by resources of their own join their groups; groups
	// that are referenced but not declared get their rules marked unknown.
	for _, key := range r.refOrder {
		if r.groups[key] == nil {
			ref := r.refs[key]
			r.addGroup(&model.Group{ID: key, Provider: model.AWS, RulesUnknown: ref.why, Origin: ref.loc})
		}
	}
	for _, key := range slices.Sorted(maps.Keys(r.extra)) {
		g := r.groups[key]
		if g == nil {
			g = &model.Group{ID: key, Provider: model.AWS, RulesUnknown: fmt.Sprintf("%s is not in the input (its resource may be left out by a condition)", key)}
			if rules := r.extra[key]; len(rules) > 0 {
				g.Origin = rules[0].Origin
			}
			r.addGroup(g)
		}
	}
	for _, key := range r.groupOrder {
		if rules, ok := r.extra[key]; ok {
			r.groups[key].Rules = append(r.groups[key].Rules, rules...)
		}
	}
	for _, key := range slices.Sorted(maps.Keys(r.estate.VPCs)) {
		v := r.estate.VPCs[key]
		slices.SortStableFunc(v.CIDRs, func(a, b netip.Prefix) int {
			if a.Addr().Is4() != b.Addr().Is4() {
				if a.Addr().Is4() {
					return -1
				}
				return 1
			}
			return 0
		})
		v.CIDRs = slices.Compact(v.CIDRs)
	}

	for _, d := range r.lbs {
		for _, s := range d.subnets {
			if sub := r.estate.Subnets[s]; sub != nil && sub.VPC != "" {
				d.lb.VPC = sub.VPC
				break
			}
		}
	}
	infos := r.clusterInfos()
	for _, ci := range infos {
		r.buildCluster(ci)
	}
	for _, key := range r.groupOrder {
		r.estate.Groups[key] = r.groups[key]
	}
	for _, lb := range r.lbs {
		r.estate.LoadBalancers = append(r.estate.LoadBalancers, lb.lb)
	}
	for _, ci := range infos {
		r.estate.Clusters = append(r.estate.Clusters, ci.c)
	}
}

func (r *reader) clusterInfos() []*clusterInfo {
	var infos []*clusterInfo
	byID := map[string]*clusterInfo{}
	for _, d := range r.clusters {
		ci := &clusterInfo{display: d.display, doc: d, origin: d.loc, templates: []*template{d.t}}
		ids := []string{"\x00res\x00" + d.t.file + "\x00" + d.res.id}
		if d.name.k == kStr {
			ids = append(ids, d.name.identity())
		}
		for _, id := range ids {
			if byID[id] == nil {
				byID[id] = ci
				ci.ids = append(ci.ids, id)
			}
		}
		infos = append(infos, ci)
	}
	mention := func(name val, t *template, loc srcpos.Location) {
		if name.k != kStr {
			return
		}
		id := clusterIdentity(name)
		ci := byID[id]
		if ci == nil {
			ci = &clusterInfo{ids: []string{id}, display: name.render(), origin: loc}
			byID[id] = ci
			infos = append(infos, ci)
		}
		if t != nil && !slices.Contains(ci.templates, t) {
			ci.templates = append(ci.templates, t)
		}
	}
	for _, d := range r.nodegroups {
		mention(d.cluster, d.t, d.loc)
	}
	for _, d := range r.fargates {
		mention(d.cluster, r.templateOf(d.loc.File), d.loc)
	}
	for _, d := range r.addons {
		mention(d.cluster, r.templateOf(d.loc.File), d.loc)
	}
	for _, d := range r.asgs {
		for _, name := range clusterTags(d.tags) {
			mention(name, d.t, d.loc)
		}
	}
	for _, g := range r.taggedGroups {
		for _, name := range clusterTags(g.tags) {
			mention(name, g.t, g.loc)
		}
	}
	// Two clusters whose names print alike (the same parameter in two
	// templates) are told apart by file.
	count := map[string]int{}
	for _, ci := range infos {
		count[ci.display]++
	}
	for _, ci := range infos {
		if count[ci.display] > 1 {
			ci.display += " (" + ci.origin.File + ")"
		}
	}
	return infos
}

func (ci *clusterInfo) is(v val) bool {
	return v.k == kStr && slices.Contains(ci.ids, clusterIdentity(v))
}

func (r *reader) subnetCIDRs(keys []string, ok bool) ([]netip.Prefix, string) {
	if !ok {
		return nil, ""
	}
	var out []netip.Prefix
	vpc := ""
	for _, k := range keys {
		s := r.estate.Subnets[k]
		if s == nil || len(s.CIDRs) == 0 {
			return nil, vpc
		}
		out = append(out, s.CIDRs...)
		if vpc == "" {
			vpc = s.VPC
		}
	}
	return out, vpc
}

func (r *reader) buildCluster(ci *clusterInfo) {
	c := &model.Cluster{Name: ci.display, Platform: model.EKS, Origin: ci.origin}
	ci.c = c
	var cp []string
	cpUnknown := ""
	if d := ci.doc; d != nil {
		c.Legacy, c.IPv6, c.Endpoint, c.ClusterGroup = d.legacy, d.ipv6, d.endpoint, d.groupKey
		c.Networks.Services = d.services
		c.Networks.Subnets, c.VPC = r.subnetCIDRs(d.subnets, d.subnetsOK)
		if c.VPC == "" {
			for _, s := range d.subnets {
				if sub := r.estate.Subnets[s]; sub != nil && sub.VPC != "" {
					c.VPC = sub.VPC
					break
				}
			}
		}
		cp = appendUnique(cp, d.groupKey)
		cp = appendUnique(cp, d.cpGroups...)
		cpUnknown = d.cpUnknown
		if cpUnknown == "" && len(cp) == 0 {
			cpUnknown = "the cluster predates the cluster security group (Kubernetes < 1.14) and its template gives no SecurityGroupIds, so its control-plane interfaces have the VPC's default group, which the input does not describe"
		}
	} else {
		// The cluster is only named here: its control-plane groups are the
		// ones the templates that name it pass as the control plane's.
		for _, t := range ci.templates {
			for _, key := range r.importGroups[t] {
				switch {
				case strings.HasSuffix(key, "::ClusterSecurityGroupId"):
					if c.ClusterGroup == "" {
						c.ClusterGroup = key
					}
				case strings.HasSuffix(key, "::SecurityGroup"):
					cp = appendUnique(cp, key)
				}
			}
			for _, key := range r.paramGroups[t] {
				if r.controlPlaneParam(t, key) {
					cp = appendUnique(cp, key)
				}
			}
		}
		if c.ClusterGroup != "" {
			cp = append([]string{c.ClusterGroup}, cp...)
			if g := r.groups[c.ClusterGroup]; g != nil {
				// An eksctl cluster stack exports the cluster security group
				// EKS made: the implicit group, with EKS's default rules and
				// whatever rules the stack that is not in the input adds.
				g.Implicit = true
				g.RulesUnknown = fmt.Sprintf("it is the cluster security group of %s, exported by a stack whose template is not in the input: rules that stack adds to it are unknown (add that template)", c.Name)
				g.Tags = map[string]string{tagK8sClusterPrefix + c.Name: "owned", "aws:eks:cluster-name": c.Name}
			}
		}
		if len(cp) == 0 {
			cpUnknown = fmt.Sprintf("cluster %s is not declared in the input, so the groups of its control-plane interfaces are unknown (add its template or `aws eks describe-cluster` output, or --role control-plane=GROUP)", c.Name)
		}
		r.notes = append(r.notes, fmt.Sprintf("cluster %s is not declared in the input (no AWS::EKS::Cluster); what is known of it comes from %s, and its endpoint access is unknown", c.Name, templateFiles(ci.templates)))
	}
	m := &model.Member{Role: model.RoleControlPlane, Kind: "cluster-eni", Groups: cp, GroupsUnknown: cpUnknown, Addrs: c.Networks.Subnets, Origin: c.Origin}
	if cpUnknown != "" {
		m.Groups = nil
	}
	c.Members = append(c.Members, m)

	nodes := r.nodeMembers(ci, c)
	c.Members = append(c.Members, nodes...)
	// Without subnets that say it, the cluster's VPC is its groups'.
	for _, m := range c.Members {
		for _, id := range m.Groups {
			if g := r.groups[id]; c.VPC == "" && g != nil && !g.Implicit && g.VPC != "" {
				c.VPC = g.VPC
			}
		}
	}
	if g := r.groups[c.ClusterGroup]; g != nil && g.VPC == "" {
		g.VPC = c.VPC
	}
	if v := r.estate.VPCs[c.VPC]; v != nil {
		c.Networks.VPC = v.CIDRs
	}
	c.Members = append(c.Members, r.lbMembers(c, nodes)...)
	for _, a := range r.addons {
		if ci.is(a.cluster) {
			c.AddOns = append(c.AddOns, model.AddOn{Name: strings.ToLower(a.name), Version: a.version, Source: typeAddon, Origin: a.loc})
		}
	}
}

func templateFiles(ts []*template) string {
	var fs []string
	for _, t := range ts {
		fs = append(fs, t.file)
	}
	return strings.Join(fs, ", ")
}

// controlPlaneParam reports whether a parameter that names a security
// group is the cluster control plane's, as the AWS node group template's
// ClusterControlPlaneSecurityGroup is: its name or description says so.
func (r *reader) controlPlaneParam(t *template, key string) bool {
	for _, name := range t.paramOrder {
		if r.key(t, name) != key {
			continue
		}
		p := t.params[name]
		norm := strings.NewReplacer(" ", "", "-", "", "_", "").Replace(strings.ToLower(p.name + " " + p.desc))
		return strings.Contains(norm, "controlplane")
	}
	return false
}

func (r *reader) nodeMembers(ci *clusterInfo, c *model.Cluster) []*model.Member {
	var out []*model.Member
	clusterGroup := func() ([]string, string) {
		if c.ClusterGroup == "" {
			return nil, "the nodes get the EKS cluster security group, which the input does not give"
		}
		return []string{c.ClusterGroup}, ""
	}
	for _, d := range r.nodegroups {
		if !ci.is(d.cluster) {
			continue
		}
		m := &model.Member{Role: model.RoleNodes, Name: d.name, Kind: "managed-node-group", Origin: d.loc}
		m.Addrs, _ = r.subnetCIDRs(d.subnets, d.subnetOK)
		if d.lt.k != kNull {
			lt, why := r.findLaunchTemplate(d.lt, "Id", "Name", r.launchTemplates)
			switch {
			case lt == nil:
				m.GroupsUnknown = fmt.Sprintf("node group %s: %s", d.name, why)
			case lt.unknown != "":
				m.GroupsUnknown = fmt.Sprintf("node group %s: launch template %s: %s", d.name, lt.key, lt.unknown)
			case len(lt.groups) > 0:
				// A launch template's groups replace the cluster group.
				m.Groups = lt.groups
			default:
				// A launch template without groups: EKS adds the cluster group.
				m.Groups, m.GroupsUnknown = clusterGroup()
			}
		} else {
			m.Groups, m.GroupsUnknown = clusterGroup()
			if key := r.remoteAccess(d, c); key != "" && m.GroupsUnknown == "" {
				m.Groups = append(m.Groups, key)
			}
		}
		out = append(out, m)
	}
	for _, d := range r.fargates {
		if !ci.is(d.cluster) {
			continue
		}
		m := &model.Member{Role: model.RoleNodes, Name: d.name, Kind: "fargate", Origin: d.loc}
		m.Addrs, _ = r.subnetCIDRs(d.subnets, d.subnetOK)
		// Fargate pods get the cluster security group.
		m.Groups, m.GroupsUnknown = clusterGroup()
		out = append(out, m)
	}
	tagged := map[string]bool{}
	for _, g := range r.taggedGroups {
		for _, name := range clusterTags(g.tags) {
			if ci.is(name) {
				tagged[g.key] = true
			}
		}
	}
	for _, d := range r.asgs {
		groups, why := r.asgGroups(d)
		tied := false
		for _, name := range clusterTags(d.tags) {
			tied = tied || ci.is(name)
		}
		for _, id := range groups {
			tied = tied || tagged[id] || id == c.ClusterGroup && id != ""
		}
		if !tied {
			continue
		}
		m := &model.Member{Role: model.RoleNodes, Name: d.name, Kind: "self-managed", Groups: groups, GroupsUnknown: why, Origin: d.loc}
		if why != "" {
			m.Groups = nil
		}
		m.Addrs, _ = r.subnetCIDRs(d.subnets, d.subnetsOK)
		out = append(out, m)
	}
	if len(out) == 0 {
		cpGroups := c.Members[0].Groups
		for _, g := range r.taggedGroups {
			if !tagged[g.key] || slices.Contains(cpGroups, g.key) || g.key == c.ClusterGroup {
				continue
			}
			out = append(out, &model.Member{Role: model.RoleNodes, Name: g.key, Kind: "tagged-group", Groups: []string{g.key}, Origin: g.loc})
		}
		if len(out) > 0 {
			r.notes = append(r.notes, fmt.Sprintf("cluster %s: the input declares no node group, so the groups tagged %s%s are taken to be the nodes' (or use --role nodes=GROUP)", c.Name, tagK8sClusterPrefix, c.Name))
		}
	}
	if len(out) == 0 && c.ClusterGroup != "" {
		out = append(out, &model.Member{Role: model.RoleNodes, Name: "managed", Kind: "cluster-group-default", Groups: []string{c.ClusterGroup}, Origin: c.Origin})
		r.notes = append(r.notes, fmt.Sprintf("cluster %s: the input declares no nodes, so they are taken to be managed node groups with the cluster security group %s (add the node group templates, or --role nodes=GROUP)", c.Name, c.ClusterGroup))
	}
	input.Disambiguate(out)
	return out
}

func (r *reader) asgGroups(d *asgDoc) ([]string, string) {
	var lt *launchTemplate
	why := ""
	switch {
	case d.lt.k == kMap:
		lt, why = r.findLaunchTemplate(d.lt, "LaunchTemplateId", "LaunchTemplateName", r.launchTemplates)
	case d.lc.k == kStr:
		lt, why = r.launchTemplateNamed(d.lc, r.launchConfigs)
	case d.lt.k != kNull || d.lc.k != kNull:
		why = "its launch template " + d.lt.whyUnknown() + d.lc.whyUnknown()
	default:
		why = "it names no launch template or configuration"
	}
	switch {
	case lt == nil:
		return nil, fmt.Sprintf("auto scaling group %s: %s", d.key, why)
	case lt.unknown != "":
		return nil, fmt.Sprintf("auto scaling group %s: %s: %s", d.key, lt.key, lt.unknown)
	case len(lt.groups) == 0:
		return nil, fmt.Sprintf("auto scaling group %s: %s names no security group, so its instances get the VPC's default group, which the input does not describe", d.key, lt.key)
	}
	return lt.groups, ""
}

// remoteAccess models the group EKS creates for a managed node group's
// RemoteAccess: SSH from the source groups, or from anywhere when the node
// group gives a key and no source groups.
func (r *reader) remoteAccess(d *nodegroupDoc, c *model.Cluster) string {
	if d.remote.k != kMap {
		return ""
	}
	if _, ok, _ := r.field(d.remote, "Ec2SshKey"); !ok {
		return ""
	}
	key := d.key + ".RemoteAccessSecurityGroup"
	loc := r.loc(d.t, d.remote.node, d.res.id)
	g := &model.Group{ID: key, Name: "eks-remoteAccess-" + d.name, Provider: model.AWS, Implicit: true, VPC: c.VPC, Origin: loc,
		Description: "the remote access group EKS creates for node group " + d.name}
	ssh := netset.Ports(netset.TCP, 22, 22)
	src, ok, _ := r.field(d.remote, "SourceSecurityGroups")
	switch {
	case !ok || src.k == kList && len(src.list) == 0:
		g.Rules = append(g.Rules, model.Rule{Direction: model.Ingress, Services: ssh, Peer: model.Peer{Kind: model.PeerCIDR, Prefix: netip.MustParsePrefix("0.0.0.0/0")},
			Description: "EKS opens SSH to everyone: RemoteAccess gives Ec2SshKey and no SourceSecurityGroups", Origin: loc})
	default:
		groups, why := r.groupList(src, loc)
		for _, id := range groups {
			g.Rules = append(g.Rules, model.Rule{Direction: model.Ingress, Services: ssh, Peer: model.Peer{Kind: model.PeerGroup, Group: id},
				Description: "RemoteAccess SourceSecurityGroups", Origin: loc})
		}
		if why != "" {
			g.RulesUnknown = "RemoteAccess SourceSecurityGroups " + why
		}
	}
	g.Rules = append(g.Rules, model.Rule{Direction: model.Egress, Services: netset.AllServices(), Peer: model.Peer{Kind: model.PeerCIDR, Prefix: netip.MustParsePrefix("0.0.0.0/0")},
		Description: "default egress", Origin: loc})
	r.addGroup(g)
	return key
}

// lbMembers ties the load balancers to the cluster when something says
// they serve it: a name the AWS Load Balancer Controller gives ("k8s-…"),
// a tag, or a node rule that admits the balancer's group.
func (r *reader) lbMembers(c *model.Cluster, nodes []*model.Member) []*model.Member {
	admitted := map[string]bool{}
	for _, m := range nodes {
		for _, id := range m.Groups {
			if g := r.groups[id]; g != nil {
				for _, rule := range g.RulesOf(model.Ingress) {
					if rule.Peer.Kind == model.PeerGroup {
						admitted[rule.Peer.Group] = true
					}
				}
			}
		}
	}
	var out []*model.Member
	for _, d := range r.lbs {
		lb := d.lb
		if lb.Cluster != "" || c.VPC != "" && lb.VPC != "" && lb.VPC != c.VPC || len(lb.Groups) == 0 {
			continue
		}
		serves := strings.HasPrefix(lb.Name, "k8s-")
		for _, t := range d.tags {
			k, v := t.key.render(), t.value.render()
			serves = serves || k == "elbv2.k8s.aws/cluster" && v == c.Name || k == tagK8sClusterPrefix+c.Name
		}
		for _, id := range lb.Groups {
			serves = serves || admitted[id]
		}
		if !serves {
			continue
		}
		lb.Cluster = c.Name
		out = append(out, &model.Member{Role: model.RoleLoadBalancer, Name: lb.Name, Kind: lb.Type, Groups: lb.Groups, Origin: lb.Origin})
	}
	return out
}
