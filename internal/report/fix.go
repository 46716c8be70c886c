package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/clusterwall/clusterwall/internal/check"
	"github.com/clusterwall/clusterwall/internal/fix"
	"github.com/clusterwall/clusterwall/internal/model"
	"github.com/clusterwall/clusterwall/internal/remedy"
	"github.com/clusterwall/clusterwall/internal/srcpos"
)

// FixChange is one change of a fix plan, for JSON.
type FixChange struct {
	Action      string           `json:"action"` // add or remove
	Group       string           `json:"group"`
	Location    *srcpos.Location `json:"location,omitempty"` // the group (add) or the rule (remove)
	Direction   string           `json:"direction"`
	Services    []Services       `json:"services"`
	Peer        string           `json:"peer"`
	First       bool             `json:"first,omitempty"`
	Description string           `json:"description,omitempty"`
	For         []string         `json:"for"`
	Snippet     string           `json:"snippet"`
}

// FixPlan is the JSON of `clusterwall fix`.
type FixPlan struct {
	Schema  int         `json:"schema"`
	Changes []FixChange `json:"changes"`
	Cleared []string    `json:"cleared"`
	Left    []string    `json:"left"`
}

// NewFixPlan shapes a plan for output.
func NewFixPlan(e *model.Estate, p fix.Plan) *FixPlan {
	out := &FixPlan{Schema: Schema, Changes: []FixChange{}, Cleared: []string{}, Left: []string{}}
	for _, s := range p.Changes {
		fc := FixChange{Action: "add", Group: s.Group, Direction: s.Rule.Direction.String(), Services: Parts(s.Rule.Services),
			Peer: s.Rule.Peer.String(), First: s.First, Description: remedy.AWSDescription(s.Rule.Description), For: s.For,
			Snippet: remedy.Snippet(e, s.Change)}
		loc := s.Rule.Origin
		if s.Remove {
			fc.Action = "remove"
		} else if g := e.Groups[s.Group]; g != nil {
			loc = g.Origin
		}
		if !loc.IsZero() {
			fc.Location = &loc
		}
		out.Changes = append(out.Changes, fc)
	}
	for _, f := range p.Cleared {
		out.Cleared = append(out.Cleared, f.ID)
	}
	for _, f := range p.Left {
		out.Left = append(out.Left, f.ID)
	}
	return out
}

// FixText writes a fix plan for people: the changes grouped by the
// findings they clear, each in the input's own language.
func FixText(w io.Writer, e *model.Estate, p fix.Plan) error {
	pr := &printer{w: w}
	adds, removes := 0, 0
	for _, s := range p.Changes {
		if s.Remove {
			removes++
		} else {
			adds++
		}
	}
	if len(p.Changes) == 0 {
		pr.line("Nothing to change: no blocked or exposed finding that a rule change clears.")
	} else {
		pr.line("%s to add and %s to remove clear %s:", count(adds, "rule"), count(removes, "rule"), findingList(p.Cleared))
	}
	for _, s := range p.Changes {
		pr.line("")
		pr.line("# %s — %s", strings.Join(s.For, ", "), remedy.Sentence(e, s.Change))
		pr.line("%s", strings.TrimRight(remedy.Snippet(e, s.Change), "\n"))
	}
	if len(p.Left) > 0 {
		pr.line("")
		pr.line("No rule change clears these; do what their fix says:")
		for _, f := range p.Left {
			pr.wrap("  ", fmt.Sprintf("%s (%s): %s", f.ID, f.Kind, f.Fix))
		}
	}
	return pr.err
}

func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func findingList(fs []check.Finding) string {
	ids := make([]string, len(fs))
	for i, f := range fs {
		ids[i] = f.ID
	}
	return strings.Join(ids, ", ")
}
