package report

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/clusterwall/clusterwall/internal/check"
	"github.com/clusterwall/clusterwall/internal/netset"
)

// Text writes a check report for people: findings grouped by cluster,
// most severe first, each with its flow, why, where and fix.
func Text(w io.Writer, r *Check) error {
	p := &printer{w: w}
	for _, c := range r.Clusters {
		p.line("cluster %s (%s)", c.Name, c.Platform)
		for _, role := range slices.Sorted(maps.Keys(c.Roles)) {
			p.line("  %-14s %s", role, strings.Join(c.Roles[role], ", "))
		}
		p.line("")
	}
	if len(r.Clusters) == 0 {
		p.line("no cluster found in the input; name its parts with --role ROLE=GROUP")
		p.line("")
	}
	for _, f := range r.Findings {
		p.line("%s  %s  %s  %s", strings.ToUpper(f.Severity), f.Kind, f.ID, f.Title)
		if f.Flow != nil {
			p.field("flow", fmt.Sprintf("%s → %s %s", f.Flow.From, f.Flow.To, flowServices(f.Flow)))
		}
		if len(r.Clusters) > 1 {
			p.field("cluster", f.Cluster)
		}
		p.field("why", f.Message)
		for i, l := range f.Locations {
			label := "where"
			if i > 0 {
				label = ""
			}
			p.field(label, l.String())
		}
		p.field("fix", f.Fix)
		for i, ref := range f.References {
			label := "see"
			if i > 0 {
				label = ""
			}
			p.field(label, ref)
		}
		p.line("")
	}
	if len(r.Unverified) > 0 {
		p.line("Not decided by the input:")
		var missing []string
		for _, u := range r.Unverified {
			flow := ""
			if u.Flow != nil {
				flow = " " + flowServices(u.Flow)
			}
			p.wrap("  ", fmt.Sprintf("%s %s%s", u.ID, u.Where, flow))
			for _, m := range u.Missing {
				if !slices.Contains(missing, m) {
					missing = append(missing, m)
				}
			}
		}
		p.line("because:")
		for _, m := range missing {
			p.wrap("  - ", m)
		}
		p.line("")
	}
	for _, n := range r.Notes {
		p.wrap("note: ", n)
	}
	p.line("%s", summary(r))
	return p.err
}

// flowServices prints a flow's protocol and ports as "tcp/443", "udp",
// "all traffic".
func flowServices(f *check.Flow) string {
	if f.Protocol == "all" {
		return "all traffic"
	}
	return netset.ProtoPorts{Protocol: f.Protocol, Ports: f.Ports}.String()
}

func summary(r *Check) string {
	if len(r.Findings) == 0 {
		s := "No findings."
		if len(r.Unverified) > 0 {
			s += " " + undecided(len(r.Unverified))
		}
		return s
	}
	counts := map[string]int{}
	for _, f := range r.Findings {
		counts[f.Severity]++
	}
	var parts []string
	for _, s := range []string{"critical", "high", "medium", "low", "info"} {
		if counts[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[s], s))
		}
	}
	noun := "findings"
	if len(r.Findings) == 1 {
		noun = "finding"
	}
	s := fmt.Sprintf("%d %s (%s).", len(r.Findings), noun, strings.Join(parts, ", "))
	if len(r.Unverified) > 0 {
		s += " " + undecided(len(r.Unverified))
	}
	return s
}

func undecided(n int) string {
	if n == 1 {
		return "1 check could not be decided from the input."
	}
	return fmt.Sprintf("%d checks could not be decided from the input.", n)
}

type printer struct {
	w   io.Writer
	err error
}

func (p *printer) line(format string, args ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format+"\n", args...)
	}
}

// field prints "  label  text", wrapping text under itself.
func (p *printer) field(label, text string) {
	if text == "" {
		return
	}
	p.wrap(fmt.Sprintf("  %-6s ", label), text)
}

const width = 100

// wrap prints text after a prefix, continuing on indented lines.
func (p *printer) wrap(prefix, text string) {
	indent := strings.Repeat(" ", len([]rune(prefix)))
	line := prefix
	for _, word := range strings.Fields(text) {
		if len([]rune(line))+1+len([]rune(word)) > width && strings.TrimSpace(line) != strings.TrimSpace(prefix) {
			p.line("%s", strings.TrimRight(line, " "))
			line = indent
		}
		if line != prefix && line != indent {
			line += " "
		}
		line += word
	}
	p.line("%s", strings.TrimRight(line, " "))
}
