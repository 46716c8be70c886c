package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/clusterwall/clusterwall/internal/knowledge"
	"github.com/clusterwall/clusterwall/internal/model"
)

// TestGenerateRoundTrip reads back what generate writes, for every
// platform × level × add-on (alone) and every output format, with the same
// platform, level and add-ons: no blocked and no exposed finding, nothing
// left undecided, and every required flow answers allowed.
func TestGenerateRoundTrip(t *testing.T) {
	cat := knowledge.MustLoad()
	type shape struct {
		platform    model.Platform
		independent bool
		formats     []string
	}
	shapes := []shape{
		{model.EKS, false, []string{"terraform", "cloudformation", "json"}},
		{model.TKE, false, []string{"terraform", "json"}},
		{model.TKE, true, []string{"terraform", "json"}},
	}
	cases := 0
	for _, sh := range shapes {
		addonSets := [][]string{nil}
		for _, a := range cat.AddOns {
			if slices.Contains(a.Platforms, string(sh.platform)) {
				addonSets = append(addonSets, []string{a.Name})
			}
		}
		for level := 1; level <= 3; level++ {
			for _, addons := range addonSets {
				for _, format := range sh.formats {
					name := string(sh.platform) + "/L" + strconv.Itoa(level) + "/" + strings.Join(addons, ",") + "/" + format
					if sh.independent {
						name = "tke-independent" + name[3:]
					}
					cases++
					t.Run(name, func(t *testing.T) {
						roundTrip(t, cat, sh.platform, sh.independent, level, addons, format)
					})
				}
			}
		}
	}
	if cases < 100 {
		t.Fatalf("only %d round trips", cases)
	}
}

func roundTrip(t *testing.T, cat *knowledge.Catalog, platform model.Platform, independent bool, level int, addons []string, format string) {
	dir := t.TempDir()
	common := []string{"--platform", string(platform), "--level", strconv.Itoa(level)}
	if len(addons) > 0 {
		common = append(common, "--addons", strings.Join(addons, ","))
	}
	gen := append([]string{"generate", "--vpc-cidr", "10.0.0.0/16", "--cluster", "rt", "--format", format}, common...)
	if platform == model.TKE {
		gen = append(gen, "--pod-cidr", "172.16.0.0/16")
	}
	if independent {
		gen = append(gen, "--independent")
	}
	out, code := run(t, gen...)
	if code != 0 {
		t.Fatalf("generate: exit %d", code)
	}
	file := map[string]string{"terraform": "sg.tf", "cloudformation": "sg.yaml", "json": "design.json"}[format]
	if err := os.WriteFile(filepath.Join(dir, file), []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	report, _ := run(t, append([]string{"check", dir, "--format", "json", "--fail-on", "none"}, common...)...)
	var rep struct {
		Clusters []struct {
			Roles map[string][]string
		}
		Findings []struct {
			ID, Kind, Message string
		}
		Unverified []struct {
			ID, Where string
			Missing   []string
		}
	}
	if err := json.Unmarshal([]byte(report), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Clusters) != 1 {
		t.Fatalf("clusters = %+v\n%s", rep.Clusters, out)
	}
	for _, f := range rep.Findings {
		if f.Kind == "blocked" || f.Kind == "exposed" {
			t.Errorf("%s %s: %s", f.Kind, f.ID, f.Message)
		}
	}
	for _, u := range rep.Unverified {
		t.Errorf("undecided %s %s: %v", u.ID, u.Where, u.Missing)
	}
	// Every required flow, asked as a user would.
	var installed []model.AddOn
	for _, a := range addons {
		installed = append(installed, model.AddOn{Name: a, Source: "--addons"})
	}
	roles := rep.Clusters[0].Roles
	has := func(role string) bool { return len(roles[role]) > 0 }
	for _, a := range cat.Requirements(knowledge.Facts{Platform: platform, Level: level, Independent: independent, AddOns: installed, HasRole: has}) {
		from, to := pick(a.Req.From, has), pick(a.Req.To, has)
		if !asked(from, has) || !asked(to, has) {
			continue // a part the cluster does not have (a managed control plane)
		}
		for _, part := range a.Req.Svcs.Parts() {
			port := part.Protocol + "/" + part.Ports
			if part.Ports == "all" {
				port = part.Protocol
			}
			q, _ := run(t, append([]string{"query", dir, "--from", from, "--to", to, "--port", port, "--format", "json"}, common...)...)
			if !strings.Contains(q, `"verdict": "allowed"`) {
				t.Errorf("%s: %s → %s %s is not allowed:\n%s", a.ID, from, to, port, q)
			}
		}
	}
}

// pick resolves a catalog end as check does: the first of "a|b" the
// cluster has, the first of "a+b".
func pick(role string, has func(string) bool) string {
	if alts := strings.Split(role, "|"); len(alts) > 1 {
		for _, r := range alts {
			if has(r) {
				return r
			}
		}
		return alts[len(alts)-1]
	}
	return strings.Split(role, "+")[0]
}

// asked reports whether an end is something the cluster has: a role with
// members (pods live on nodes), or an address range.
func asked(end string, has func(string) bool) bool {
	switch end {
	case "internet", "vpc":
		return true
	case "pods":
		return has("pods") || has("nodes")
	}
	return has(end) || strings.Contains(end, "/")
}
