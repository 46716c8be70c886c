package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

	"github.com/clusterwall/clusterwall/internal/assemble"
	"github.com/clusterwall/clusterwall/internal/knowledge"
	"github.com/clusterwall/clusterwall/internal/model"
	"github.com/clusterwall/clusterwall/internal/netset"
	"github.com/clusterwall/clusterwall/internal/reach"
	"github.com/clusterwall/clusterwall/internal/source"
	"github.com/clusterwall/clusterwall/internal/source/input"
)

// common are the flags every analysing command shares.
type common struct {
	format   string
	output   string
	platform string
	addons   []string
	level    int
	roles    []string
	cluster  string
	varFiles []string
	vars     []string
	config   string
}

func (o *common) register(cmd *cobra.Command, formats []string) {
	f := cmd.Flags()
	f.StringVarP(&o.format, "format", "f", formats[0], "output format: "+strings.Join(formats, ", "))
	f.StringVarP(&o.output, "output", "o", "", "write the output to this file instead of stdout")
	f.StringVar(&o.platform, "platform", "", "platform of the clusters: eks or tke (default: from the input)")
	f.StringSliceVar(&o.addons, "addons", nil, "add-ons installed in the cluster, comma-separated NAME[@CHART_VERSION] (istio,gatekeeper,metrics-server@3.8.2,…)")
	f.IntVar(&o.level, "level", 0, "security level: 1 minimal, 2 monitoring, 3 production (default 1)")
	f.StringArrayVar(&o.roles, "role", nil, "assign a role to a security group: [CLUSTER:]ROLE=GROUP (repeatable)")
	f.StringVar(&o.cluster, "cluster", "", "the cluster to answer for, when the input has several")
	f.StringArrayVar(&o.varFiles, "var-file", nil, "Terraform variable file (repeatable)")
	f.StringArrayVar(&o.vars, "var", nil, "Terraform variable NAME=VALUE (repeatable)")
	f.StringVar(&o.config, "config", "", "configuration file (default: .clusterwall.yaml in the current directory, if any)")
}

// fileConfig is .clusterwall.yaml.
type fileConfig struct {
	Platform string              `yaml:"platform"`
	Level    int                 `yaml:"level"`
	AddOns   []string            `yaml:"addons"`
	Roles    map[string][]string `yaml:"roles"`
	Cluster  string              `yaml:"cluster"`
	VarFiles []string            `yaml:"var_files"`
	FailOn   string              `yaml:"fail_on"`
}

// loadConfig reads the configuration file; flags given on the command
// line win over it.
func (o *common) loadConfig(cmd *cobra.Command) (*fileConfig, error) {
	path, explicit := o.config, o.config != ""
	if !explicit {
		path = ".clusterwall.yaml"
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) && !explicit {
		return &fileConfig{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	var cfg fileConfig
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	flags := cmd.Flags()
	if !flags.Changed("platform") && cfg.Platform != "" {
		o.platform = cfg.Platform
	}
	if !flags.Changed("level") && cfg.Level != 0 {
		o.level = cfg.Level
	}
	if !flags.Changed("addons") {
		o.addons = append(o.addons, cfg.AddOns...)
	}
	if !flags.Changed("cluster") && cfg.Cluster != "" {
		o.cluster = cfg.Cluster
	}
	if !flags.Changed("var-file") {
		o.varFiles = append(o.varFiles, cfg.VarFiles...)
	}
	if !flags.Changed("role") {
		for _, role := range slices.Sorted(maps.Keys(cfg.Roles)) {
			for _, g := range cfg.Roles[role] {
				o.roles = append(o.roles, role+"="+g)
			}
		}
	}
	return &cfg, nil
}

// analysis is everything a command needs after reading the input.
type analysis struct {
	loaded     *source.Result
	estate     *model.Estate
	catalog    *knowledge.Catalog
	engine     *reach.Engine
	engineOpts reach.Options
	level      int
}

func (o *common) validate() error {
	if o.platform != "" {
		if err := oneOf("platform", o.platform, "eks", "tke"); err != nil {
			return err
		}
	}
	if o.level != 0 && (o.level < 1 || o.level > 3) {
		return usagef("--level %d: expected 1, 2 or 3", o.level)
	}
	return nil
}

// analyze reads the inputs and prepares the engine.
func (o *common) analyze(cmd *cobra.Command, paths []string) (*analysis, error) {
	if _, err := o.loadConfig(cmd); err != nil {
		return nil, err
	}
	if err := o.validate(); err != nil {
		return nil, err
	}
	cat, err := knowledge.Load()
	if err != nil {
		return nil, err
	}
	var aopts assemble.Options
	for _, r := range o.roles {
		ro, err := assemble.ParseRole(r)
		if err != nil {
			return nil, usageError{err}
		}
		aopts.Roles = append(aopts.Roles, ro)
	}
	addOns, err := parseAddOns(o.addons, cat)
	if err != nil {
		return nil, err
	}
	aopts.AddOns = addOns
	aopts.Platform = model.Platform(o.platform)
	iopts := input.Options{VarFiles: o.varFiles, Vars: map[string]string{}}
	for _, v := range o.vars {
		name, value, ok := strings.Cut(v, "=")
		if !ok || name == "" {
			return nil, usagef("--var %q: expected NAME=VALUE", v)
		}
		iopts.Vars[name] = value
	}
	for i, vf := range iopts.VarFiles {
		if abs, err := filepath.Abs(vf); err == nil {
			iopts.VarFiles[i] = abs
		}
	}
	loaded, err := source.Load(paths, iopts)
	if err != nil {
		return nil, err
	}
	if len(o.vars)+len(o.varFiles) > 0 && !slices.ContainsFunc(loaded.Files, func(f source.FileKind) bool { return f.Kind == source.Terraform }) {
		return nil, usagef("--var and --var-file set Terraform variables, but no Terraform configuration is among the inputs")
	}
	if err := assemble.Apply(loaded.Estate, cat, aopts); err != nil {
		return nil, usageError{err}
	}
	var vpcs []netip.Prefix
	for _, v := range loaded.Estate.VPCs {
		vpcs = append(vpcs, v.CIDRs...)
	}
	for _, c := range loaded.Estate.Clusters {
		vpcs = append(vpcs, c.Networks.VPC...)
	}
	var eopts reach.Options
	for _, u := range cat.AWSUnfilteredServices(vpcs) {
		eopts.Unfiltered = append(eopts.Unfiltered, reach.UnfilteredService{Addrs: netset.SetOf(u.Prefix), Name: u.Name, Services: u.Services})
	}
	eng := reach.New(loaded.Estate, eopts)
	return &analysis{loaded: loaded, estate: loaded.Estate, catalog: cat, engine: eng, engineOpts: eopts, level: max(o.level, 1)}, nil
}

// pickCluster chooses the cluster a question is about.
func (a *analysis) pickCluster(name string) (*model.Cluster, error) {
	cs := a.estate.Clusters
	switch {
	case name != "":
		if c := a.estate.Cluster(name); c != nil {
			return c, nil
		}
		return nil, usagef("--cluster %s: no such cluster in the input (found: %s)", name, clusterNames(cs))
	case len(cs) == 1:
		return cs[0], nil
	case len(cs) == 0:
		return nil, nil
	}
	return nil, usagef("the input has several clusters (%s): choose one with --cluster", clusterNames(cs))
}

func clusterNames(cs []*model.Cluster) string {
	if len(cs) == 0 {
		return "none"
	}
	names := make([]string, len(cs))
	for i, c := range cs {
		names[i] = c.Name
	}
	return strings.Join(names, ", ")
}

// parseAddOns reads --addons NAME[@VERSION] values against the catalog.
func parseAddOns(flags []string, cat *knowledge.Catalog) ([]model.AddOn, error) {
	var out []model.AddOn
	for _, a := range flags {
		name, ver, _ := strings.Cut(strings.ToLower(strings.TrimSpace(a)), "@")
		if name == "" {
			continue
		}
		if cat.AddOn(name) == nil {
			return nil, usagef("--addons %s: unknown add-on; known: %s", name, strings.Join(cat.AddOnNames(), ", "))
		}
		if ver != "" {
			if err := knowledge.CheckVersion(ver); err != nil {
				return nil, usagef("--addons %s: %v", a, err)
			}
		}
		out = append(out, model.AddOn{Name: name, Version: ver, Source: "--addons"})
	}
	return out, nil
}
