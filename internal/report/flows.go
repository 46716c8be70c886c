package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/emicklei/dot"

	"github.com/clusterwall/clusterwall/internal/netset"
)

// Flows is the connectivity matrix of `clusterwall flows`.
type Flows struct {
	Schema   int         `json:"schema"`
	Cluster  string      `json:"cluster"`
	Platform string      `json:"platform"`
	Roles    []string    `json:"roles"`
	Flows    []FlowEntry `json:"flows"`
}

// FlowEntry is what one role may open to another.
type FlowEntry struct {
	From    string     `json:"from"`
	To      string     `json:"to"`
	Allowed []Services `json:"allowed"`
	Unknown []Services `json:"unknown,omitempty"`
}

// Services is one protocol and its ports.
type Services struct {
	Protocol string `json:"protocol"`
	Ports    string `json:"ports"`
}

// Parts converts a service set for output.
func Parts(s netset.Services) []Services {
	out := []Services{}
	if s.IsEmpty() {
		return out
	}
	for _, p := range s.Parts() {
		out = append(out, Services{p.Protocol, p.Ports})
	}
	return out
}

func servicesText(ss []Services) string {
	if len(ss) == 0 {
		return "-"
	}
	parts := make([]string, len(ss))
	for i, s := range ss {
		parts[i] = netset.ProtoPorts(s).String()
	}
	return strings.Join(parts, " ")
}

// FlowsText writes the matrix as one line per pair of roles.
func FlowsText(w io.Writer, m *Flows) error {
	p := &printer{w: w}
	p.line("cluster %s (%s)", m.Cluster, m.Platform)
	width := 0
	for _, f := range m.Flows {
		width = max(width, len([]rune(f.From+" → "+f.To)))
	}
	for _, f := range m.Flows {
		pair := f.From + " → " + f.To
		text := servicesText(f.Allowed)
		if len(f.Unknown) > 0 {
			text += "  (unknown: " + servicesText(f.Unknown) + ")"
		}
		p.line("  %s%s  %s", pair, strings.Repeat(" ", width-len([]rune(pair))), text)
	}
	return p.err
}

// FlowsMarkdown writes the matrix as a Markdown table.
func FlowsMarkdown(w io.Writer, m *Flows) error {
	p := &printer{w: w}
	p.line("## Flows of cluster %s (%s)", m.Cluster, m.Platform)
	p.line("")
	p.line("| from | to | allowed | unknown |")
	p.line("|---|---|---|---|")
	for _, f := range m.Flows {
		p.line("| %s | %s | %s | %s |", f.From, f.To, servicesText(f.Allowed), servicesText(f.Unknown))
	}
	return p.err
}

// FlowsMermaid writes the matrix as a Mermaid flowchart.
func FlowsMermaid(w io.Writer, m *Flows) error {
	p := &printer{w: w}
	p.line("flowchart LR")
	ids := map[string]string{}
	for i, r := range m.Roles {
		ids[r] = fmt.Sprintf("r%d", i)
		p.line("  %s[\"%s\"]", ids[r], r)
	}
	for _, f := range m.Flows {
		label := servicesText(f.Allowed)
		if len(f.Unknown) > 0 {
			label += " ?" + servicesText(f.Unknown)
		}
		p.line("  %s -->|\"%s\"| %s", ids[f.From], label, ids[f.To])
	}
	return p.err
}

// FlowsDOT writes the matrix as a Graphviz digraph.
func FlowsDOT(w io.Writer, m *Flows) error {
	g := dot.NewGraph(dot.Directed)
	g.Attr("rankdir", "LR")
	nodes := map[string]dot.Node{}
	for _, r := range m.Roles {
		nodes[r] = g.Node(r).Box()
	}
	for _, f := range m.Flows {
		label := servicesText(f.Allowed)
		e := g.Edge(nodes[f.From], nodes[f.To], label)
		if len(f.Allowed) == 0 {
			e.Attr("style", "dashed")
		}
	}
	_, err := io.WriteString(w, g.String())
	return err
}
