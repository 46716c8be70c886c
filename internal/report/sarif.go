package report

import (
	"io"
	"strings"

	"github.com/owenrumney/go-sarif/v2/sarif"
)

// SARIF writes findings as SARIF 2.1.0, the format code-scanning
// dashboards (GitHub, GitLab, Azure DevOps) read. Severities map to
// levels: critical and high are errors, medium warnings, low and info
// notes; the clusterwall severity and kind are kept as properties.
func SARIF(w io.Writer, r *Check, version string) error {
	rep, err := sarif.New(sarif.Version210)
	if err != nil {
		return err
	}
	run := sarif.NewRunWithInformationURI("clusterwall", "https://github.com/clusterwall/clusterwall")
	run.Tool.Driver.WithVersion(version)
	for _, f := range r.Findings {
		rule := run.AddRule(f.ID).WithName(f.Title).WithDescription(f.Title).
			WithProperties(sarif.Properties{"kind": f.Kind, "security-severity": securitySeverity(f.Severity)})
		if len(f.References) > 0 {
			rule.WithHelpURI(f.References[0])
		}
		res := run.CreateResultForRule(f.ID).WithLevel(sarifLevel(f.Severity)).
			WithMessage(sarif.NewTextMessage(f.Message + " Fix: " + f.Fix))
		props := sarif.NewPropertyBag()
		props.AddString("severity", f.Severity)
		props.AddString("kind", f.Kind)
		props.AddString("cluster", f.Cluster)
		res.AttachPropertyBag(props)
		for _, l := range f.Locations {
			if l.File == "" {
				continue
			}
			pl := sarif.NewPhysicalLocation().WithArtifactLocation(sarif.NewSimpleArtifactLocation(strings.TrimPrefix(l.File, "./")))
			if l.Line > 0 {
				pl.WithRegion(sarif.NewSimpleRegion(l.Line, l.Line))
			}
			loc := sarif.NewLocationWithPhysicalLocation(pl)
			if l.Address != "" {
				loc.AddLogicalLocations(sarif.NewLogicalLocation().WithFullyQualifiedName(l.Address))
			}
			res.AddLocation(loc)
		}
	}
	rep.AddRun(run)
	return rep.PrettyWrite(w)
}

func sarifLevel(sev string) string {
	switch sev {
	case "critical", "high":
		return "error"
	case "medium":
		return "warning"
	}
	return "note"
}

// securitySeverity is the 0–10 score GitHub code scanning ranks by.
func securitySeverity(sev string) string {
	switch sev {
	case "critical":
		return "9.5"
	case "high":
		return "8.0"
	case "medium":
		return "5.5"
	case "low":
		return "3.0"
	}
	return "0.0"
}
