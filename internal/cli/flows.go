package cli

import (
	"io"
	"slices"

	"github.com/spf13/cobra"

	"github.com/clusterwall/clusterwall/internal/endpoint"
	"github.com/clusterwall/clusterwall/internal/model"
	"github.com/clusterwall/clusterwall/internal/netset"
	"github.com/clusterwall/clusterwall/internal/reach"
	"github.com/clusterwall/clusterwall/internal/report"
)

var flowsFormats = []string{"text", "json", "markdown", "mermaid", "dot"}

func newFlows(stdout io.Writer) *cobra.Command {
	var o common
	cmd := &cobra.Command{
		Use:   "flows PATH...",
		Short: "Print the connectivity matrix between the cluster's roles",
		Long: `flows prints, for each ordered pair of roles (and the VPC and the internet),
the protocols and ports on which the first may open connections to the second.`,
		Example: `  clusterwall flows examples/eks-aws-cli
  clusterwall flows --format mermaid ./terraform > flows.mmd`,
		Args: needPaths,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := oneOf("format", o.format, flowsFormats...); err != nil {
				return err
			}
			a, err := o.analyze(cmd, args)
			if err != nil {
				return err
			}
			c, err := a.pickCluster(o.cluster)
			if err != nil {
				return err
			}
			if c == nil {
				return usagef("the input has no cluster; name its parts with --role ROLE=GROUP")
			}
			m := matrix(a, c)
			w, closeOut, err := output(o.output, stdout)
			if err != nil {
				return err
			}
			switch o.format {
			case "json":
				err = report.JSON(w, m)
			case "markdown":
				err = report.FlowsMarkdown(w, m)
			case "mermaid":
				err = report.FlowsMermaid(w, m)
			case "dot":
				err = report.FlowsDOT(w, m)
			default:
				err = report.FlowsText(w, m)
			}
			if cerr := closeOut(); err == nil {
				err = cerr
			}
			return err
		},
	}
	o.register(cmd, flowsFormats)
	return cmd
}

// roleOrder puts the usual roles first, then the user's, then addresses.
var roleOrder = []string{model.RoleControlPlane, model.RoleNodes, model.RolePods, model.RoleLoadBalancer}

func matrix(a *analysis, c *model.Cluster) *report.Flows {
	r := &endpoint.Resolver{Estate: a.estate, Catalog: a.catalog}
	var roles []string
	for _, role := range roleOrder {
		if len(c.MembersOf(role)) > 0 {
			roles = append(roles, role)
		}
	}
	var extra []string
	for _, m := range c.Members {
		if !slices.Contains(roles, m.Role) && !slices.Contains(extra, m.Role) {
			extra = append(extra, m.Role)
		}
	}
	slices.Sort(extra)
	roles = append(roles, extra...)
	hosts := map[string][]reach.Host{}
	for _, role := range roles {
		for _, m := range c.MembersOf(role) {
			hosts[role] = append(hosts[role], endpoint.HostOf(m))
		}
	}
	addrRoles := []string{}
	if len(c.Networks.VPC) > 0 {
		vpc, _ := r.Resolve(c, model.RoleVPC, endpoint.To, reach.Some)
		hosts[model.RoleVPC] = vpc.Hosts
		addrRoles = append(addrRoles, model.RoleVPC)
	}
	hosts[model.RoleInternet] = []reach.Host{r.Internet(c)}
	addrRoles = append(addrRoles, model.RoleInternet)
	all := append(slices.Clone(roles), addrRoles...)
	m := &report.Flows{Schema: report.Schema, Cluster: c.Name, Platform: string(c.Platform), Roles: all, Flows: []report.FlowEntry{}}
	for _, from := range all {
		for _, to := range all {
			if slices.Contains(addrRoles, from) && slices.Contains(addrRoles, to) {
				continue
			}
			var allowed, unknown netset.Services
			for i := range hosts[from] {
				for j := range hosts[to] {
					f := a.engine.Flows(&hosts[from][i], &hosts[to][j])
					allowed, unknown = allowed.Union(f.Allowed), unknown.Union(f.Unknown)
				}
			}
			unknown = unknown.Minus(allowed)
			if allowed.IsEmpty() && unknown.IsEmpty() {
				continue
			}
			m.Flows = append(m.Flows, report.FlowEntry{From: from, To: to, Allowed: report.Parts(allowed), Unknown: report.Parts(unknown)})
		}
	}
	return m
}
