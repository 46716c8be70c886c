package cli_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/clusterwall/clusterwall/internal/cli"
)

// scenarioRow matches a row of a SCENARIO.md verdict table:
// | `nodes → control-plane tcp/443` | **allowed** | why |
var scenarioRow = regexp.MustCompile("^\\|\\s*`([^`]+?)\\s*→\\s*(\\S+)\\s+((?:tcp|udp|icmp|icmpv6|all)[^`]*)`\\s*\\|\\s*\\*\\*(allowed|denied|unknown)\\*\\*")

// TestScenarioVerdicts runs every query verdict written in the fixtures'
// SCENARIO.md files through the CLI. The files say what a correct analyser
// concludes for each scenario; this keeps the tool and them in agreement.
func TestScenarioVerdicts(t *testing.T) {
	docs, err := filepath.Glob("../source/*/testdata/*/SCENARIO.md")
	if err != nil {
		t.Fatal(err)
	}
	// Scenarios of the catalogs and checks, as users write their clusters.
	more, err := filepath.Glob("testdata/scenarios/*/SCENARIO.md")
	if err != nil {
		t.Fatal(err)
	}
	docs = append(docs, more...)
	if len(docs) == 0 {
		t.Fatal("no SCENARIO.md found")
	}
	rows := 0
	for _, doc := range docs {
		dir := filepath.Dir(doc)
		f, err := os.Open(doc)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			m := scenarioRow.FindStringSubmatch(sc.Text())
			if m == nil {
				continue
			}
			rows++
			from, to, port, want := m[1], m[2], strings.TrimSpace(m[3]), m[4]
			name := filepath.Base(dir) + "/" + from + "→" + to + " " + port
			t.Run(name, func(t *testing.T) {
				var out, errOut bytes.Buffer
				code := cli.Run(context.Background(), []string{"query", dir, "--from", from, "--to", to, "--port", port, "--format", "json"}, nil, &out, &errOut)
				if code != 0 {
					t.Fatalf("exit %d: %s", code, errOut.String())
				}
				var ans struct{ Verdict string }
				if err := json.Unmarshal(out.Bytes(), &ans); err != nil {
					t.Fatal(err)
				}
				if ans.Verdict != want {
					t.Errorf("verdict %s, want %s\n%s", ans.Verdict, want, out.String())
				}
			})
		}
		f.Close()
	}
	t.Logf("%d verdicts from %d scenarios", rows, len(docs))
}
