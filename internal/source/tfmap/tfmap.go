// Package tfmap lists the mappers that turn Terraform resource instances
// into the model, and runs them over one configuration. Every Terraform
// reader (HCL configuration, plan JSON) builds its estate here, so that a
// provider's mapping is written once. Adding a provider is one entry in
// Mappers.
package tfmap

import (
	"path"
	"slices"
	"strings"

	"github.com/clusterwall/clusterwall/internal/model"
	"github.com/clusterwall/clusterwall/internal/source/tfaws"
	"github.com/clusterwall/clusterwall/internal/source/tfinst"
	"github.com/clusterwall/clusterwall/internal/source/tftencent"
)

// Mappers are run in this order over every configuration.
var Mappers = []tfinst.Mapper{
	tfaws.Mapper{},
	tftencent.Mapper{},
	helm{},
}

// References lists the computed attributes of a resource type that name
// another object (see tfinst.Mapper.References).
func References(typ string) []string {
	for _, m := range Mappers {
		if claims(m, typ) {
			return m.References(typ)
		}
	}
	return nil
}

// IDAttribute names the attribute a resource type's id equals (see
// tfinst.Mapper.IDAttribute).
func IDAttribute(typ string) string {
	for _, m := range Mappers {
		if claims(m, typ) {
			return m.IDAttribute(typ)
		}
	}
	return ""
}

func claims(m tfinst.Mapper, typ string) bool {
	for _, p := range m.Prefixes() {
		if strings.HasPrefix(typ, p) {
			return true
		}
	}
	return false
}

// Build maps the instances of one configuration. prefix goes before every
// address that becomes a key (see tfinst.Context.Prefix).
func Build(instances []*tfinst.Instance, prefix string) (*model.Estate, error) {
	all := make(map[string]*tfinst.Instance, len(instances))
	for _, in := range instances {
		all[in.Address] = in
	}
	e := model.NewEstate()
	for _, m := range Mappers {
		c := &tfinst.Context{Estate: e, All: all, Prefix: prefix}
		for _, in := range instances {
			if claims(m, in.Type) {
				c.Instances = append(c.Instances, in)
			}
		}
		if len(c.Instances) == 0 {
			continue
		}
		if err := m.Map(c); err != nil {
			return nil, err
		}
	}
	return e, nil
}

// helm reads helm_release charts as add-ons of the configuration's
// clusters: the release runs in the cluster its provider points at, which
// in one configuration is the cluster declared there.
type helm struct{}

func (helm) Prefixes() []string         { return []string{"helm_"} }
func (helm) References(string) []string { return nil }
func (helm) IDAttribute(string) string  { return "" }

func (helm) Map(c *tfinst.Context) error {
	for _, in := range c.Of("helm_release") {
		if in.ExpansionUnknown != "" {
			c.Note("%s: %s, so the add-ons it installs are not known", in.Address, in.ExpansionUnknown)
			continue
		}
		chart, ok := tfinst.String(tfinst.Get(in.Values, "chart"))
		if !ok {
			c.Note("%s: the chart is not known (%s)", in.Address, tfinst.ReasonOr(tfinst.Get(in.Values, "chart"), "not set"))
			continue
		}
		name := ChartName(chart)
		if name == "" {
			continue
		}
		version, _ := tfinst.String(tfinst.Get(in.Values, "version"))
		if len(c.Estate.Clusters) == 0 {
			c.Note("%s installs %s, but the configuration declares no cluster to tie it to", in.Address, name)
		}
		for _, cl := range c.Estate.Clusters {
			if !slices.ContainsFunc(cl.AddOns, func(a model.AddOn) bool { return a.Name == name }) {
				cl.AddOns = append(cl.AddOns, model.AddOn{Name: name, Version: version, Source: "helm_release", Origin: in.Origin})
			}
		}
	}
	return nil
}

// ChartName is the catalog name of a chart reference: its last path
// element, lower case, without a version suffix ("oci://…/karpenter",
// "bitnami/metrics-server", "./charts/istiod-1.2.0.tgz").
func ChartName(chart string) string {
	chart = strings.TrimSpace(chart)
	chart = strings.TrimRight(chart, "/")
	base := strings.ToLower(path.Base(chart))
	if strings.HasSuffix(base, ".tgz") {
		base = strings.TrimSuffix(base, ".tgz")
		// name-1.2.3.tgz
		if i := strings.LastIndex(base, "-"); i > 0 && i+1 < len(base) && base[i+1] >= '0' && base[i+1] <= '9' {
			base = base[:i]
		}
	}
	if base == "." || base == "/" {
		return ""
	}
	return base
}
