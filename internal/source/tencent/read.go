// Package tencent reads the JSON that the Tencent Cloud API answers and
// tccli prints for VPC, TKE, CVM and Auto Scaling describe calls, in any
// subset and spread over any files, with or without the {"Response": …}
// wrapper. It keeps every security group's policies in their match order,
// resolves address and service templates, and infers from what the input
// says which groups the nodes, masters and API endpoints of each TKE
// cluster have. What the input does not say stays unknown, with the call
// that would say it.
//
// Roles come only from what the API answers: DescribeClusterInstances
// (workers and, with --InstanceRole ALL, the masters of an independent
// cluster) with each CVM's ordered SecurityGroupIds, else the node pools'
// launch configurations, else (with a note) the group TKE names
// tke-worker-security-for-<clusterId>. DescribeClusterEndpoints makes the
// internet endpoint (guarded by its SecurityGroup, or by the older
// ClusterExternalACL) and the intranet endpoint (a private VPC address on
// tcp/443, for which TKE reports no group) control-plane members that only
// accept connections. Not read, and so never guessed: CVM tags (TKE does
// not document node tags), CLBs (DescribeLoadBalancers: no load-balancer
// role), DescribeClusterEndpointStatus, and whether VPC-CNI pod ENIs carry
// their node's groups (the ENI subnets are the container network, whose
// pods other groups' rules do not name).
package tencent

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/netip"
	"path"
	"slices"
	"strings"

	"github.com/clusterwall/clusterwall/internal/model"
	"github.com/clusterwall/clusterwall/internal/source/input"
	"github.com/clusterwall/clusterwall/internal/source/jsonpos"
	"github.com/clusterwall/clusterwall/internal/srcpos"
)

// Detect reports whether a JSON object document is Tencent Cloud API
// output. keys are its top-level keys; an answer wrapped in "Response" is
// recognised by the keys inside the wrapper, which Detect reads without
// validating the document (the reader reports syntax errors with their
// lines).
func Detect(data []byte, keys map[string]bool) bool {
	if keys == nil {
		return false
	}
	if hasTopKey(keys) {
		return true
	}
	if !keys["Response"] {
		return false
	}
	inner := responseKeys(data)
	return hasTopKey(inner) || inner["Error"] && inner["RequestId"]
}

func hasTopKey(keys map[string]bool) bool {
	for _, k := range topKeys {
		if keys[k] {
			return true
		}
	}
	return false
}

// responseKeys returns the keys of the object under the top-level
// "Response" key, or nil.
func responseKeys(data []byte) map[string]bool {
	dec := json.NewDecoder(bytes.NewReader(data))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil
		}
		if k, _ := t.(string); k == "Response" {
			rest := bytes.TrimLeft(data[dec.InputOffset():], " \t\r\n:")
			keys, ok := jsonpos.Keys(rest)
			if !ok {
				return nil
			}
			return keys
		}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return nil
		}
	}
	return nil
}

// reader collects every document before it builds the estate, because
// what one file says (a cluster, a template) changes how another (its
// instances, a rule) is read.
type reader struct {
	groups     map[string]*model.Group
	groupOrder []string
	// described: groups DescribeSecurityGroups lists; ruled: groups whose
	// policies are in the input, with the file that gave them.
	described map[string]bool
	ruled     map[string]string
	pending   []pendingRule

	addrTemplates map[string]*addressTemplateDoc
	addrGroups    map[string]*addressGroupDoc
	svcTemplates  map[string]*serviceTemplateDoc
	svcGroups     map[string]*serviceGroupDoc
	addrRefs      []ref // address templates rules name, in order

	vpcs    map[string]*model.VPC
	subnets map[string]*model.Subnet

	clusters  []*clusterDoc
	cvms      map[string]*cvmDoc
	cvmOrder  []string
	nodes     []*nodeDoc
	pools     map[string]*poolDoc
	poolOrder []string
	lcs       map[string]*launchConfiguration
	endpoints []*endpointDoc

	notes []string
}

type ref struct {
	id  string
	loc srcpos.Location
}

// Read reads Tencent Cloud API JSON files into an estate.
func Read(files []input.File) (*model.Estate, error) {
	r := &reader{
		groups: map[string]*model.Group{}, described: map[string]bool{}, ruled: map[string]string{},
		addrTemplates: map[string]*addressTemplateDoc{}, addrGroups: map[string]*addressGroupDoc{},
		svcTemplates: map[string]*serviceTemplateDoc{}, svcGroups: map[string]*serviceGroupDoc{},
		vpcs: map[string]*model.VPC{}, subnets: map[string]*model.Subnet{},
		cvms: map[string]*cvmDoc{}, pools: map[string]*poolDoc{}, lcs: map[string]*launchConfiguration{},
	}
	for _, f := range files {
		if err := r.file(f); err != nil {
			return nil, err
		}
	}
	return r.build()
}

// at makes the location of a node of a file.
type at func(n *jsonpos.Node, addr string) srcpos.Location

func (r *reader) file(f input.File) error {
	var env envelope
	doc, err := jsonpos.Parse(f.Path, f.Data, &env)
	if err != nil {
		return err
	}
	root, d := doc.Root, &env.document
	if env.Response != nil {
		root, d = root.Field("Response"), env.Response
	}
	loc := func(n *jsonpos.Node, addr string) srcpos.Location {
		return srcpos.Location{File: f.Path, Line: n.LineOf(1), Address: addr}
	}
	if d.Error != nil {
		return srcpos.Errorf(loc(root.Field("Error"), ""),
			"the file holds an API error, not a describe answer: %s: %s (run the call again and save its answer)", d.Error.Code, d.Error.Message)
	}
	for i, sg := range d.SecurityGroupSet {
		if err := r.securityGroup(sg, loc(root.At("SecurityGroupSet", i), sg.SecurityGroupID)); err != nil {
			return err
		}
	}
	if d.SecurityGroupPolicySet != nil {
		if err := r.policySet(f.Path, d.SecurityGroupPolicySet, root.Field("SecurityGroupPolicySet"), loc); err != nil {
			return err
		}
	}
	for i, t := range d.AddressTemplateSet {
		l := loc(root.At("AddressTemplateSet", i), t.AddressTemplateID)
		if t.AddressTemplateID == "" {
			return srcpos.Errorf(l, "address template without AddressTemplateId")
		}
		if _, ok := r.addrTemplates[t.AddressTemplateID]; !ok {
			r.addrTemplates[t.AddressTemplateID] = &addressTemplateDoc{t, l}
		}
	}
	for i, g := range d.AddressTemplateGroupSet {
		l := loc(root.At("AddressTemplateGroupSet", i), g.AddressTemplateGroupID)
		if g.AddressTemplateGroupID == "" {
			return srcpos.Errorf(l, "address template group without AddressTemplateGroupId")
		}
		if _, ok := r.addrGroups[g.AddressTemplateGroupID]; !ok {
			r.addrGroups[g.AddressTemplateGroupID] = &addressGroupDoc{g, l}
		}
	}
	for i, t := range d.ServiceTemplateSet {
		l := loc(root.At("ServiceTemplateSet", i), t.ServiceTemplateID)
		if t.ServiceTemplateID == "" {
			return srcpos.Errorf(l, "service template without ServiceTemplateId")
		}
		if _, ok := r.svcTemplates[t.ServiceTemplateID]; !ok {
			r.svcTemplates[t.ServiceTemplateID] = &serviceTemplateDoc{t, l}
		}
	}
	for i, g := range d.ServiceTemplateGroupSet {
		l := loc(root.At("ServiceTemplateGroupSet", i), g.ServiceTemplateGroupID)
		if g.ServiceTemplateGroupID == "" {
			return srcpos.Errorf(l, "service template group without ServiceTemplateGroupId")
		}
		if _, ok := r.svcGroups[g.ServiceTemplateGroupID]; !ok {
			r.svcGroups[g.ServiceTemplateGroupID] = &serviceGroupDoc{g, l}
		}
		// Templates embedded in the group are templates in their own right.
		for j, t := range g.ServiceTemplateSet {
			if _, ok := r.svcTemplates[t.ServiceTemplateID]; !ok && t.ServiceTemplateID != "" {
				r.svcTemplates[t.ServiceTemplateID] = &serviceTemplateDoc{t, loc(root.At("ServiceTemplateGroupSet", i, "ServiceTemplateSet", j), t.ServiceTemplateID)}
			}
		}
	}
	for i, v := range d.VpcSet {
		if err := r.vpc(v, loc(root.At("VpcSet", i), v.VpcID)); err != nil {
			return err
		}
	}
	for i, s := range d.SubnetSet {
		if err := r.subnet(s, loc(root.At("SubnetSet", i), s.SubnetID)); err != nil {
			return err
		}
	}
	for i := range d.Clusters {
		c := &d.Clusters[i]
		l := loc(root.At("Clusters", i), c.ClusterID)
		if c.ClusterID == "" {
			return srcpos.Errorf(l, "cluster without ClusterId")
		}
		if !slices.ContainsFunc(r.clusters, func(o *clusterDoc) bool { return o.c.ClusterID == c.ClusterID }) {
			r.clusters = append(r.clusters, &clusterDoc{c: c, loc: l})
		}
	}
	for i := range d.InstanceSet {
		in := &d.InstanceSet[i]
		l := loc(root.At("InstanceSet", i), in.InstanceID)
		if in.InstanceID == "" {
			return srcpos.Errorf(l, "instance without InstanceId")
		}
		if in.isClusterNode() {
			r.nodes = append(r.nodes, &nodeDoc{in: in, loc: l})
			continue
		}
		if err := r.cvm(in, l); err != nil {
			return err
		}
	}
	for i := range d.NodePoolSet {
		p := &d.NodePoolSet[i]
		l := loc(root.At("NodePoolSet", i), p.NodePoolID)
		if p.NodePoolID == "" {
			return srcpos.Errorf(l, "node pool without NodePoolId")
		}
		if _, ok := r.pools[p.NodePoolID]; !ok {
			r.pools[p.NodePoolID] = &poolDoc{p: p, loc: l}
			r.poolOrder = append(r.poolOrder, p.NodePoolID)
		}
	}
	for i := range d.LaunchConfigurationSet {
		lc := &d.LaunchConfigurationSet[i]
		if lc.LaunchConfigurationID == "" {
			return srcpos.Errorf(loc(root.At("LaunchConfigurationSet", i), ""), "launch configuration without LaunchConfigurationId")
		}
		if _, ok := r.lcs[lc.LaunchConfigurationID]; !ok {
			r.lcs[lc.LaunchConfigurationID] = lc
		}
	}
	if d.endpoints.present() {
		ep := d.endpoints
		r.endpoints = append(r.endpoints, &endpointDoc{e: &ep, loc: loc(root, "")})
	}
	return nil
}

// group returns the group of an id, making it on first mention.
func (r *reader) group(id string, loc srcpos.Location) *model.Group {
	g := r.groups[id]
	if g == nil {
		g = &model.Group{ID: id, Provider: model.Tencent, Origin: loc}
		r.groups[id] = g
		r.groupOrder = append(r.groupOrder, id)
	}
	return g
}

func (r *reader) securityGroup(sg securityGroup, loc srcpos.Location) error {
	if sg.SecurityGroupID == "" {
		return srcpos.Errorf(loc, "security group without SecurityGroupId")
	}
	if r.described[sg.SecurityGroupID] {
		return nil // listed twice (overlapping answers): the first wins
	}
	r.described[sg.SecurityGroupID] = true
	g := r.group(sg.SecurityGroupID, loc)
	g.Origin, g.Name, g.Description, g.Tags = loc, sg.SecurityGroupName, sg.SecurityGroupDesc, tagMap(sg.TagSet)
	return nil
}

// tagMap turns a tag list into a map, nil when there are no tags.
func tagMap(tags []tag) map[string]string {
	if len(tags) == 0 {
		return nil
	}
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[t.Key] = t.Value
	}
	return m
}

// groupIDsIn returns the distinct ids with a prefix ("sg-", "cls-") and
// eight lower-case letters or digits that a file's name holds.
func groupIDsIn(file, prefix string) []string {
	name := path.Base(file)
	var out []string
	for i := 0; i+len(prefix)+8 <= len(name); i++ {
		if !strings.HasPrefix(name[i:], prefix) || i > 0 && isIDChar(name[i-1]) {
			continue
		}
		end := i + len(prefix) + 8
		id := name[i:end]
		ok := end == len(name) || !isIDChar(name[end])
		for j := i + len(prefix); j < end && ok; j++ {
			ok = isIDChar(name[j])
		}
		if ok && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

func isIDChar(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

func (r *reader) vpc(v vpc, loc srcpos.Location) error {
	if v.VpcID == "" {
		return srcpos.Errorf(loc, "VPC without VpcId")
	}
	if _, ok := r.vpcs[v.VpcID]; ok {
		return nil
	}
	m := &model.VPC{ID: v.VpcID, Origin: loc}
	cidrs := []string{v.CidrBlock, v.Ipv6CidrBlock}
	for _, a := range v.AssistantCidrSet {
		cidrs = append(cidrs, a.CidrBlock)
	}
	for _, c := range cidrs {
		if c == "" {
			continue
		}
		p, err := parsePrefix(c, loc)
		if err != nil {
			return err
		}
		if !slices.Contains(m.CIDRs, p) {
			m.CIDRs = append(m.CIDRs, p)
		}
	}
	r.vpcs[v.VpcID] = m
	return nil
}

func (r *reader) subnet(s subnet, loc srcpos.Location) error {
	if s.SubnetID == "" {
		return srcpos.Errorf(loc, "subnet without SubnetId")
	}
	if _, ok := r.subnets[s.SubnetID]; ok {
		return nil
	}
	m := &model.Subnet{ID: s.SubnetID, VPC: s.VpcID, Origin: loc}
	for _, c := range []string{s.CidrBlock, s.Ipv6CidrBlock} {
		if c == "" {
			continue
		}
		p, err := parsePrefix(c, loc)
		if err != nil {
			return err
		}
		m.CIDRs = append(m.CIDRs, p)
	}
	r.subnets[s.SubnetID] = m
	return nil
}

// cvmDoc is one CVM instance: its ordered groups and private addresses.
type cvmDoc struct {
	in    *instance
	addrs []netip.Addr
	loc   srcpos.Location
}

func (r *reader) cvm(in *instance, loc srcpos.Location) error {
	if _, ok := r.cvms[in.InstanceID]; ok {
		return nil
	}
	c := &cvmDoc{in: in, loc: loc}
	for _, s := range append(slices.Clone(in.PrivateIPAddresses), in.IPv6Addresses...) {
		a, err := netip.ParseAddr(strings.TrimSpace(s))
		if err != nil {
			return srcpos.Errorf(loc, "instance %s: %q is not an IP address", in.InstanceID, s)
		}
		if !slices.Contains(c.addrs, a) {
			c.addrs = append(c.addrs, a)
		}
	}
	r.cvms[in.InstanceID] = c
	r.cvmOrder = append(r.cvmOrder, in.InstanceID)
	return nil
}

// parsePrefix reads a CIDR block or a single address.
func parsePrefix(s string, loc srcpos.Location) (netip.Prefix, error) {
	if p, ok := input.ParsePrefix(s); ok {
		return p, nil
	}
	return netip.Prefix{}, srcpos.Errorf(loc, "%q is not a CIDR block (expected such as 10.0.0.0/16, 10.0.0.1 or ::/0)", strings.TrimSpace(s))
}

func (r *reader) note(format string, args ...any) {
	n := fmt.Sprintf(format, args...)
	if !slices.Contains(r.notes, n) {
		r.notes = append(r.notes, n)
	}
}
