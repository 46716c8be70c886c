// Package knowledge owns what clusterwall knows about clusters, as
// declarative catalogs embedded from catalog/*.yaml: the flows each
// platform and add-on needs, what must not be exposed, the ranges that are
// not the internet, and the platform's implicit groups. Every entry cites
// where the fact comes from. Adding an add-on or a required flow is one
// catalog entry; the checks read the catalogs and hold no port numbers.
package knowledge

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"net/netip"
	"slices"
	"strings"
	"sync"

	"github.com/hashicorp/go-version"
	"go.yaml.in/yaml/v3"
	"go4.org/netipx"

	"github.com/clusterwall/clusterwall/internal/netset"
)

//go:embed catalog/*.yaml
var files embed.FS

// Requirement is a flow a cluster needs.
type Requirement struct {
	ID       string `yaml:"id"`
	Title    string `yaml:"title"`
	From     string `yaml:"from"`
	To       string `yaml:"to"`
	Services string `yaml:"services"`
	// Any: one of the services suffices (a load balancer needs some
	// NodePort, not every one).
	Any bool `yaml:"any"`
	// ExceptControllerTargets leaves out the load balancers whose access to
	// the destination a Kubernetes controller writes itself: the AWS Load
	// Balancer Controller opens on the nodes exactly the ports its target
	// groups use (the pod port for IP targets, which need no NodePort).
	ExceptControllerTargets bool      `yaml:"except_controller_targets"`
	Severity                string    `yaml:"severity"`
	When                    Condition `yaml:"when"`
	Breaks                  string    `yaml:"breaks"`
	Seed                    string    `yaml:"seed"`
	References              []string  `yaml:"references"`

	Svcs netset.Services `yaml:"-"`
}

// Condition says when an entry applies.
type Condition struct {
	Roles  []string `yaml:"roles"`  // every one must be present in the cluster
	Level  int      `yaml:"level"`  // the analysis level must be at least this
	Legacy *bool    `yaml:"legacy"` // the cluster must (not) be a legacy EKS cluster
	IPv6   *bool    `yaml:"ipv6"`
	// Independent: the TKE cluster's masters are the user's.
	Independent *bool `yaml:"independent"`
	// Source and Version select among an add-on's versions: how it was
	// installed (helm, eks-addon, flag) and a constraint on its version;
	// "||" separates alternatives (a chart's versions, or its app's).
	Source  []string `yaml:"source"`
	Version string   `yaml:"version"`

	constraints []version.Constraints
}

// AddOn is an installable component and the flows it needs.
type AddOn struct {
	Name         string        `yaml:"name"`
	Aliases      []string      `yaml:"aliases"`
	Platforms    []string      `yaml:"platforms"`
	References   []string      `yaml:"references"`
	Requirements []Requirement `yaml:"requirements"`
}

type addOnCatalog struct {
	AddOns []AddOn `yaml:"addons"`
}

// Exposure is a flow that must not be allowed: a sensitive service open
// to the internet, every port open to the whole VPC, unrestricted egress.
// One end is an address range (internet or vpc), the other roles.
type Exposure struct {
	ID    string   `yaml:"id"`
	Title string   `yaml:"title"`
	From  []string `yaml:"from"` // default: internet
	To    []string `yaml:"to"`
	// Whole: the exposure is a whole protocol (every port of it) being
	// open, or with services "all", everything.
	Whole      bool     `yaml:"whole"`
	Level      int      `yaml:"level"` // from this analysis level on
	Services   string   `yaml:"services"`
	Severity   string   `yaml:"severity"`
	Why        string   `yaml:"why"`
	Advice     string   `yaml:"advice"`
	Seed       string   `yaml:"seed"`
	References []string `yaml:"references"`

	Svcs netset.Services `yaml:"-"`
}

// Wider is a review of a flow between two roles that should allow no more
// than the required flows between them (and their add-ons') need.
type Wider struct {
	ID         string   `yaml:"id"`
	Title      string   `yaml:"title"`
	From       string   `yaml:"from"`
	To         []string `yaml:"to"` // roles whose requirements count as needed
	Protocol   string   `yaml:"protocol"`
	Severity   string   `yaml:"severity"`
	Why        string   `yaml:"why"`
	Advice     string   `yaml:"advice"`
	Seed       string   `yaml:"seed"`
	References []string `yaml:"references"`

	Svcs netset.Services `yaml:"-"`
}

// DefaultRule is a rule a platform puts in a group it creates.
type DefaultRule struct {
	Services string `yaml:"services"`
	Peer     string `yaml:"peer"` // "self" or a CIDR
}

// ImplicitGroup is a group the platform creates with default rules.
type ImplicitGroup struct {
	References []string      `yaml:"references"`
	Ingress    []DefaultRule `yaml:"ingress"`
	Egress     []DefaultRule `yaml:"egress"`
	EgressIPv6 []DefaultRule `yaml:"egress_ipv6"`
}

// Platform is one platform's catalog.
type Platform struct {
	Platform             string         `yaml:"platform"`
	ClusterSecurityGroup *ImplicitGroup `yaml:"cluster_security_group"`
	Requirements         []Requirement  `yaml:"requirements"`
	Exposures            []Exposure     `yaml:"exposures"`
	Wider                []Wider        `yaml:"wider"`
}

type addressCatalog struct {
	Nonpublic []struct {
		CIDR      string `yaml:"cidr"`
		Name      string `yaml:"name"`
		Reference string `yaml:"reference"`
	} `yaml:"nonpublic"`
	AWSUnfiltered struct {
		Reference string `yaml:"reference"`
		CIDRs     []struct {
			CIDR     string `yaml:"cidr"`
			Name     string `yaml:"name"`
			Services string `yaml:"services"`
		} `yaml:"cidrs"`
		VPCOffsets []struct {
			Offset   int    `yaml:"offset"`
			Name     string `yaml:"name"`
			Services string `yaml:"services"`
		} `yaml:"vpc_offsets"`
	} `yaml:"aws_unfiltered"`
}

// Catalog is all that clusterwall knows.
type Catalog struct {
	Platforms map[string]*Platform
	AddOns    []*AddOn

	nonpublic  *netipx.IPSet
	unfiltered []Unfiltered
	vpcOffsets []vpcOffset
}

// Unfiltered is a destination that AWS security groups never filter, for
// the services it offers.
type Unfiltered struct {
	Prefix   netip.Prefix
	Name     string
	Services netset.Services
}

type vpcOffset struct {
	offset   int
	name     string
	services netset.Services
}

var (
	loadOnce sync.Once
	loaded   *Catalog
	loadErr  error
)

// Load returns the embedded catalog. A broken catalog is a programming
// error that the package's tests catch.
func Load() (*Catalog, error) {
	loadOnce.Do(func() { loaded, loadErr = parse(files) })
	return loaded, loadErr
}

// MustLoad is Load for callers that run after the tests proved it works.
func MustLoad() *Catalog {
	c, err := Load()
	if err != nil {
		panic(err)
	}
	return c
}

func decodeStrict(name string, data []byte, v any) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("catalog %s: %w", name, err)
	}
	return nil
}

func parse(fsys fs.FS) (*Catalog, error) {
	c := &Catalog{Platforms: map[string]*Platform{}}
	names, err := fs.Glob(fsys, "catalog/*.yaml")
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		if strings.HasSuffix(name, "/addons.yaml") {
			var a addOnCatalog
			if err := decodeStrict(name, data, &a); err != nil {
				return nil, err
			}
			for i := range a.AddOns {
				if err := a.AddOns[i].compile(name); err != nil {
					return nil, err
				}
				c.AddOns = append(c.AddOns, &a.AddOns[i])
			}
			continue
		}
		if strings.HasSuffix(name, "/addresses.yaml") {
			var a addressCatalog
			if err := decodeStrict(name, data, &a); err != nil {
				return nil, err
			}
			if err := c.addAddresses(name, &a); err != nil {
				return nil, err
			}
			continue
		}
		var p Platform
		if err := decodeStrict(name, data, &p); err != nil {
			return nil, err
		}
		if err := p.compile(name); err != nil {
			return nil, err
		}
		c.Platforms[p.Platform] = &p
	}
	return c, nil
}

func (c *Catalog) addAddresses(name string, a *addressCatalog) error {
	var np netipx.IPSetBuilder
	for _, e := range a.Nonpublic {
		p, err := netip.ParsePrefix(e.CIDR)
		if err != nil || e.Reference == "" {
			return fmt.Errorf("catalog %s: nonpublic %q needs a CIDR and a reference", name, e.CIDR)
		}
		np.AddPrefix(p)
	}
	if a.AWSUnfiltered.Reference == "" {
		return fmt.Errorf("catalog %s: aws_unfiltered needs a reference", name)
	}
	for _, e := range a.AWSUnfiltered.CIDRs {
		p, err := netip.ParsePrefix(e.CIDR)
		if err != nil {
			return fmt.Errorf("catalog %s: aws_unfiltered %q: %w", name, e.CIDR, err)
		}
		svcs, err := netset.ParseServices(e.Services)
		if err != nil || svcs.IsEmpty() {
			return fmt.Errorf("catalog %s: aws_unfiltered %q needs the services it offers: %v", name, e.CIDR, err)
		}
		c.unfiltered = append(c.unfiltered, Unfiltered{Prefix: p.Masked(), Name: e.Name, Services: svcs})
	}
	for _, o := range a.AWSUnfiltered.VPCOffsets {
		svcs, err := netset.ParseServices(o.Services)
		if err != nil || svcs.IsEmpty() {
			return fmt.Errorf("catalog %s: aws_unfiltered offset %d needs the services it offers: %v", name, o.Offset, err)
		}
		c.vpcOffsets = append(c.vpcOffsets, vpcOffset{offset: o.Offset, name: o.Name, services: svcs})
	}
	c.nonpublic, _ = np.IPSet()
	return nil
}

var severities = map[string]bool{"critical": true, "high": true, "medium": true, "low": true, "info": true}

func (p *Platform) compile(name string) error {
	if p.Platform == "" {
		return fmt.Errorf("catalog %s: no platform", name)
	}
	ids := map[string]bool{}
	for i := range p.Requirements {
		if err := p.Requirements[i].compile(name, ids, nil); err != nil {
			return err
		}
	}
	for i := range p.Exposures {
		x := &p.Exposures[i]
		var err error
		if x.Svcs, err = checkEntry(name, ids, x.ID, x.Severity, x.Services, x.References); err != nil {
			return err
		}
		if len(x.From) == 0 {
			x.From = []string{"internet"}
		}
		if len(x.To) == 0 || x.Why == "" || x.Advice == "" {
			return fmt.Errorf("catalog %s: %s needs to, why and advice", name, x.ID)
		}
		ranges := 0
		for _, e := range [][]string{x.From, x.To} {
			if slices.Contains(e, "internet") || slices.Contains(e, "vpc") {
				ranges++
				if len(e) != 1 {
					return fmt.Errorf("catalog %s: %s: an address range (internet, vpc) stands alone at its end", name, x.ID)
				}
			}
		}
		if ranges != 1 {
			return fmt.Errorf("catalog %s: %s: exactly one end must be an address range (internet or vpc)", name, x.ID)
		}
	}
	for i := range p.Wider {
		w := &p.Wider[i]
		var err error
		if w.Svcs, err = checkEntry(name, ids, w.ID, w.Severity, w.Protocol, w.References); err != nil {
			return err
		}
		if w.From == "" || len(w.To) == 0 || w.Why == "" || w.Advice == "" {
			return fmt.Errorf("catalog %s: %s needs from, to, why and advice", name, w.ID)
		}
	}
	return nil
}

func (a *AddOn) compile(name string) error {
	if a.Name == "" || len(a.Platforms) == 0 || len(a.References) == 0 || len(a.Requirements) == 0 {
		return fmt.Errorf("catalog %s: add-on %q needs a name, platforms, references and requirements", name, a.Name)
	}
	ids := map[string]bool{}
	for i := range a.Requirements {
		if err := a.Requirements[i].compile(name, ids, a.References); err != nil {
			return err
		}
	}
	return nil
}

func (r *Requirement) compile(name string, ids map[string]bool, inherited []string) error {
	refs := r.References
	if len(refs) == 0 {
		refs = inherited
		r.References = inherited
	}
	var err error
	if r.Svcs, err = checkEntry(name, ids, r.ID, r.Severity, r.Services, refs); err != nil {
		return err
	}
	if r.From == "" || r.To == "" || r.Breaks == "" {
		return fmt.Errorf("catalog %s: %s needs from, to and breaks", name, r.ID)
	}
	if r.When.Version != "" {
		for _, alt := range strings.Split(r.When.Version, "||") {
			c, err := version.NewConstraint(strings.TrimSpace(alt))
			if err != nil {
				return fmt.Errorf("catalog %s: %s: version %q: %w", name, r.ID, r.When.Version, err)
			}
			r.When.constraints = append(r.When.constraints, c)
		}
	}
	for _, s := range r.When.Source {
		if s != SourceHelm && s != SourceEKSAddOn && s != SourceFlag {
			return fmt.Errorf("catalog %s: %s: source %q: expected helm, eks-addon or flag", name, r.ID, s)
		}
	}
	return nil
}

func checkEntry(name string, ids map[string]bool, id, sev, svcs string, refs []string) (netset.Services, error) {
	if id == "" || ids[id] {
		return netset.Services{}, fmt.Errorf("catalog %s: missing or repeated id %q", name, id)
	}
	ids[id] = true
	if !severities[sev] {
		return netset.Services{}, fmt.Errorf("catalog %s: %s: severity %q", name, id, sev)
	}
	if len(refs) == 0 {
		return netset.Services{}, fmt.Errorf("catalog %s: %s has no reference", name, id)
	}
	s, err := netset.ParseServices(svcs)
	if err != nil {
		return netset.Services{}, fmt.Errorf("catalog %s: %s: %w", name, id, err)
	}
	return s, nil
}

// How an add-on was installed.
const (
	SourceHelm     = "helm"
	SourceEKSAddOn = "eks-addon"
	SourceFlag     = "flag"
)

// SourceKind reduces what a reader recorded (helm_release, aws_eks_addon,
// AWS::EKS::Addon, --addons) to helm, eks-addon or flag.
func SourceKind(s string) string {
	l := strings.ToLower(s)
	switch {
	case strings.Contains(l, "helm"):
		return SourceHelm
	case strings.Contains(l, "addon") && (strings.Contains(l, "eks") || strings.Contains(l, "aws")):
		return SourceEKSAddOn
	}
	return SourceFlag
}

// AddOn returns the catalog entry a chart or add-on name means, or nil.
func (c *Catalog) AddOn(name string) *AddOn {
	name = strings.ToLower(strings.TrimSpace(name))
	for _, a := range c.AddOns {
		if a.Name == name || slices.Contains(a.Aliases, name) {
			return a
		}
	}
	return nil
}

// AddOnNames lists the catalog's add-ons, for messages.
func (c *Catalog) AddOnNames() []string {
	out := make([]string, len(c.AddOns))
	for i, a := range c.AddOns {
		out[i] = a.Name
	}
	slices.Sort(out)
	return out
}

// Matches reports whether an add-on installed from source at ver meets
// the condition's source and version: some alternative of the constraint.
// An add-on without a version is the current one: it meets an alternative
// with no upper bound.
func (w Condition) Matches(source, ver string) bool {
	if len(w.Source) > 0 && !slices.Contains(w.Source, SourceKind(source)) {
		return false
	}
	if len(w.constraints) == 0 {
		return true
	}
	if ver == "" {
		return slices.ContainsFunc(w.constraints, func(c version.Constraints) bool { return !bounded(c) })
	}
	v, err := version.NewVersion(strings.TrimPrefix(ver, "v"))
	if err != nil {
		return true // an unreadable version: check the flows rather than skip them
	}
	return slices.ContainsFunc(w.constraints, func(c version.Constraints) bool { return c.Check(v.Core()) })
}

// CheckVersion reports whether ver reads as an add-on version
// ("3.12.1", "v1.27.3-eksbuild.1").
func CheckVersion(ver string) error {
	if _, err := version.NewVersion(strings.TrimPrefix(ver, "v")); err != nil {
		return fmt.Errorf("%q is not a version (expected one like 3.12.1)", ver)
	}
	return nil
}

// bounded reports whether a constraint has an upper bound, which the
// current version of an add-on does not meet.
func bounded(cs version.Constraints) bool {
	for _, c := range cs {
		s := strings.TrimSpace(c.String())
		op := s[:len(s)-len(strings.TrimLeft(s, "<>=!~"))]
		switch op {
		case ">", ">=", "!=":
		default:
			return true
		}
	}
	return false
}

// Nonpublic returns the ranges that are never the internet.
func (c *Catalog) Nonpublic() *netipx.IPSet { return c.nonpublic }

// Public returns the addresses that count as the internet for a cluster
// in a VPC with these CIDRs.
func (c *Catalog) Public(vpc []netip.Prefix) *netipx.IPSet {
	var b netipx.IPSetBuilder
	b.AddPrefix(netset.AllIPv4)
	b.AddPrefix(netset.AllIPv6)
	b.RemoveSet(c.nonpublic)
	for _, p := range vpc {
		b.RemovePrefix(p)
	}
	s, _ := b.IPSet()
	return s
}

// AWSUnfilteredServices returns the destinations AWS security groups
// never filter for interfaces in VPCs with these IPv4 CIDRs, each with the
// services it offers: traffic to it for any other service is filtered.
func (c *Catalog) AWSUnfilteredServices(vpcs []netip.Prefix) []Unfiltered {
	out := slices.Clone(c.unfiltered)
	for _, p := range vpcs {
		if !p.Addr().Is4() {
			continue
		}
		base := p.Masked().Addr()
		for _, off := range c.vpcOffsets {
			a := base
			for range off.offset {
				a = a.Next()
			}
			if p.Contains(a) {
				out = append(out, Unfiltered{Prefix: netip.PrefixFrom(a, 32), Name: off.name, Services: off.services})
			}
		}
	}
	return out
}
