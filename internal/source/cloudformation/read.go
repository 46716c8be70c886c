// Package cloudformation reads AWS CloudFormation templates, in YAML
// (with the short intrinsic tags such as !Ref and !GetAtt) or JSON, into
// the provider-neutral estate. It evaluates the intrinsic functions itself
// (parameters with their defaults, conditions, mappings, Fn::Sub,
// Fn::Join, Fn::Select, Fn::Split, Fn::Cidr, and Fn::ImportValue between
// the templates of the input) and marks what a template leaves to deploy
// time as unknown, never guessing: a rule guarded by a condition the input
// does not decide may or may not exist, and says so.
//
// Security groups are keyed by logical ID (qualified with the file's name
// when two templates of the input use the same one). An EKS cluster
// brings the cluster security group EKS creates, as an implicit group
// keyed "<ClusterLogicalID>.ClusterSecurityGroupId".
package cloudformation

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/clusterwall/clusterwall/internal/model"
	"github.com/clusterwall/clusterwall/internal/source/input"
	"github.com/clusterwall/clusterwall/internal/srcpos"
)

// Resource types the reader maps.
const (
	typeSecurityGroup   = "AWS::EC2::SecurityGroup"
	typeIngress         = "AWS::EC2::SecurityGroupIngress"
	typeEgress          = "AWS::EC2::SecurityGroupEgress"
	typeVPC             = "AWS::EC2::VPC"
	typeVPCCidrBlock    = "AWS::EC2::VPCCidrBlock"
	typeSubnet          = "AWS::EC2::Subnet"
	typePrefixList      = "AWS::EC2::PrefixList"
	typeLaunchTemplate  = "AWS::EC2::LaunchTemplate"
	typeLaunchConfig    = "AWS::AutoScaling::LaunchConfiguration"
	typeLaunchConfigEC2 = "AWS::EC2::LaunchConfiguration" // not a real type; accepted as a synonym
	typeASG             = "AWS::AutoScaling::AutoScalingGroup"
	typeEKSCluster      = "AWS::EKS::Cluster"
	typeNodegroup       = "AWS::EKS::Nodegroup"
	typeFargate         = "AWS::EKS::FargateProfile"
	typeAddon           = "AWS::EKS::Addon"
	typeLoadBalancerV2  = "AWS::ElasticLoadBalancingV2::LoadBalancer"
	typeLoadBalancerV1  = "AWS::ElasticLoadBalancing::LoadBalancer"
)

// Detect reports whether a file is a CloudFormation template: a YAML or
// JSON mapping with AWSTemplateFormatVersion, or with a Resources mapping
// whose resource types are AWS ones. keys are the top-level keys when the
// file is a JSON object. A YAML file too broken to parse is claimed when
// its text looks like a template, so that the reader reports where it
// breaks instead of the file being skipped.
func Detect(p string, data []byte, keys map[string]bool) bool {
	if keys != nil && !keys["AWSTemplateFormatVersion"] && !keys["Resources"] {
		return false
	}
	if keys == nil && strings.EqualFold(path.Ext(p), ".json") {
		return false
	}
	root, err := parseDocument(p, data)
	if err != nil {
		return keys == nil && (versionLine.Match(data) || looksLikeTemplate.Match(data))
	}
	root = deref(root)
	if root == nil || root.Kind != yaml.MappingNode {
		return false
	}
	if mapGet(root, "AWSTemplateFormatVersion") != nil {
		return true
	}
	for _, kv := range pairs(mapGet(root, "Resources")) {
		if typ, ok := scalar(mapGet(kv[1], "Type")); ok && strings.HasPrefix(typ, "AWS::") {
			return true
		}
	}
	return false
}

var (
	versionLine       = regexp.MustCompile(`(?m)^["']?AWSTemplateFormatVersion["']?\s*:`)
	looksLikeTemplate = regexp.MustCompile(`(?s)(^|\n)["']?Resources["']?\s*:.*["']?Type["']?\s*:\s*["']?AWS::`)
)

// reader holds every template of the input: one template's imports are
// another's exports.
type reader struct {
	templates []*template
	collide   map[string]int // logical ID → how many templates use it
	steps     int
	exports   []*export
	notes     []string

	estate      *model.Estate
	groups      map[string]*model.Group
	groupOrder  []string
	groupByName map[string]string // GroupName → key
	refs        map[string]groupRef
	refOrder    []string
	extra       map[string][]model.Rule // standalone rules by the key of their group

	launchTemplates map[string]*launchTemplate // by key
	launchConfigs   map[string]*launchTemplate
	clusters        []*clusterDoc
	nodegroups      []*nodegroupDoc
	fargates        []*fargateDoc
	addons          []*addonDoc
	asgs            []*asgDoc
	lbs             []*lbDoc
	taggedGroups    []taggedGroup
	paramGroups     map[*template][]string // keys of groups that are parameters
	importGroups    map[*template][]string // keys of groups that are unresolved imports
}

// groupRef is a group that the input references but does not declare.
type groupRef struct {
	why string
	loc srcpos.Location
}

// Read reads CloudFormation templates into an estate. All templates are
// read together: one may import what another exports.
func Read(files []input.File) (*model.Estate, error) {
	r := &reader{estate: model.NewEstate(), groups: map[string]*model.Group{}, groupByName: map[string]string{},
		refs: map[string]groupRef{}, extra: map[string][]model.Rule{}, launchTemplates: map[string]*launchTemplate{},
		launchConfigs: map[string]*launchTemplate{}, paramGroups: map[*template][]string{}, importGroups: map[*template][]string{}}
	for _, f := range files {
		t, err := parseTemplate(f)
		if err != nil {
			return nil, err
		}
		r.templates = append(r.templates, t)
	}
	r.assignPrefixes()
	if err := r.names(); err != nil {
		return nil, err
	}
	for _, t := range r.templates {
		if t.transform {
			r.notes = append(r.notes, fmt.Sprintf("%s uses a Transform or Fn::ForEach: resources that macros or loops create at deploy time are not read", t.file))
		}
		for _, id := range t.order {
			if err := r.resource(t, t.resources[id]); err != nil {
				return nil, err
			}
		}
	}
	r.build()
	r.estate.Notes = append(r.estate.Notes, r.notes...)
	return r.estate, nil
}

// assignPrefixes qualifies the logical IDs that more than one template
// of the input uses, with the file's name.
func (r *reader) assignPrefixes() {
	count := map[string]int{}
	stems := map[string]int{}
	for _, t := range r.templates {
		seen := map[string]bool{}
		for _, id := range append(slices.Clone(t.order), t.paramOrder...) {
			if !seen[id] {
				seen[id] = true
				count[id]++
			}
		}
		stems[stem(t.file)]++
	}
	for _, t := range r.templates {
		t.prefix = stem(t.file)
		if stems[t.prefix] > 1 {
			t.prefix = strings.TrimSuffix(t.file, path.Ext(t.file))
		}
	}
	r.collide = count
}

// key is the estate key of a template's logical ID.
func (r *reader) key(t *template, id string) string {
	if r.collide[id] > 1 {
		return t.prefix + "." + id
	}
	return id
}

func (r *reader) loc(t *template, n *yaml.Node, addr string) srcpos.Location {
	l := srcpos.Location{File: t.file, Address: addr}
	if n != nil {
		l.Line = n.Line
	}
	return l
}

// names records every security group's GroupName first, so that rules
// naming a group by name (SourceSecurityGroupName) find it wherever it is.
func (r *reader) names() error {
	for _, t := range r.templates {
		for _, id := range t.order {
			res := t.resources[id]
			if res.typ != typeSecurityGroup {
				continue
			}
			v, ok, err := r.field(val{k: kMap, node: res.props, t: t}, "GroupName")
			if err != nil {
				return err
			}
			if s, known := v.known(); ok && known && s != "" {
				if _, dup := r.groupByName[s]; !dup {
					r.groupByName[s] = r.key(t, id)
				}
			}
		}
	}
	return nil
}

// guardOf decides a resource's Condition: skip says the condition is
// false; guard lists the undecided condition the resource depends on.
func (r *reader) guardOf(t *template, res *resource) (skip bool, guard []string, err error) {
	if res.cond == "" {
		return false, nil, nil
	}
	c, err := r.condNamed(t, res.cond, res.key, 0)
	if err != nil {
		return false, nil, err
	}
	switch c.v {
	case no:
		return true, nil, nil
	case yes:
		return false, nil, nil
	}
	return false, []string{guardText(res.cond, true, c.why)}, nil
}

func guardText(cond string, want bool, why string) string {
	return fmt.Sprintf("condition %s is %v (the input does not decide it: %s)", cond, want, why)
}

// resource maps one resource.
func (r *reader) resource(t *template, res *resource) error {
	skip, guard, err := r.guardOf(t, res)
	if err != nil || skip {
		return err
	}
	props := val{k: kMap, node: res.props, t: t}
	if res.props == nil {
		props.node = &yaml.Node{Kind: yaml.MappingNode}
	}
	switch res.typ {
	case typeSecurityGroup:
		return r.securityGroup(t, res, props, guard)
	case typeIngress, typeEgress:
		return r.standaloneRule(t, res, props, guard)
	case typeVPC, typeVPCCidrBlock, typeSubnet:
		return r.network(t, res, props)
	case typePrefixList:
		return r.prefixList(t, res, props)
	case typeLaunchTemplate:
		return r.launchTemplate(t, res, props, guard)
	case typeLaunchConfig, typeLaunchConfigEC2:
		return r.launchConfig(t, res, props, guard)
	case typeASG:
		return r.autoScalingGroup(t, res, props, guard)
	case typeEKSCluster:
		return r.cluster(t, res, props, guard)
	case typeNodegroup:
		return r.nodegroup(t, res, props, guard)
	case typeFargate:
		return r.fargateProfile(t, res, props, guard)
	case typeAddon:
		return r.addon(t, res, props)
	case typeLoadBalancerV2, typeLoadBalancerV1:
		return r.loadBalancer(t, res, props, guard)
	case "AWS::CloudFormation::Stack":
		r.notes = append(r.notes, fmt.Sprintf("%s: nested stack %s is not followed; give its template as an input too (its parameters then have only their defaults)", t.file, res.id))
	}
	return nil
}

// exists notes a resource that may or may not exist but is modelled as
// existing (a cluster, a node group: anything but rules).
func (r *reader) exists(t *template, res *resource, guard []string) {
	if len(guard) > 0 {
		r.notes = append(r.notes, fmt.Sprintf("%s: %s exists only if %s; it is read as existing", t.file, res.id, strings.Join(guard, " and ")))
	}
}
