package cli

import (
	"io"

	"github.com/spf13/cobra"

	"github.com/clusterwall/clusterwall/internal/check"
	"github.com/clusterwall/clusterwall/internal/fix"
	"github.com/clusterwall/clusterwall/internal/report"
)

var fixFormats = []string{"text", "json"}

func newFix(stdout io.Writer) *cobra.Command {
	var o common
	cmd := &cobra.Command{
		Use:   "fix PATH...",
		Short: "Print the smallest rule changes that clear the blocked and exposed findings",
		Long: `fix finds the rules to add and to remove so that check reports no blocked and no
exposed finding, and writes each change in the language of the input it
belongs to: a Terraform block or resource, a CloudFormation resource, an
aws ec2 authorize-/revoke- command, a tccli command. It changes no file.`,
		Example: `  clusterwall fix examples/seed-production
  clusterwall fix --format json ./terraform > changes.json`,
		Args: needPaths,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := oneOf("format", o.format, fixFormats...); err != nil {
				return err
			}
			a, err := o.analyze(cmd, args)
			if err != nil {
				return err
			}
			plan := a.plan()
			w, closeOut, err := output(o.output, stdout)
			if err != nil {
				return err
			}
			if o.format == "json" {
				err = report.JSON(w, report.NewFixPlan(a.estate, plan))
			} else {
				err = report.FixText(w, a.estate, plan)
			}
			if cerr := closeOut(); err == nil {
				err = cerr
			}
			return err
		},
	}
	o.register(cmd, fixFormats)
	return cmd
}

// plan computes the fix plan of an analysis.
func (a *analysis) plan() fix.Plan {
	return fix.Compute(a.estate, a.catalog, a.engineOpts, check.Options{Level: a.level})
}
