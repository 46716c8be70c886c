// Package check turns the engine's answers and the knowledge catalogs
// into findings. Each check is a small type in a file of its own,
// registered in the explicit list below; checks hold no port numbers, only
// the logic of applying a catalog to a cluster.
package check

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/clusterwall/clusterwall/internal/endpoint"
	"github.com/clusterwall/clusterwall/internal/knowledge"
	"github.com/clusterwall/clusterwall/internal/model"
	"github.com/clusterwall/clusterwall/internal/reach"
	"github.com/clusterwall/clusterwall/internal/remedy"
	"github.com/clusterwall/clusterwall/internal/srcpos"
)

// Kinds of findings (CONTRACT.md).
const (
	Blocked = "blocked"
	Exposed = "exposed"
	Hygiene = "hygiene"
)

// Finding is one result, in the shape CONTRACT.md fixes.
type Finding struct {
	ID         string            `json:"id"`
	Kind       string            `json:"kind"`
	Severity   string            `json:"severity"`
	Cluster    string            `json:"cluster"`
	Title      string            `json:"title"`
	Message    string            `json:"message"`
	Flow       *Flow             `json:"flow,omitempty"`
	Locations  []srcpos.Location `json:"locations"`
	Fix        string            `json:"fix"`
	References []string          `json:"references"`
	// Changes are the rule changes that clear the finding, for `fix`.
	Changes []remedy.Change `json:"-"`
}

// Flow is the flow a finding is about.
type Flow struct {
	From     string `json:"from"`
	To       string `json:"to"`
	Protocol string `json:"protocol"`
	Ports    string `json:"ports"`
}

// Unverified is a check the input could not decide, and what is missing.
type Unverified struct {
	ID      string `json:"id"`
	Cluster string `json:"cluster"`
	Flow    *Flow  `json:"flow,omitempty"`
	// Where names the parts the answer is open for ("nodes/ng-1 →
	// control-plane").
	Where string `json:"where"`
	// Missing says what the input does not decide.
	Missing []string `json:"missing"`
}

// Context is what a check sees of one cluster.
type Context struct {
	Estate   *model.Estate
	Cluster  *model.Cluster
	Engine   *reach.Engine
	Resolver *endpoint.Resolver
	Catalog  *knowledge.Catalog
	Level    int

	// hosts are the members' host classes for the cluster's own traffic,
	// built once: every requirement and review asks for them.
	hosts map[*model.Member]reach.Host
}

// hostFor is endpoint.HostFor for a member of the context's cluster.
func (ctx *Context) hostFor(m *model.Member) reach.Host {
	h, ok := ctx.hosts[m]
	if !ok {
		h = endpoint.HostFor(ctx.Cluster, m)
		if ctx.hosts == nil {
			ctx.hosts = map[*model.Member]reach.Host{}
		}
		ctx.hosts[m] = h
	}
	return h
}

// Result collects what the checks report.
type Result struct {
	Findings   []Finding
	Unverified []Unverified
}

// Check is one analysis.
type Check interface {
	Run(ctx *Context, out *Result)
}

// checks run in this order for every cluster.
var checks = []Check{
	requiredFlows{},
	exposures{},
	widerFlows{},
	clusterTag{},
	sharedControlPlane{},
	mixedRules{},
	redundantRules{},
	shadowedRules{},
	unusedRules{},
	missingDescriptions{},
}

// Options select what to check.
type Options struct {
	Level int // 1, 2 or 3
}

// Run runs every check on every cluster of the estate.
func Run(e *model.Estate, cat *knowledge.Catalog, eng *reach.Engine, opts Options) Result {
	var res Result
	r := &endpoint.Resolver{Estate: e, Catalog: cat}
	for _, c := range e.Clusters {
		ctx := &Context{Estate: e, Cluster: c, Engine: eng, Resolver: r, Catalog: cat, Level: max(opts.Level, 1)}
		for _, ch := range checks {
			ch.Run(ctx, &res)
		}
	}
	for i := range res.Findings {
		f := &res.Findings[i]
		slices.SortFunc(f.Locations, srcpos.Compare)
		f.Locations = slices.Compact(f.Locations)
		if f.Locations == nil {
			f.Locations = []srcpos.Location{}
		}
	}
	slices.SortFunc(res.Findings, compareFindings)
	slices.SortFunc(res.Unverified, func(a, b Unverified) int {
		return cmp.Or(cmp.Compare(a.Cluster, b.Cluster), cmp.Compare(a.ID, b.ID), compareFlows(a.Flow, b.Flow), cmp.Compare(a.Where, b.Where))
	})
	return res
}

// SeverityRank orders severities: critical is 4, info 0, unknown -1.
func SeverityRank(s string) int {
	switch s {
	case "critical":
		return 4
	case "high":
		return 3
	case "medium":
		return 2
	case "low":
		return 1
	case "info":
		return 0
	}
	return -1
}

func compareFindings(a, b Finding) int {
	la, lb := srcpos.Location{}, srcpos.Location{}
	if len(a.Locations) > 0 {
		la = a.Locations[0]
	}
	if len(b.Locations) > 0 {
		lb = b.Locations[0]
	}
	return cmp.Or(cmp.Compare(a.Cluster, b.Cluster), -cmp.Compare(SeverityRank(a.Severity), SeverityRank(b.Severity)),
		cmp.Compare(a.ID, b.ID), compareFlows(a.Flow, b.Flow), srcpos.Compare(la, lb), cmp.Compare(a.Message, b.Message))
}

func compareFlows(a, b *Flow) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	return cmp.Or(cmp.Compare(a.From, b.From), cmp.Compare(a.To, b.To), cmp.Compare(a.Protocol, b.Protocol), cmp.Compare(a.Ports, b.Ports))
}

// lowerSeverity returns the severity n steps lower, never below low.
func lowerSeverity(s string, n int) string {
	order := []string{"low", "medium", "high", "critical"}
	i := slices.Index(order, s)
	if i < 0 {
		return s
	}
	return order[max(i-n, 0)]
}

// reasonLocations returns the locations of the reasons that have one;
// Run sorts and deduplicates each finding's locations.
func reasonLocations(rs []reach.Reason) []srcpos.Location {
	var out []srcpos.Location
	for _, r := range rs {
		if !r.Location.IsZero() {
			out = append(out, r.Location)
		}
	}
	return out
}

// reasonTexts joins the reasons' texts for a message.
func reasonTexts(rs []reach.Reason) string { return strings.Join(reasonList(rs), "; ") }

// reasonList returns the reasons' texts without repeats, in order.
func reasonList(rs []reach.Reason) []string {
	var ts []string
	for _, r := range rs {
		if !slices.Contains(ts, r.Text) {
			ts = append(ts, r.Text)
		}
	}
	return ts
}

// groupLabel names a group for messages: "sg-0abc (name)", a resource
// address, or the key.
func (ctx *Context) groupLabel(id string) string {
	if g := ctx.Estate.Groups[id]; g != nil {
		return g.Label()
	}
	return id
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}
