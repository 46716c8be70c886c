package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestFixClearsSeedProduction applies what `clusterwall fix` suggests for
// examples/seed-production — blocks added inside the groups it names,
// blocks removed where it says — and checks again: the blocked and exposed
// findings are gone.
func TestFixClearsSeedProduction(t *testing.T) {
	dir := t.TempDir()
	src, err := os.ReadFile("../../examples/seed-production/main.tf")
	if err != nil {
		t.Fatal(err)
	}
	main := filepath.Join(dir, "main.tf")
	if err := os.WriteFile(main, src, 0o644); err != nil {
		t.Fatal(err)
	}
	before := findings(t, dir)
	for _, want := range []string{"EKS-REQ-DNS-UDP", "EKS-REQ-LB-NODEPORT", "EKS-REQ-NODE-NODE"} {
		if !slices.Contains(before, want+":blocked") {
			t.Fatalf("the example no longer shows %s: %v", want, before)
		}
	}
	out, _ := run(t, "fix", dir, "--format", "json")
	var plan struct {
		Changes []struct {
			Action   string
			Location struct {
				File string
				Line int
			}
			Snippet string
		}
		Cleared []string
	}
	if err := json.Unmarshal([]byte(out), &plan); err != nil {
		t.Fatal(err)
	}
	if len(plan.Changes) == 0 {
		t.Fatal("no change planned")
	}
	lines := strings.Split(string(src), "\n")
	// Apply from the bottom up so earlier line numbers stay right; a
	// removal deletes the block that starts at its line, an addition
	// goes right after its group's opening line.
	slices.SortStableFunc(plan.Changes, func(a, b struct {
		Action   string
		Location struct {
			File string
			Line int
		}
		Snippet string
	}) int {
		return b.Location.Line - a.Location.Line
	})
	for _, c := range plan.Changes {
		at := c.Location.Line - 1
		switch c.Action {
		case "remove":
			end := blockEnd(lines, at)
			lines = append(lines[:at], lines[end+1:]...)
		case "add":
			var body []string
			for _, l := range strings.Split(strings.TrimRight(c.Snippet, "\n"), "\n") {
				if !strings.HasPrefix(l, "#") {
					body = append(body, "  "+l)
				}
			}
			lines = slices.Insert(lines, at+1, body...)
		}
	}
	if err := os.WriteFile(main, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	after := findings(t, dir)
	for _, f := range after {
		if strings.HasSuffix(f, ":blocked") || strings.HasSuffix(f, ":exposed") {
			t.Errorf("after the fix: %v\n%s", after, strings.Join(lines, "\n"))
			break
		}
	}
}

// blockEnd finds the line that closes the block opening at line i.
func blockEnd(lines []string, i int) int {
	depth := 0
	for j := i; j < len(lines); j++ {
		depth += strings.Count(lines[j], "{") - strings.Count(lines[j], "}")
		if depth == 0 && j > i || depth == 0 && strings.Contains(lines[j], "}") {
			return j
		}
	}
	return len(lines) - 1
}

func findings(t *testing.T, dir string) []string {
	t.Helper()
	out, _ := run(t, "check", dir, "--format", "json", "--fail-on", "none")
	var rep struct {
		Findings []struct{ ID, Kind string }
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, f := range rep.Findings {
		ids = append(ids, f.ID+":"+f.Kind)
	}
	return ids
}
