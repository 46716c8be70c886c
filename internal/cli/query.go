package cli

import (
	"io"

	"github.com/spf13/cobra"

	"github.com/clusterwall/clusterwall/internal/endpoint"
	"github.com/clusterwall/clusterwall/internal/netset"
	"github.com/clusterwall/clusterwall/internal/reach"
	"github.com/clusterwall/clusterwall/internal/report"
)

var queryFormats = []string{"text", "json"}

func newQuery(stdout io.Writer) *cobra.Command {
	var o common
	var from, to, port string
	cmd := &cobra.Command{
		Use:   "query PATH... --from A --to B --port PROTO/PORT",
		Short: "Answer whether a new connection from A to B may be opened",
		Long: `query answers one question: may a new connection from A to B on that port be
opened? A and B are roles (control-plane, nodes, nodes/NAME, load-balancer, pods,
vpc, internet), security groups (id, name, resource address or logical ID), or
addresses and CIDRs. An endpoint that stands for many addresses is allowed when
some address of it may open the connection; the answer names which.

The verdict is allowed, denied or unknown (the input does not decide it), with
the rules that decide it. Exit status 0 whatever the verdict; 2 on a usage or
input error.`,
		Example: `  clusterwall query examples/eks-aws-cli --from control-plane --to nodes --port tcp/10250
  clusterwall query ./terraform --from internet --to nodes --port tcp/22 --format json`,
		Args: needPaths,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := oneOf("format", o.format, queryFormats...); err != nil {
				return err
			}
			if from == "" || to == "" || port == "" {
				return usagef("query needs --from, --to and --port")
			}
			svcs, err := netset.ParseServices(port)
			if err != nil {
				return usagef("--port: %v", err)
			}
			a, err := o.analyze(cmd, args)
			if err != nil {
				return err
			}
			c, err := a.pickCluster(o.cluster)
			if err != nil {
				return err
			}
			r := &endpoint.Resolver{Estate: a.estate, Catalog: a.catalog}
			f, err := r.Resolve(c, from, endpoint.From, reach.Some)
			if err != nil {
				return usageError{err}
			}
			t, err := r.Resolve(c, to, endpoint.To, reach.Some)
			if err != nil {
				return usageError{err}
			}
			ans := a.engine.Ask(f, t, svcs)
			q := report.NewQuery(from, to, svcs, ans)
			if c != nil {
				q.Cluster = c.Name
			}
			w, closeOut, err := output(o.output, stdout)
			if err != nil {
				return err
			}
			if o.format == "json" {
				err = report.JSON(w, q)
			} else {
				err = report.QueryText(w, q)
			}
			if cerr := closeOut(); err == nil {
				err = cerr
			}
			return err
		},
	}
	o.register(cmd, queryFormats)
	cmd.Flags().StringVar(&from, "from", "", "where the connection starts")
	cmd.Flags().StringVar(&to, "to", "", "where the connection goes")
	cmd.Flags().StringVar(&port, "port", "", "PROTO/PORT: tcp/10250, udp/53, tcp/30000-32767, icmp, icmp/8, all")
	return cmd
}
