package report

import (
	"embed"
	"html/template"
	"io"
	"maps"
	"slices"

	"github.com/clusterwall/clusterwall/internal/check"
)

//go:embed templates/check.html
var templates embed.FS

var checkPage = template.Must(template.ParseFS(templates, "templates/check.html"))

type htmlRole struct {
	Role   string
	Groups []string
}

type htmlCluster struct {
	Name, Platform string
	Roles          []htmlRole
}

// HTML writes a check report as one self-contained page (no scripts, no
// external resources), to attach to a CI run or mail to a team.
func HTML(w io.Writer, r *Check) error {
	data := struct {
		Summary    string
		Clusters   []htmlCluster
		Findings   []check.Finding
		Unverified []check.Unverified
		Notes      []string
	}{Summary: summary(r), Findings: r.Findings, Unverified: r.Unverified, Notes: r.Notes}
	for _, c := range r.Clusters {
		hc := htmlCluster{Name: c.Name, Platform: c.Platform}
		for _, role := range slices.Sorted(maps.Keys(c.Roles)) {
			hc.Roles = append(hc.Roles, htmlRole{role, c.Roles[role]})
		}
		data.Clusters = append(data.Clusters, hc)
	}
	return checkPage.Execute(w, data)
}
