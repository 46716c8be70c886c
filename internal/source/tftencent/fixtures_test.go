package tftencent_test

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/clusterwall/clusterwall/internal/model"
	"github.com/clusterwall/clusterwall/internal/source/input"
	"github.com/clusterwall/clusterwall/internal/source/terraform"
)

// readFixture reads a directory of testdata through the HCL evaluator,
// as the loader would.
func readFixture(t *testing.T, dir string, opts input.Options) (*model.Estate, error) {
	t.Helper()
	var files []input.File
	root := filepath.Join("testdata", dir)
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !terraform.Detect(p) {
			return err
		}
		data, err := os.ReadFile(p)
		files = append(files, input.File{Path: filepath.ToSlash(p), Data: data})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return terraform.Read(files, opts)
}

func mustRead(t *testing.T, dir string, opts input.Options) *model.Estate {
	t.Helper()
	e, err := readFixture(t, dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// lineOf finds the line of a fixture file that holds text (the n-th such
// line).
func lineOf(t *testing.T, file, text string, n int) int {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range strings.Split(string(data), "\n") {
		if strings.Contains(l, text) {
			if n--; n == 0 {
				return i + 1
			}
		}
	}
	t.Fatalf("%s has no line with %q", file, text)
	return 0
}

// rules prints a group's rules one a line: direction, action, services,
// peer, description and origin.
func rules(t *testing.T, e *model.Estate, key string) []string {
	t.Helper()
	g := e.Groups[key]
	if g == nil {
		var keys []string
		for k := range e.Groups {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		t.Fatalf("no group %s (have %v)", key, keys)
	}
	var out []string
	for _, r := range g.Rules {
		s := fmt.Sprintf("%s %s %s %s", r.Direction, r.Action, r.Services, r.Peer)
		if r.Description != "" {
			s += fmt.Sprintf(" %q", r.Description)
		}
		if r.PortsUnknown != "" {
			s += " ports?"
		}
		out = append(out, s+" @ "+r.Origin.String())
	}
	return out
}

func same(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\n  %s\nwant:\n  %s", what, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// members prints a cluster's members one a line.
func members(c *model.Cluster) []string {
	var out []string
	for _, m := range c.Members {
		s := fmt.Sprintf("%s %s groups=%s", m.Qualified(), m.Kind, strings.Join(m.Groups, ","))
		if m.GroupsUnknown != "" {
			s += " unknown"
		}
		var addrs []string
		for _, a := range m.Addrs {
			addrs = append(addrs, a.String())
		}
		out = append(out, s+" addrs="+strings.Join(addrs, ",")+" @ "+m.Origin.String())
	}
	return out
}

func cluster(t *testing.T, e *model.Estate, name string) *model.Cluster {
	t.Helper()
	c := e.Cluster(name)
	if c == nil {
		t.Fatalf("no cluster %s in %d clusters", name, len(e.Clusters))
	}
	return c
}

// TestTKEDefault: seed 004's console defaults as a rule set made by a
// dynamic block, in their order, on the workers of a managed GR cluster.
func TestTKEDefault(t *testing.T) {
	e := mustRead(t, "tke-default", input.Options{})
	dyn := fmt.Sprintf("testdata/tke-default/security.tf:%d (tencentcloud_security_group_rule_set.worker)", lineOf(t, "tke-default/security.tf", "content {", 1))
	eg := fmt.Sprintf("testdata/tke-default/security.tf:%d (tencentcloud_security_group_rule_set.worker)", lineOf(t, "tke-default/security.tf", "egress {", 1))
	same(t, "rules", rules(t, e, "tencentcloud_security_group.worker"), []string{
		`ingress ACCEPT all 172.16.0.0/16 "pods talk to pods on any node" @ ` + dyn,
		`ingress ACCEPT all 10.0.0.0/16 "nodes talk to nodes" @ ` + dyn,
		`ingress ACCEPT tcp/22 0.0.0.0/0 "SSH" @ ` + dyn,
		`ingress ACCEPT tcp/30000-32768 0.0.0.0/0 "NodePorts behind the CLB" @ ` + dyn,
		`ingress ACCEPT udp/30000-32768 0.0.0.0/0 "NodePorts behind the CLB" @ ` + dyn,
		`ingress ACCEPT icmp 0.0.0.0/0 "ping" @ ` + dyn,
		`egress ACCEPT all 0.0.0.0/0 "everything out" @ ` + eg,
	})
	g := e.Groups["tencentcloud_security_group.worker"]
	if g.Provider != model.Tencent || !g.ExclusiveRules || g.RulesUnknown != "" || g.Name != "tke-worker-security-for-prod" ||
		g.Tags["cluster"] != "prod" || g.Description != "TKE default worker rules" {
		t.Errorf("group = %+v", g)
	}
	for i, r := range g.Rules {
		if want := fmt.Sprintf("%s[%d]", r.Direction, i); r.Direction == model.Ingress && r.ID != want {
			t.Errorf("rule %d ID %q, want %q", i, r.ID, want)
		}
	}
	c := cluster(t, e, "prod")
	if c.Platform != model.TKE || c.Independent || c.NetworkMode != "GR" || c.VPC != "tencentcloud_vpc.main" ||
		fmt.Sprint(c.Networks.VPC, c.Networks.Pods, c.Networks.Services) != "[10.0.0.0/16] [172.16.0.0/16] [172.17.0.0/22]" ||
		c.Endpoint.Public != model.No || c.Endpoint.Private != model.No {
		t.Errorf("cluster = %+v", c)
	}
	same(t, "members", members(c), []string{
		fmt.Sprintf("nodes/prod-worker worker groups=tencentcloud_security_group.worker addrs=10.0.1.0/24 @ testdata/tke-default/cluster.tf:%d (tencentcloud_kubernetes_cluster.prod)",
			lineOf(t, "tke-default/cluster.tf", "worker_config {", 1)),
	})
	if n := c.Members[0].Interfaces; n != 3 {
		t.Errorf("interfaces = %d, want the worker count 3", n)
	}
	if len(e.Notes) != 0 {
		t.Errorf("notes = %q", e.Notes)
	}
}

// TestLiteRules: the module's lite rule accepts the office and drops the
// rest, the cluster's own networks too, until they are accepted first.
func TestLiteRules(t *testing.T) {
	e := mustRead(t, "lite-rules", input.Options{})
	in := fmt.Sprintf("testdata/lite-rules/main.tf:%d (tencentcloud_security_group_lite_rule.this)", lineOf(t, "lite-rules/main.tf", "ingress = concat(", 1))
	out := fmt.Sprintf("testdata/lite-rules/main.tf:%d (tencentcloud_security_group_lite_rule.this)", lineOf(t, "lite-rules/main.tf", `"ACCEPT#0.0.0.0/0#ALL#ALL"`, 1))
	same(t, "rules", rules(t, e, "tencentcloud_security_group.this"), []string{
		"ingress ACCEPT all 203.0.113.0/24 @ " + in,
		"ingress DROP all 0.0.0.0/0 @ " + in,
		"egress ACCEPT all 0.0.0.0/0 @ " + out,
	})
	if g := e.Groups["tencentcloud_security_group.this"]; !g.ExclusiveRules {
		t.Error("a lite rule owns the group's rules")
	}
	e = mustRead(t, "lite-rules", input.Options{Vars: map[string]string{"accept_cluster_networks": "true"}})
	same(t, "rules, cluster networks accepted", rules(t, e, "tencentcloud_security_group.this")[:4], []string{
		"ingress ACCEPT all 10.8.0.0/16 @ " + in,
		"ingress ACCEPT all 172.20.0.0/16 @ " + in,
		"ingress ACCEPT all 203.0.113.0/24 @ " + in,
		"ingress DROP all 0.0.0.0/0 @ " + in,
	})

	c := cluster(t, e, "tke-test")
	mod := "testdata/lite-rules/modules/tke/main.tf"
	ep := fmt.Sprintf("%s:%d (module.tencentcloud_tke.tencentcloud_kubernetes_cluster_endpoint.this[0])", mod, lineOf(t, "lite-rules/modules/tke/main.tf", `resource "tencentcloud_kubernetes_cluster_endpoint"`, 1))
	same(t, "members", members(c), []string{
		"control-plane/internet-endpoint api-endpoint groups=tencentcloud_security_group.this addrs=0.0.0.0/0 @ " + ep,
		"control-plane/intranet-endpoint private-api-endpoint groups= addrs=10.8.1.0/24 @ " + ep,
		fmt.Sprintf(`nodes/test node-pool groups=tencentcloud_security_group.this addrs=10.8.1.0/24 @ %s:%d (module.tencentcloud_tke.tencentcloud_kubernetes_node_pool.this["test"])`,
			mod, lineOf(t, "lite-rules/modules/tke/main.tf", "auto_scaling_config {", 1)),
	})
	if c.Endpoint.Public != model.Yes || c.Endpoint.Private != model.Yes || fmt.Sprint(c.Networks.Pods) != "[172.20.0.0/16]" {
		t.Errorf("cluster = %+v", c)
	}
}

// TestIndependent: the masters of an independent cluster with TKE's
// default master rules, made by a dynamic block over a map (key order).
func TestIndependent(t *testing.T) {
	e := mustRead(t, "independent", input.Options{})
	c := cluster(t, e, "selfhosted")
	if !c.Independent {
		t.Error("cluster_deploy_type INDEPENDENT_CLUSTER")
	}
	same(t, "members", members(c), []string{
		fmt.Sprintf("control-plane/selfhosted-master master groups=tencentcloud_security_group.master addrs=10.3.0.0/24 @ testdata/independent/main.tf:%d (tencentcloud_kubernetes_cluster.this)",
			lineOf(t, "independent/main.tf", "master_config {", 1)),
		fmt.Sprintf("control-plane/internet-endpoint api-endpoint groups=tencentcloud_security_group.apiserver addrs=0.0.0.0/0 @ testdata/independent/main.tf:%d (tencentcloud_kubernetes_cluster.this)",
			lineOf(t, "independent/main.tf", `resource "tencentcloud_kubernetes_cluster"`, 1)),
		fmt.Sprintf("nodes/selfhosted-worker worker groups=tencentcloud_security_group.worker addrs=10.3.1.0/24 @ testdata/independent/main.tf:%d (tencentcloud_kubernetes_cluster.this)",
			lineOf(t, "independent/main.tf", "worker_config {", 1)),
	})
	var got []string
	for _, r := range e.Groups["tencentcloud_security_group.master"].RulesOf(model.Ingress) {
		got = append(got, fmt.Sprintf("%s %s %s", r.Description, r.Services, r.Peer))
	}
	same(t, "master ingress", got, []string{
		"01-ping icmp 0.0.0.0/0",
		"02-nodeport-tcp tcp/30000-32768 10.3.0.0/16",
		"03-nodeport-udp udp/30000-32768 10.3.0.0/16",
		"04-apiserver-nodes tcp/53,443,2379-2380,10250,17443,50055,60001-60002,61678 10.3.0.0/16",
		"05-apiserver-pods tcp/53,2379-2380,10250,17443,60001-60002 172.22.0.0/16",
		"06-service-tcp tcp/30000-32768 172.22.0.0/16",
		"07-service-udp udp/30000-32768 172.22.0.0/16",
		"08-coredns-pods udp/53 172.22.0.0/16",
		"09-coredns-nodes udp/53 10.3.0.0/16",
	})
	same(t, "api server rules", rules(t, e, "tencentcloud_security_group.apiserver"), []string{
		fmt.Sprintf(`ingress ACCEPT tcp/443 203.0.113.0/24 "kubectl from the office" @ testdata/independent/security.tf:%d (tencentcloud_security_group_rule_set.apiserver)`, lineOf(t, "independent/security.tf", "ingress {", 4)),
		fmt.Sprintf(`ingress DROP all 0.0.0.0/0 "nobody else" @ testdata/independent/security.tf:%d (tencentcloud_security_group_rule_set.apiserver)`, lineOf(t, "independent/security.tf", "ingress {", 5)),
	})
}

// TestNodePoolOrder: node pools bind their groups in the order
// orderly_security_group_ids gives; the deprecated set is read as written,
// with a note.
func TestNodePoolOrder(t *testing.T) {
	e := mustRead(t, "node-pool-order", input.Options{})
	c := cluster(t, e, "shop")
	lock, base := "tencentcloud_security_group.lockdown", "tencentcloud_security_group.base"
	got := map[string]string{}
	for _, m := range c.Members {
		got[m.Qualified()] = strings.Join(m.Groups, ",") + "|" + m.Kind
	}
	want := map[string]string{
		"nodes/apps":                 lock + "," + base + "|node-pool",
		"nodes/batch":                base + "," + lock + "|node-pool",
		"nodes/legacy":               lock + "," + base + "|node-pool",
		"load-balancer/shop-ingress": "tencentcloud_security_group.clb|clb",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("members = %v, want %v", got, want)
	}
	if len(e.LoadBalancers) != 1 || e.LoadBalancers[0].Cluster != "shop" || e.LoadBalancers[0].Scheme != "internal" || e.LoadBalancers[0].Type != "clb" {
		t.Errorf("load balancers = %+v", e.LoadBalancers)
	}
	if len(e.Notes) != 1 || !strings.Contains(e.Notes[0], "tencentcloud_kubernetes_node_pool.legacy: auto_scaling_config.security_group_ids is deprecated") {
		t.Errorf("notes = %q", e.Notes)
	}
	same(t, "lockdown", rules(t, e, lock), []string{
		fmt.Sprintf(`ingress DROP tcp/22 0.0.0.0/0 "no SSH" @ testdata/node-pool-order/security.tf:%d (tencentcloud_security_group_rule_set.lockdown)`, lineOf(t, "node-pool-order/security.tf", "ingress {", 5)),
	})
}

// TestLegacyRules: single rule resources, ordered by policy_index, then
// declaration; address and protocol templates resolved.
func TestLegacyRules(t *testing.T) {
	e := mustRead(t, "legacy-rules", input.Options{})
	loc := func(addr, text string) string {
		return fmt.Sprintf("testdata/legacy-rules/security.tf:%d (%s)", lineOf(t, "legacy-rules/security.tf", text, 1), addr)
	}
	same(t, "rules", rules(t, e, "tencentcloud_security_group.workers"), []string{
		`ingress ACCEPT tcp/22 tencentcloud_address_template_group.admins "SSH for the admins" @ ` + loc("tencentcloud_security_group_rule.admin_ssh", `"admin_ssh"`),
		`ingress DROP tcp/22 0.0.0.0/0 "no SSH from anywhere else" @ ` + loc("tencentcloud_security_group_rule.drop_ssh", `"drop_ssh"`),
		`ingress ACCEPT all 10.9.0.0/16 "cluster-network" @ ` + loc(`tencentcloud_security_group_rule.internal["cluster-network"]`, `"internal"`),
		`ingress ACCEPT all 172.24.0.0/16 "pods" @ ` + loc(`tencentcloud_security_group_rule.internal["pods"]`, `"internal"`),
		`ingress ACCEPT tcp/30000-32768 udp/30000-32768 100.64.0.0/10 "CLB health checks on the NodePorts" @ ` + loc("tencentcloud_security_group_rule.clb_health", `"clb_health"`),
		`egress ACCEPT all 0.0.0.0/0 "everything out" @ ` + loc("tencentcloud_security_group_rule.egress", `"egress"`),
	})
	for _, r := range e.Groups["tencentcloud_security_group.workers"].Rules {
		if !r.Standalone || !strings.HasPrefix(r.ID, "tencentcloud_security_group_rule.") {
			t.Errorf("rule %+v: standalone, named by its address", r)
		}
	}
	if g := e.Groups["tencentcloud_security_group.workers"]; g.ExclusiveRules {
		t.Error("single rules do not own the group")
	}
	set := e.AddressSets["tencentcloud_address_template_group.admins"]
	if set == nil || set.Unknown != "" || fmt.Sprint(set.Prefixes) != "[198.51.100.1/32 198.51.100.2/31 198.51.100.4/30 198.51.100.8/29 198.51.100.16/30 198.51.100.20/32 203.0.113.10/32 203.0.113.128/25]" {
		t.Errorf("address set = %+v", set)
	}
	if len(e.Notes) != 1 || !strings.Contains(e.Notes[0], "its 5 ingress rules are separate tencentcloud_security_group_rule resources, whose order in the group is not guaranteed") {
		t.Errorf("notes = %q", e.Notes)
	}
}

// TestBroken: a lite-rule string the provider refuses is an input error
// at its line.
func TestBroken(t *testing.T) {
	_, err := readFixture(t, "broken", input.Options{})
	want := fmt.Sprintf(`testdata/broken/main.tf:%d: invalid lite rule "ACCEPT#10.0.0.0/16#8080#ALL": port "8080" with protocol ALL: the port must be ALL`,
		lineOf(t, "broken/main.tf", "8080", 1))
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error %v, want %s", err, want)
	}
}

// TestJSONConfiguration: in .tf.json, the lite rule's ingress and egress
// are lists of strings, not blocks, while worker_config is a block.
func TestJSONConfiguration(t *testing.T) {
	src := `{"resource": {
  "tencentcloud_security_group": {"web": {"name": "web"}},
  "tencentcloud_security_group_lite_rule": {"web": {
    "security_group_id": "${tencentcloud_security_group.web.id}",
    "ingress": ["ACCEPT#10.0.0.0/16#ALL#ALL", "DROP#0.0.0.0/0#ALL#ALL"],
    "egress": []
  }},
  "tencentcloud_security_group_rule_set": {"other": {
    "security_group_id": "sg-abcd1234",
    "ingress": [{"action": "ACCEPT", "cidr_block": "10.0.0.0/8", "protocol": "TCP", "port": "22"}]
  }},
  "tencentcloud_kubernetes_cluster": {"c": {
    "cluster_name": "c",
    "worker_config": [{"instance_type": "S5.LARGE8", "security_group_ids": ["${tencentcloud_security_group.web.id}"]}]
  }}
}}`
	e, err := terraform.Read([]input.File{{Path: "j/main.tf.json", Data: []byte(src)}}, input.Options{})
	if err != nil {
		t.Fatal(err)
	}
	same(t, "lite rule", rules(t, e, "tencentcloud_security_group.web"), []string{
		"ingress ACCEPT all 10.0.0.0/16 @ j/main.tf.json:5 (tencentcloud_security_group_lite_rule.web)",
		"ingress DROP all 0.0.0.0/0 @ j/main.tf.json:5 (tencentcloud_security_group_lite_rule.web)",
	})
	if r := rules(t, e, "sg-abcd1234"); len(r) != 1 || !strings.HasPrefix(r[0], "ingress ACCEPT tcp/22 10.0.0.0/8") {
		t.Errorf("rule set = %q", r)
	}
	if c := cluster(t, e, "c"); len(c.Members) != 1 || c.Members[0].Groups[0] != "tencentcloud_security_group.web" {
		t.Errorf("members = %v", members(c))
	}
}
