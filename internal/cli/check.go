package cli

import (
	"cmp"
	"io"
	"slices"

	"github.com/spf13/cobra"

	"github.com/clusterwall/clusterwall/internal/check"
	"github.com/clusterwall/clusterwall/internal/report"
)

var checkFormats = []string{"text", "json", "sarif", "junit", "markdown", "html"}

func newCheck(stdout io.Writer) *cobra.Command {
	var o common
	var failOn string
	var withFix bool
	cmd := &cobra.Command{
		Use:   "check PATH...",
		Short: "Report blocked flows, exposures and hygiene problems",
		Long: `check reads the inputs under PATH (files or directories) and reports every flow
the cluster needs that its security groups block, everything open beyond what it
needs, and configuration smells.

Exit status: 0 when no finding is at or above --fail-on, 1 when one is, 2 on a
usage or input error.`,
		Example: `  clusterwall check examples/eks-aws-cli
  clusterwall check --format json --fail-on critical ./terraform
  clusterwall check --role nodes=sg-0123456789abcdef0 describe-security-groups.json`,
		Args: needPaths,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := oneOf("format", o.format, checkFormats...); err != nil {
				return err
			}
			if err := oneOf("fail-on", failOn, "critical", "high", "medium", "low", "none"); err != nil {
				return err
			}
			if withFix && o.format != "text" {
				return usagef("--fix prints text after the report: for JSON use clusterwall fix --format json")
			}
			a, err := o.analyze(cmd, args)
			if err != nil {
				return err
			}
			res := check.Run(a.estate, a.catalog, a.engine, check.Options{Level: a.level})
			rep := buildReport(a, res)
			w, closeOut, err := output(o.output, stdout)
			if err != nil {
				return err
			}
			switch o.format {
			case "json":
				err = report.JSON(w, rep)
			case "sarif":
				err = report.SARIF(w, rep, Version)
			case "junit":
				err = report.JUnit(w, rep)
			case "markdown":
				err = report.Markdown(w, rep)
			case "html":
				err = report.HTML(w, rep)
			default:
				err = report.Text(w, rep)
				if err == nil && withFix {
					if _, err = io.WriteString(w, "\n"); err == nil {
						err = report.FixText(w, a.estate, a.plan())
					}
				}
			}
			if cerr := closeOut(); err == nil {
				err = cerr
			}
			if err != nil {
				return err
			}
			if failOn != "none" {
				for _, f := range res.Findings {
					if check.SeverityRank(f.Severity) >= check.SeverityRank(failOn) {
						return exitError{ExitFindings}
					}
				}
			}
			return nil
		},
	}
	o.register(cmd, checkFormats)
	cmd.Flags().BoolVar(&withFix, "fix", false, "after the report, print the rule changes that clear its blocked and exposed findings (see clusterwall fix)")
	cmd.Flags().StringVar(&failOn, "fail-on", "high", "exit 1 when a finding is at least this severe: critical, high, medium, low, none")
	return cmd
}

func buildReport(a *analysis, res check.Result) *report.Check {
	rep := &report.Check{Schema: report.Schema, Clusters: []report.Cluster{}, Findings: res.Findings, Unverified: res.Unverified}
	if rep.Findings == nil {
		rep.Findings = []check.Finding{}
	}
	for _, c := range a.estate.Clusters {
		rep.Clusters = append(rep.Clusters, report.Cluster{Name: c.Name, Platform: string(c.Platform), Roles: c.Roles(a.estate.Groups)})
	}
	slices.SortFunc(rep.Clusters, func(x, y report.Cluster) int { return cmp.Compare(x.Name, y.Name) })
	rep.Notes = append(rep.Notes, a.estate.Notes...)
	slices.Sort(rep.Notes)
	rep.Notes = slices.Compact(rep.Notes)
	for _, f := range a.loaded.Files {
		rep.Inputs = append(rep.Inputs, report.Input{Path: f.Path, Kind: string(f.Kind)})
	}
	return rep
}
