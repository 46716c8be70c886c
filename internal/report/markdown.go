package report

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/clusterwall/clusterwall/internal/check"
)

// Markdown writes a check report for pull-request comments and wikis.
func Markdown(w io.Writer, r *Check) error {
	p := &printer{w: w}
	p.line("# clusterwall report")
	p.line("")
	p.line("%s", summary(r))
	for _, c := range r.Clusters {
		p.line("")
		p.line("## Cluster `%s` (%s)", c.Name, c.Platform)
		p.line("")
		p.line("| role | security groups |")
		p.line("|---|---|")
		for _, role := range slices.Sorted(maps.Keys(c.Roles)) {
			p.line("| %s | %s |", role, mdCode(c.Roles[role]))
		}
	}
	if len(r.Findings) > 0 {
		p.line("")
		p.line("## Findings")
		p.line("")
		p.line("| severity | kind | id | flow | where |")
		p.line("|---|---|---|---|---|")
		for _, f := range r.Findings {
			where := "-"
			if len(f.Locations) > 0 {
				where = "`" + f.Locations[0].String() + "`"
				if len(f.Locations) > 1 {
					where += fmt.Sprintf(" (+%d)", len(f.Locations)-1)
				}
			}
			p.line("| %s | %s | %s | %s | %s |", f.Severity, f.Kind, f.ID, mdEscape(caseFlow(f.Flow)), mdEscape(where))
		}
		for _, f := range r.Findings {
			p.line("")
			p.line("### %s: %s", f.ID, mdEscape(f.Title))
			p.line("")
			p.line("%s", mdEscape(f.Message))
			p.line("")
			p.line("**Fix:** %s", mdEscape(f.Fix))
			if len(f.Locations) > 0 {
				p.line("")
				for _, l := range f.Locations {
					p.line("- `%s`", l)
				}
			}
			if len(f.References) > 0 {
				p.line("")
				p.line("References: %s", strings.Join(f.References, ", "))
			}
		}
	}
	if len(r.Unverified) > 0 {
		p.line("")
		p.line("## Not decided by the input")
		p.line("")
		for _, u := range r.Unverified {
			p.line("- **%s** %s: %s", u.ID, mdEscape(u.Where), mdEscape(strings.Join(u.Missing, "; ")))
		}
	}
	for i, n := range r.Notes {
		if i == 0 {
			p.line("")
			p.line("## Notes")
			p.line("")
		}
		p.line("- %s", mdEscape(n))
	}
	return p.err
}

// caseFlow prints a finding's flow on one line.
func caseFlow(f *check.Flow) string {
	if f == nil {
		return ""
	}
	return f.From + " → " + f.To + " " + flowServices(f)
}

func mdCode(xs []string) string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = "`" + x + "`"
	}
	return strings.Join(out, ", ")
}

func mdEscape(s string) string { return strings.ReplaceAll(s, "|", "\\|") }
