package cli

import (
	"io"
	"net/netip"
	"strings"

	"github.com/spf13/cobra"

	"github.com/clusterwall/clusterwall/internal/generate"
	"github.com/clusterwall/clusterwall/internal/knowledge"
	"github.com/clusterwall/clusterwall/internal/model"
)

var generateFormats = []string{"terraform", "cloudformation", "json"}

func newGenerate(stdout io.Writer) *cobra.Command {
	var (
		format, outFile, platform, cluster, monGroup string
		level                                        int
		addons, vpc, pods, monCIDRs, clients         []string
		independent                                  bool
	)
	cmd := &cobra.Command{
		Use:   "generate --platform eks|tke --vpc-cidr CIDR [flags]",
		Short: "Write least-privilege security groups for a cluster of a given shape",
		Long: `generate writes the complete set of security groups and rules a cluster of the
given platform, level and add-ons needs — each rule with a description that says
which requirement needs it — and nothing more. Read back by check with the same
platform, level and add-ons, it has no blocked and no exposed finding.`,
		Example: `  clusterwall generate --platform eks --vpc-cidr 10.0.0.0/16 --level 2 --addons aws-load-balancer-controller,metrics-server > sg.tf
  clusterwall generate --platform tke --vpc-cidr 10.0.0.0/16 --pod-cidr 172.16.0.0/16 > sg.tf
  clusterwall generate --platform eks --vpc-cidr 10.0.0.0/16 --format cloudformation > sg.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := oneOf("format", format, generateFormats...); err != nil {
				return err
			}
			if err := oneOf("platform", platform, "eks", "tke"); err != nil {
				return err
			}
			if level < 1 || level > 3 {
				return usagef("--level %d: expected 1, 2 or 3", level)
			}
			if format == "cloudformation" && platform != "eks" {
				return usagef("--format cloudformation writes AWS resources: use it with --platform eks")
			}
			cat, err := knowledge.Load()
			if err != nil {
				return err
			}
			spec := generate.Spec{Platform: model.Platform(platform), Level: level, Cluster: cluster,
				MonitoringGroup: monGroup, Independent: independent}
			for _, f := range []struct {
				name string
				in   []string
				out  *[]netip.Prefix
			}{{"vpc-cidr", vpc, &spec.VPC}, {"pod-cidr", pods, &spec.Pods}, {"monitoring-cidr", monCIDRs, &spec.MonitoringCIDRs}, {"client-cidr", clients, &spec.ClientCIDRs}} {
				for _, s := range f.in {
					p, err := netip.ParsePrefix(strings.TrimSpace(s))
					if err != nil {
						return usagef("--%s %q: expected a CIDR such as 10.0.0.0/16", f.name, s)
					}
					*f.out = append(*f.out, p.Masked())
				}
			}
			if spec.AddOns, err = parseAddOns(addons, cat); err != nil {
				return err
			}
			d, err := generate.Build(spec, cat)
			if err != nil {
				return usageError{err}
			}
			w, closeOut, err := output(outFile, stdout)
			if err != nil {
				return err
			}
			switch format {
			case "cloudformation":
				err = generate.CloudFormation(w, d)
			case "json":
				err = generate.JSON(w, d)
			default:
				err = generate.Terraform(w, d)
			}
			if cerr := closeOut(); err == nil {
				err = cerr
			}
			return err
		},
	}
	f := cmd.Flags()
	f.StringVarP(&format, "format", "f", "terraform", "output format: "+strings.Join(generateFormats, ", "))
	f.StringVarP(&outFile, "output", "o", "", "write to this file instead of stdout")
	f.StringVar(&platform, "platform", "eks", "eks or tke")
	f.IntVar(&level, "level", 1, "1 minimal, 2 monitoring, 3 production")
	f.StringSliceVar(&addons, "addons", nil, "add-ons the cluster runs, comma-separated NAME[@CHART_VERSION]")
	f.StringSliceVar(&vpc, "vpc-cidr", nil, "the VPC's CIDR (repeatable)")
	f.StringSliceVar(&pods, "pod-cidr", nil, "TKE: the container network's CIDR (cluster_cidr)")
	f.StringSliceVar(&monCIDRs, "monitoring-cidr", nil, "addresses Prometheus scrapes from (instead of a generated monitoring group)")
	f.StringVar(&monGroup, "monitoring-group", "", "an existing group Prometheus runs in (sg-…)")
	f.StringSliceVar(&clients, "client-cidr", nil, "addresses that may reach the load balancer (default 0.0.0.0/0)")
	f.StringVar(&cluster, "cluster", "cluster", "the cluster's name (in group names and tags)")
	f.BoolVar(&independent, "independent", false, "TKE: the masters are yours (an independent cluster)")
	return cmd
}
