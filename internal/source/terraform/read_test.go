package terraform

import (
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/clusterwall/clusterwall/internal/model"
	"github.com/clusterwall/clusterwall/internal/source/input"
	"github.com/clusterwall/clusterwall/internal/srcpos"
)

// readFixture reads a directory of testdata as the loader would: every
// Terraform file, leaving out dot-directories (.terraform is followed by
// the reader itself).
func readFixture(t *testing.T, dir string, opts input.Options) *model.Estate {
	t.Helper()
	e, err := readFixtureErr(t, dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func readFixtureErr(t *testing.T, dir string, opts input.Options) (*model.Estate, error) {
	t.Helper()
	var files []input.File
	root := filepath.Join("testdata", dir)
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != root && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		if Detect(p) {
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			files = append(files, input.File{Path: filepath.ToSlash(p), Data: data})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return Read(files, opts)
}

// lineOf finds the line of a file that holds text (the n-th such line,
// counting from 1).
func lineOf(t *testing.T, file, text string, n ...int) int {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	want := 1
	if len(n) > 0 {
		want = n[0]
	}
	for i, l := range strings.Split(string(data), "\n") {
		if strings.Contains(l, text) {
			want--
			if want == 0 {
				return i + 1
			}
		}
	}
	t.Fatalf("%s has no line with %q", file, text)
	return 0
}

type ruleWant struct {
	dir        model.Direction
	svcs       string
	peer       string
	loc        srcpos.Location
	standalone bool
	desc       string // checked when set
}

func at(file string, line int, addr string) srcpos.Location {
	return srcpos.Location{File: file, Line: line, Address: addr}
}

func checkRules(t *testing.T, e *model.Estate, key string, want []ruleWant) {
	t.Helper()
	g := e.Groups[key]
	if g == nil {
		t.Fatalf("no group %s (have %v)", key, sortedKeys(e.Groups))
	}
	got := make([]string, len(g.Rules))
	for i, r := range g.Rules {
		got[i] = fmt.Sprintf("%s %s %s at %s standalone=%v", r.Direction, r.Services, r.Peer, r.Origin, r.Standalone)
	}
	exp := make([]string, len(want))
	for i, w := range want {
		exp[i] = fmt.Sprintf("%s %s %s at %s standalone=%v", w.dir, w.svcs, w.peer, w.loc, w.standalone)
	}
	if strings.Join(got, "\n") != strings.Join(exp, "\n") {
		t.Errorf("rules of %s:\n%s\nwant:\n%s", key, strings.Join(got, "\n"), strings.Join(exp, "\n"))
		return
	}
	for i, w := range want {
		if w.desc != "" && g.Rules[i].Description != w.desc {
			t.Errorf("rule %d of %s: description %q, want %q", i, key, g.Rules[i].Description, w.desc)
		}
	}
}

func member(t *testing.T, c *model.Cluster, qualified string) *model.Member {
	t.Helper()
	for _, m := range c.Members {
		if m.Qualified() == qualified {
			return m
		}
	}
	var have []string
	for _, m := range c.Members {
		have = append(have, m.Qualified())
	}
	t.Fatalf("cluster %s has no member %s (have %v)", c.Name, qualified, have)
	return nil
}

func prefixes(ss ...string) []netip.Prefix {
	var out []netip.Prefix
	for _, s := range ss {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
}

func onlyCluster(t *testing.T, e *model.Estate) *model.Cluster {
	t.Helper()
	if len(e.Clusters) != 1 {
		t.Fatalf("got %d clusters, want 1", len(e.Clusters))
	}
	return e.Clusters[0]
}

func equalStrings(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s = %q, want %q", what, got, want)
	}
}

func equalPrefixes(t *testing.T, what string, got, want []netip.Prefix) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

// TestEKSModule reads a terraform-aws-eks (v19 style) configuration whose
// module terraform init downloaded: the rules come from maps iterated with
// for_each, through a submodule with for_each, a launch template and a
// dynamic launch_template block.
func TestEKSModule(t *testing.T) {
	e := readFixture(t, "eks-module", input.Options{})
	c := onlyCluster(t, e)
	const (
		mod        = "testdata/eks-module/.terraform/modules/eks/"
		clusterSG  = "module.eks.aws_eks_cluster.this[0].vpc_config[0].cluster_security_group_id"
		additional = "module.eks.aws_security_group.cluster[0]"
		nodeSG     = "module.eks.aws_security_group.node[0]"
	)
	if c.Name != "demo" || c.Platform != model.EKS || c.ClusterGroup != clusterSG || c.VPC != "aws_vpc.this" {
		t.Errorf("cluster = %s %s group %s vpc %s", c.Name, c.Platform, c.ClusterGroup, c.VPC)
	}
	wantOrigin := at(mod+"main.tf", lineOf(t, mod+"main.tf", `resource "aws_eks_cluster" "this"`), "module.eks.aws_eks_cluster.this[0]")
	if c.Origin != wantOrigin {
		t.Errorf("cluster origin = %s, want %s", c.Origin, wantOrigin)
	}
	equalPrefixes(t, "VPC", c.Networks.VPC, prefixes("10.0.0.0/16"))
	equalPrefixes(t, "subnets", c.Networks.Subnets, prefixes("10.0.0.0/20", "10.0.16.0/20", "10.0.32.0/20"))
	if c.Endpoint.Public != model.Yes || c.Endpoint.Private != model.Yes {
		t.Errorf("endpoint = %+v", c.Endpoint)
	}
	equalPrefixes(t, "public access CIDRs", c.Endpoint.PublicCIDRs, prefixes("203.0.113.0/24"))

	cg := e.Groups[clusterSG]
	if cg == nil || !cg.Implicit || cg.Name != "eks-cluster-sg-demo" || cg.Tags["kubernetes.io/cluster/demo"] != "owned" || cg.Tags["aws:eks:cluster-name"] != "demo" {
		t.Errorf("cluster group = %+v", cg)
	}
	cp := member(t, c, "control-plane")
	equalStrings(t, "control-plane groups", cp.Groups, []string{clusterSG, additional})
	ng := member(t, c, "nodes/general")
	equalStrings(t, "node groups", ng.Groups, []string{nodeSG})
	if ng.Kind != "managed-node-group" || ng.GroupsUnknown != "" {
		t.Errorf("node member = %+v", ng)
	}
	equalPrefixes(t, "node addresses", ng.Addrs, prefixes("10.0.0.0/20", "10.0.16.0/20", "10.0.32.0/20"))

	node := e.Groups[nodeSG]
	if node.Name != "" || !slices.Contains(node.Aliases, "demo-node") || !slices.Contains(node.Aliases, "aws_security_group.node") {
		t.Errorf("node group name %q aliases %q", node.Name, node.Aliases)
	}
	if node.ExclusiveRules || node.VPC != "aws_vpc.this" || node.Tags["kubernetes.io/cluster/demo"] != "owned" {
		t.Errorf("node group = %+v", node)
	}
	rule := func(key string) srcpos.Location {
		return at(mod+"node_groups.tf", lineOf(t, mod+"node_groups.tf", `resource "aws_security_group_rule" "node"`),
			fmt.Sprintf(`module.eks.aws_security_group_rule.node[%q]`, key))
	}
	checkRules(t, e, nodeSG, []ruleWant{
		{model.Egress, "all", "0.0.0.0/0", rule("egress_all"), true, "Allow all egress"},
		{model.Ingress, "tcp/443", additional, rule("ingress_cluster_443"), true, "Cluster API to node groups"},
		{model.Ingress, "tcp/4443", additional, rule("ingress_cluster_4443_webhook"), true, ""},
		{model.Ingress, "tcp/6443", additional, rule("ingress_cluster_6443_webhook"), true, ""},
		{model.Ingress, "tcp/8443", additional, rule("ingress_cluster_8443_webhook"), true, ""},
		{model.Ingress, "tcp/9443", additional, rule("ingress_cluster_9443_webhook"), true, ""},
		{model.Ingress, "tcp/10250", additional, rule("ingress_cluster_kubelet"), true, "Cluster API to node kubelets"},
		{model.Ingress, "tcp/1025-65535", nodeSG, rule("ingress_nodes_ephemeral"), true, ""},
		{model.Ingress, "all", nodeSG, rule("ingress_self_all"), true, "Node to node all ports/protocols"},
		{model.Ingress, "tcp/53", nodeSG, rule("ingress_self_coredns_tcp"), true, ""},
		{model.Ingress, "udp/53", nodeSG, rule("ingress_self_coredns_udp"), true, ""},
	})
	checkRules(t, e, additional, []ruleWant{
		{model.Ingress, "tcp/443", nodeSG, at(mod+"main.tf", lineOf(t, mod+"main.tf", `resource "aws_security_group_rule" "cluster"`),
			`module.eks.aws_security_group_rule.cluster["ingress_nodes_443"]`), true, "Node groups to cluster API"},
	})
	var addons []string
	for _, a := range c.AddOns {
		addons = append(addons, a.Name+"@"+a.Version+" "+a.Source)
	}
	equalStrings(t, "add-ons", addons, []string{"coredns@ aws_eks_addon", "aws-load-balancer-controller@1.7.1 helm_release"})
}

// TestInline reads a cluster written by hand with inline rules, dynamic
// blocks over lists of ports, count, conditionals and cidrsubnet.
func TestInline(t *testing.T) {
	const file = "testdata/inline/main.tf"
	e := readFixture(t, "inline", input.Options{})
	c := onlyCluster(t, e)
	if c.Name != "shop" { // from terraform.tfvars
		t.Errorf("cluster name = %q", c.Name)
	}
	if c.Endpoint.Public != model.No || c.Endpoint.Private != model.Yes {
		t.Errorf("endpoint = %+v (prod has no public endpoint)", c.Endpoint)
	}
	equalPrefixes(t, "services", c.Networks.Services, prefixes("172.20.0.0/16"))
	equalPrefixes(t, "subnets", c.Networks.Subnets, prefixes("10.20.0.0/24", "10.20.1.0/24"))
	const clusterSG = "aws_eks_cluster.shop.vpc_config[0].cluster_security_group_id"
	equalStrings(t, "control-plane groups", member(t, c, "control-plane").Groups, []string{clusterSG, "aws_security_group.control_plane"})
	equalStrings(t, "node groups", member(t, c, "nodes/default").Groups, []string{"aws_security_group.nodes"})
	if _, ok := e.Groups["aws_security_group.bastion[0]"]; ok {
		t.Error("count = 0 made a bastion group")
	}

	cp := "aws_security_group.control_plane"
	checkRules(t, e, cp, []ruleWant{
		{model.Ingress, "tcp/443", "10.20.0.0/16", at(file, lineOf(t, file, "ingress {"), cp), false, "API from the VPC"},
		{model.Egress, "tcp/10250", "10.20.0.0/16", at(file, lineOf(t, file, "content {"), cp), false, "kubelet 10250"},
	})
	nodes := "aws_security_group.nodes"
	dyn := at(file, lineOf(t, file, "content {", 2), nodes)
	checkRules(t, e, nodes, []ruleWant{
		{model.Ingress, "tcp/443", cp, dyn, false, "control plane to nodes on 443"},
		{model.Ingress, "tcp/443", clusterSG, dyn, false, ""},
		{model.Ingress, "tcp/10250", cp, dyn, false, "control plane to nodes on 10250"},
		{model.Ingress, "tcp/10250", clusterSG, dyn, false, ""},
		{model.Ingress, "all", nodes, at(file, lineOf(t, file, "ingress {", 2), nodes), false, "node to node"},
		{model.Ingress, "icmp/3:4", "10.20.0.0/16", at(file, lineOf(t, file, "ingress {", 3), nodes), false, "path MTU discovery"},
		{model.Egress, "all", "0.0.0.0/0", at(file, lineOf(t, file, "egress {"), nodes), false, ""},
		{model.Egress, "all", "::/0", at(file, lineOf(t, file, "egress {"), nodes), false, ""},
	})
	g := e.Groups[nodes]
	if !g.ExclusiveRules || g.Name != "shop-prod-nodes" || !slices.Contains(g.Aliases, "nodes") {
		t.Errorf("nodes group: exclusive %v name %q aliases %q", g.ExclusiveRules, g.Name, g.Aliases)
	}
	if s := e.Subnets["aws_subnet.private[1]"]; s == nil || s.VPC != "aws_vpc.main" || !slices.Equal(s.CIDRs, prefixes("10.20.1.0/24")) {
		t.Errorf("subnet = %+v", s)
	}
}

// TestInlineVariables changes the inline fixture through --var and
// --var-file.
func TestInlineVariables(t *testing.T) {
	varFile := filepath.Join(t.TempDir(), "ssh.tfvars")
	if err := os.WriteFile(varFile, []byte("enable_ssh = true\nenvironment = \"prod\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	e := readFixture(t, "inline", input.Options{
		VarFiles: []string{varFile},
		Vars:     map[string]string{"environment": "dev", "kubelet_ports": "[10250, 10255]"},
	})
	c := onlyCluster(t, e)
	if c.Endpoint.Public != model.Yes {
		t.Errorf("--var environment=dev wins over the var file: public endpoint %v", c.Endpoint.Public)
	}
	equalPrefixes(t, "public access CIDRs", c.Endpoint.PublicCIDRs, prefixes("0.0.0.0/0"))
	if e.Groups["aws_security_group.bastion[0]"] == nil {
		t.Error("enable_ssh = true from --var-file made no bastion group")
	}
	var ssh, egress int
	for _, r := range e.Groups["aws_security_group.nodes"].Rules {
		if r.Services.String() == "tcp/22" && r.Peer.String() == "0.0.0.0/0" {
			ssh++
		}
	}
	for _, r := range e.Groups["aws_security_group.control_plane"].Rules {
		if r.Direction == model.Egress {
			egress++
		}
	}
	if ssh != 1 || egress != 2 {
		t.Errorf("ssh rules %d (want 1), control-plane egress rules %d (want 2)", ssh, egress)
	}
	if _, err := readFixtureErr(t, "inline", input.Options{VarFiles: []string{"/nonexistent.tfvars"}}); err == nil {
		t.Error("a missing --var-file is no error")
	}
	// Terraform refuses a value for an undeclared variable; a misspelt
	// --var must not leave the default in force without a word.
	_, err := readFixtureErr(t, "inline", input.Options{Vars: map[string]string{"enviroment": "dev"}})
	if err == nil || !strings.Contains(err.Error(), `--var enviroment`) || !strings.Contains(err.Error(), `did you mean "environment"`) {
		t.Errorf("--var for an undeclared variable: err = %v", err)
	}
}

// TestSelfManaged reads Auto Scaling groups with launch templates.
func TestSelfManaged(t *testing.T) {
	const file = "testdata/self-managed/main.tf"
	e := readFixture(t, "self-managed", input.Options{})
	c := onlyCluster(t, e)
	const clusterSG = "aws_eks_cluster.batch.vpc_config[0].cluster_security_group_id"
	if c.Endpoint.Public != model.No {
		t.Errorf("endpoint = %+v", c.Endpoint)
	}
	w := member(t, c, "nodes/batch-workers")
	equalStrings(t, "workers groups", w.Groups, []string{"aws_security_group.workers"})
	if w.Kind != "self-managed" || !slices.Equal(w.Addrs, prefixes("10.30.1.0/24")) {
		t.Errorf("workers = %+v", w)
	}
	spot := member(t, c, "nodes/batch-spot")
	equalStrings(t, "spot groups", spot.Groups, []string{"aws_security_group.workers", clusterSG})
	workers := "aws_security_group.workers"
	checkRules(t, e, workers, []ruleWant{
		{model.Ingress, "tcp/10250", clusterSG, at(file, lineOf(t, file, `"workers_from_cluster"`), "aws_vpc_security_group_ingress_rule.workers_from_cluster"), true, "kubelet"},
		{model.Ingress, "all", workers, at(file, lineOf(t, file, `"workers_self"`), "aws_vpc_security_group_ingress_rule.workers_self"), true, ""},
		{model.Egress, "all", "0.0.0.0/0", at(file, lineOf(t, file, `"workers_all"`), "aws_vpc_security_group_egress_rule.workers_all"), true, ""},
	})
	checkRules(t, e, clusterSG, []ruleWant{
		{model.Ingress, "tcp/443", workers, at(file, lineOf(t, file, `"cluster_from_workers"`), "aws_vpc_security_group_ingress_rule.cluster_from_workers"), true, ""},
	})
	if g := e.Groups[clusterSG]; !g.Implicit || g.ExclusiveRules {
		t.Errorf("cluster group = %+v", g)
	}
}

// TestManagedDefault: a node group without a launch template gets the
// cluster group, as does a Fargate profile; the one ALB serves the one
// cluster; prefix lists are address sets.
func TestManagedDefault(t *testing.T) {
	const file = "testdata/managed-default/main.tf"
	e := readFixture(t, "managed-default", input.Options{})
	c := onlyCluster(t, e)
	const clusterSG = "aws_eks_cluster.web.vpc_config[0].cluster_security_group_id"
	equalStrings(t, "default node group", member(t, c, "nodes/default").Groups, []string{clusterSG})
	f := member(t, c, "nodes/system")
	equalStrings(t, "fargate", f.Groups, []string{clusterSG})
	if f.Kind != "fargate" || !slices.Equal(f.Addrs, prefixes("10.40.16.0/20")) {
		t.Errorf("fargate member = %+v", f)
	}
	lb := member(t, c, "load-balancer/web")
	equalStrings(t, "load balancer", lb.Groups, []string{"aws_security_group.alb"})
	if len(e.LoadBalancers) != 1 || e.LoadBalancers[0].Cluster != "web" || e.LoadBalancers[0].VPC != "aws_vpc.main" || e.LoadBalancers[0].Type != "application" {
		t.Errorf("load balancers = %+v", e.LoadBalancers)
	}
	equalPrefixes(t, "VPC", c.Networks.VPC, prefixes("10.40.0.0/16", "100.64.0.0/16"))
	equalPrefixes(t, "public access CIDRs", c.Endpoint.PublicCIDRs, prefixes("198.51.100.0/24"))
	set := e.AddressSets["aws_ec2_managed_prefix_list.office"]
	if set == nil || set.Name != "office" || set.Unknown != "" || !slices.Equal(set.Prefixes, prefixes("192.0.2.0/25", "192.0.2.128/25")) {
		t.Errorf("prefix list = %+v", set)
	}
	alb := "aws_security_group.alb"
	checkRules(t, e, alb, []ruleWant{
		{model.Ingress, "tcp/443", "aws_ec2_managed_prefix_list.office", at(file, lineOf(t, file, "ingress {"), alb), false, ""},
		{model.Egress, "tcp", "10.40.0.0/16", at(file, lineOf(t, file, "egress {"), alb), false, ""},
	})
	checkRules(t, e, clusterSG, []ruleWant{
		{model.Ingress, "tcp/30000-32767", alb, at(file, lineOf(t, file, `"nodes_from_alb"`), "aws_vpc_security_group_ingress_rule.nodes_from_alb"), true, ""},
	})
	if len(c.AddOns) != 1 || c.AddOns[0].Name != "metrics-server" || c.AddOns[0].Version != "3.12.1" {
		t.Errorf("add-ons = %+v", c.AddOns)
	}
}

// TestRemoteAccess: remote_access without source groups is SSH from
// anywhere, on a group EKS makes.
func TestRemoteAccess(t *testing.T) {
	const file = "testdata/remote-access/main.tf"
	e := readFixture(t, "remote-access", input.Options{})
	c := onlyCluster(t, e)
	const ra = "aws_eks_node_group.ssh.resources[0].remote_access_security_group_id"
	equalStrings(t, "ssh node group", member(t, c, "nodes/ssh").Groups,
		[]string{"aws_eks_cluster.ops.vpc_config[0].cluster_security_group_id", ra})
	g := e.Groups[ra]
	if g == nil || !g.Implicit || g.Name != "eks-remoteAccess-ssh" {
		t.Fatalf("remote access group = %+v", g)
	}
	checkRules(t, e, ra, []ruleWant{
		{model.Ingress, "tcp/22", "0.0.0.0/0", at(file, lineOf(t, file, "remote_access {"), "aws_eks_node_group.ssh"), false, ""},
	})
	if c.Networks.Subnets != nil {
		t.Errorf("subnets not in the configuration bound nothing, got %v", c.Networks.Subnets)
	}
}

// TestUnknowns: data sources and variables without values are unknown,
// with the reason, never guessed.
func TestUnknowns(t *testing.T) {
	e := readFixture(t, "unknowns", input.Options{})
	c := onlyCluster(t, e)
	if c.Endpoint.Public != model.Unset {
		t.Errorf("public endpoint = %v, want unset (public_access_cidrs unknown)", c.Endpoint.Public)
	}
	g := e.Groups["aws_security_group.nodes"]
	if !strings.Contains(g.RulesUnknown, "the for_each of aws_security_group_rule.peers is not known: var.peer_cidrs has no value") {
		t.Errorf("RulesUnknown = %q", g.RulesUnknown)
	}
	if len(g.Rules) != 3 {
		t.Fatalf("rules = %+v", g.Rules)
	}
	bastion, office, app := g.Rules[0], g.Rules[1], g.Rules[2]
	if bastion.Peer.Kind != model.PeerUnknown || !strings.Contains(bastion.Peer.Why, "data.aws_security_group.bastion is read at apply time") {
		t.Errorf("bastion peer = %+v", bastion.Peer)
	}
	if office.Peer.Kind != model.PeerUnknown || !strings.Contains(office.Peer.Why, "var.office_cidr has no value") {
		t.Errorf("office peer = %+v", office.Peer)
	}
	if !strings.Contains(app.PortsUnknown, "var.app_port has no value") || app.Services.String() != "tcp" || app.Peer.String() != "10.0.0.0/8" {
		t.Errorf("app rule = %s %s %q", app.Services, app.Peer, app.PortsUnknown)
	}
	ng := member(t, c, "nodes/app")
	equalStrings(t, "app groups", ng.Groups, []string{"aws_security_group.nodes"})
	if ng.Addrs != nil {
		t.Errorf("addresses from unknown subnets = %v", ng.Addrs)
	}
	if c.VPC != "" || g.VPC != "" {
		t.Errorf("VPC from a data source = %q / %q, want unknown", c.VPC, g.VPC)
	}
}

// TestMixed: inline rules own the group's rule set; separate rules for it
// are standalone.
func TestMixed(t *testing.T) {
	const file = "testdata/mixed/main.tf"
	e := readFixture(t, "mixed", input.Options{})
	web := "aws_security_group.web"
	if g := e.Groups[web]; !g.ExclusiveRules || g.VPC != "vpc-0123456789abcdef0" {
		t.Errorf("web = %+v", g)
	}
	checkRules(t, e, web, []ruleWant{
		{model.Ingress, "tcp/80", "0.0.0.0/0", at(file, lineOf(t, file, "ingress {"), web), false, ""},
		{model.Ingress, "tcp/443", "0.0.0.0/0", at(file, lineOf(t, file, `"web_https"`), "aws_security_group_rule.web_https"), true, ""},
		{model.Egress, "tcp/5432", "sg-0aaaaaaaaaaaaaaaa", at(file, lineOf(t, file, `"to_existing"`), "aws_security_group_rule.to_existing"), true, ""},
	})
	if g := e.Groups["sg-0aaaaaaaaaaaaaaaa"]; g == nil || !strings.Contains(g.RulesUnknown, "not declared in the configuration") {
		t.Errorf("referenced group = %+v", g)
	}
	if rule := e.Groups[web].Rules[1]; rule.ID != "aws_security_group_rule.web_https" {
		t.Errorf("rule ID = %q", rule.ID)
	}
	if len(e.Clusters) != 0 {
		t.Errorf("clusters = %d", len(e.Clusters))
	}
}

// TestSyntaxError: a file that does not parse is an input error at its
// line, and nothing else is read.
func TestSyntaxError(t *testing.T) {
	e, err := readFixtureErr(t, "syntax-error", input.Options{})
	var se *srcpos.Error
	if e != nil || !errors.As(err, &se) {
		t.Fatalf("got %v, %v; want an input error", e, err)
	}
	if se.Loc.File != "testdata/syntax-error/main.tf" || se.Loc.Line != 9 {
		t.Errorf("error at %s, want testdata/syntax-error/main.tf:9", se.Loc)
	}
}

// TestJSON reads .tf.json configuration, dynamic blocks included.
func TestJSON(t *testing.T) {
	src := `{
  "variable": {"ports": {"default": [80, 443]}},
  "resource": {
    "aws_security_group": {
      "web": {
        "name": "web",
        "ingress": [{"from_port": 22, "to_port": 22, "protocol": "tcp", "cidr_blocks": ["10.0.0.0/8"]}],
        "dynamic": {"ingress": {"for_each": "${var.ports}", "content": {
          "from_port": "${ingress.value}", "to_port": "${ingress.value}", "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"]}}}
      }
    },
    "aws_security_group_rule": {
      "out": {"type": "egress", "security_group_id": "${aws_security_group.web.id}", "protocol": "-1",
              "from_port": 0, "to_port": 0, "cidr_blocks": ["0.0.0.0/0"]}
    }
  }
}`
	e, err := Read([]input.File{{Path: "j/main.tf.json", Data: []byte(src)}}, input.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range e.Groups["aws_security_group.web"].Rules {
		got = append(got, fmt.Sprintf("%s %s %s line %d", r.Direction, r.Services, r.Peer, r.Origin.Line))
	}
	equalStrings(t, "rules", got, []string{
		"ingress tcp/22 10.0.0.0/8 line 7",
		"ingress tcp/80 0.0.0.0/0 line 9", // the dynamic content
		"ingress tcp/443 0.0.0.0/0 line 9",
		"egress all 0.0.0.0/0 line 13",
	})
}

// TestRootModules: a directory another given directory calls is a
// module, not a root; several roots are read apart, with prefixed keys.
func TestRootModules(t *testing.T) {
	files := []input.File{
		{Path: "envs/prod/main.tf", Data: []byte(`module "sg" {
  source = "../../modules/sg"
  name   = "prod"
}`)},
		{Path: "modules/sg/main.tf", Data: []byte(`variable "name" {}
resource "aws_security_group" "this" {
  name = var.name
}`)},
		{Path: "other/main.tf", Data: []byte(`resource "aws_security_group" "this" {
  name = "other"
}`)},
	}
	e, err := Read(files, input.Options{})
	if err != nil {
		t.Fatal(err)
	}
	equalStrings(t, "groups", sortedKeys(e.Groups), []string{
		"envs/prod:module.sg.aws_security_group.this", "other:aws_security_group.this",
	})
	if g := e.Groups["envs/prod:module.sg.aws_security_group.this"]; g.Name != "prod" || g.Origin.Address != g.ID || g.Origin.File != "modules/sg/main.tf" {
		t.Errorf("group = %+v", g)
	}
	equalStrings(t, "found by address", e.FindGroups("module.sg.aws_security_group.this"), []string{"envs/prod:module.sg.aws_security_group.this"})
	equalStrings(t, "found by short address", e.FindGroups("aws_security_group.this"), []string{"envs/prod:module.sg.aws_security_group.this", "other:aws_security_group.this"})
}

// TestModuleNotDownloaded: a registry module without terraform init is
// unknown, with a note saying what to run.
func TestModuleNotDownloaded(t *testing.T) {
	e, err := Read([]input.File{{Path: "x/main.tf", Data: []byte(`module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 19.0"
}
resource "aws_security_group_rule" "r" {
  type              = "ingress"
  security_group_id = module.eks.node_security_group_id
  protocol          = "tcp"
  from_port         = 22
  to_port           = 22
  cidr_blocks       = ["0.0.0.0/0"]
}`)}}, input.Options{})
	if err != nil {
		t.Fatal(err)
	}
	joined := strings.Join(e.Notes, "\n")
	if !strings.Contains(joined, "run terraform init in x") || !strings.Contains(joined, "aws_security_group_rule.r: the security group it adds to is not known") {
		t.Errorf("notes = %s", joined)
	}
}

func TestDetect(t *testing.T) {
	for name, want := range map[string]bool{
		"main.tf": true, "a/b.TF": true, "main.tf.json": true, "prod.tfvars.json": true,
		"plan.json": false, "template.yaml": false, "terraform.tfstate": false,
	} {
		if Detect(name) != want {
			t.Errorf("Detect(%q) = %v", name, !want)
		}
	}
}

// TestComputedNames: a launch template named by name_prefix is found by
// its computed name; a cluster's id is its name (in tag keys); rules built
// with a for expression point at their attribute.
func TestComputedNames(t *testing.T) {
	src := `resource "aws_eks_cluster" "c" {
  name = "c"
  vpc_config {
    subnet_ids = []
  }
}
resource "aws_security_group" "w" {
  name = null
  name_prefix = "workers-"
  ingress = [for p in [22, 443] : {
    from_port = p, to_port = p, protocol = "tcp", cidr_blocks = ["10.0.0.0/8"],
    ipv6_cidr_blocks = [], prefix_list_ids = [], security_groups = [], self = false, description = ""
  }]
  tags = {
    "kubernetes.io/cluster/${aws_eks_cluster.c.id}" = "owned"
    "ref" = aws_eks_cluster.c.arn
  }
}
resource "aws_launch_template" "w" {
  name_prefix            = "workers-"
  vpc_security_group_ids = [aws_security_group.w.id]
}
resource "aws_autoscaling_group" "w" {
  name = "workers"
  launch_template {
    name = aws_launch_template.w.name
  }
  tag {
    key   = "kubernetes.io/cluster/${aws_eks_cluster.c.id}"
    value = "owned"
  }
}
`
	e, err := Read([]input.File{{Path: "c/main.tf", Data: []byte(src)}}, input.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := onlyCluster(t, e)
	equalStrings(t, "workers", member(t, c, "nodes/workers").Groups, []string{"aws_security_group.w"})
	g := e.Groups["aws_security_group.w"]
	if g.Tags["kubernetes.io/cluster/c"] != "owned" || len(g.Tags) != 1 {
		t.Errorf("tags = %q (a reference is no tag value)", g.Tags)
	}
	if !slices.Contains(g.Aliases, "workers") {
		t.Errorf("aliases = %q, want the name prefix", g.Aliases)
	}
	if len(g.Rules) != 2 || g.Rules[1].Origin.Line != 10 || g.Rules[1].Origin.Address != "aws_security_group.w" {
		t.Errorf("rules = %+v", g.Rules)
	}
}

// TestRealWorldPatterns reads constructs that popular modules use around
// security groups; none of them may make a valid configuration an input
// error.
func TestRealWorldPatterns(t *testing.T) {
	src := `terraform {
  required_version = ">= 1.3"
  required_providers {
    aws = { source = "hashicorp/aws", version = ">= 5.0" }
  }
  backend "s3" {}
}

provider "aws" {
  alias  = "west"
  region = "us-west-2"
}

moved {
  from = aws_security_group.old
  to   = aws_security_group.this[0]
}

check "health" {
  assert {
    condition     = true
    error_message = "never"
  }
}

variable "create" {
  type     = bool
  default  = true
  nullable = false
}

variable "cluster_encryption_config" {
  type = any
  default = {
    resources = ["secrets"]
  }
}

variable "timeouts" {
  type    = map(string)
  default = {}
}

variable "name" {
  type    = string
  default = "rw"
  validation {
    condition     = length(var.name) > 1
    error_message = "Too short."
  }
}

variable "secret" {
  type      = string
  default   = "x"
  sensitive = true
}

data "aws_partition" "current" {}
data "aws_caller_identity" "current" {}
data "cloudinit_config" "this" {
  part {
    content = templatefile("${path.module}/user-data.tpl", { name = var.name })
  }
}

module "kms" {
  source  = "terraform-aws-modules/kms/aws"
  version = "2.1.0"
  create  = var.create
}

locals {
  account = data.aws_caller_identity.current.account_id
  arn     = "arn:${data.aws_partition.current.partition}:iam::${local.account}:root"
  policy  = <<-EOT
    {"Version": "2012-10-17", "Id": "${var.name}"}
  EOT
  enc = var.create && length(var.cluster_encryption_config) > 0
}

resource "aws_security_group" "this" {
  count = var.create ? 1 : 0

  name_prefix = "${var.name}-"
  description = "EKS cluster security group"
  vpc_id      = "vpc-0123456789abcdef0"

  tags = { Name = var.name, Secret = sensitive(var.secret) }

  lifecycle {
    create_before_destroy = true
    precondition {
      condition     = var.name != ""
      error_message = "Name."
    }
  }

  depends_on = [module.kms]
}

resource "aws_eks_cluster" "this" {
  count    = var.create ? 1 : 0
  provider = aws.west

  name     = var.name
  role_arn = local.arn

  vpc_config {
    security_group_ids = compact(distinct(concat([], [one(aws_security_group.this[*].id)])))
    subnet_ids         = ["subnet-0123456789abcdef0"]
  }

  dynamic "encryption_config" {
    for_each = local.enc ? [var.cluster_encryption_config] : []
    content {
      provider {
        key_arn = module.kms.key_arn
      }
      resources = encryption_config.value.resources
    }
  }

  dynamic "timeouts" {
    for_each = [var.timeouts]
    content {
      create = lookup(var.timeouts, "create", null)
      delete = try(timeouts.value.delete, null)
    }
  }

  provisioner "local-exec" {
    command = "echo ${self.endpoint}"
  }
}

resource "aws_security_group_rule" "legacy" {
  count             = length(aws_security_group.this.*.id)
  type              = "ingress"
  security_group_id = element(concat(aws_security_group.this.*.id, [""]), count.index)
  protocol          = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_blocks       = [for c in ["10.0.0.0/8", "172.16.0.0/12"] : c if can(cidrhost(c, 0))]
  description       = trimspace(local.policy) != "" ? "API" : null
}

resource "time_sleep" "this" {
  create_duration = "30s"
  triggers = {
    name     = aws_eks_cluster.this[0].name
    endpoint = aws_eks_cluster.this[0].endpoint
    oidc     = try(aws_eks_cluster.this[0].identity[0].oidc[0].issuer, null)
  }
}

output "cluster_security_group_id" {
  value       = try(aws_eks_cluster.this[0].vpc_config[0].cluster_security_group_id, null)
  description = "The cluster group"
  sensitive   = false
  precondition {
    condition     = true
    error_message = "x"
  }
}
`
	e, err := Read([]input.File{{Path: "rw/main.tf", Data: []byte(src)}}, input.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := onlyCluster(t, e)
	equalStrings(t, "control plane", member(t, c, "control-plane").Groups,
		[]string{"aws_eks_cluster.this[0].vpc_config[0].cluster_security_group_id", "aws_security_group.this[0]"})
	line := 1 + strings.Count(src[:strings.Index(src, `resource "aws_security_group_rule" "legacy"`)], "\n")
	checkRules(t, e, "aws_security_group.this[0]", []ruleWant{
		{model.Ingress, "tcp/443", "10.0.0.0/8", at("rw/main.tf", line, "aws_security_group_rule.legacy[0]"), true, "API"},
		{model.Ingress, "tcp/443", "172.16.0.0/12", at("rw/main.tf", line, "aws_security_group_rule.legacy[0]"), true, ""},
	})
	if !strings.Contains(strings.Join(e.Notes, "\n"), "module.kms: the module terraform-aws-modules/kms/aws is not in the input") {
		t.Errorf("notes = %q", e.Notes)
	}
}

// TestDataSourceByID: a data source looked up by a literal id gives that
// id, so a rule names the real group (whose rules another input, such as
// AWS CLI JSON, may give); its other attributes stay unknown.
func TestDataSourceByID(t *testing.T) {
	src := `variable "bastion_sg" {
  default = "sg-0bbbbbbbbbbbbbbbb"
}
data "aws_security_group" "bastion" {
  id = var.bastion_sg
}
data "aws_security_group" "by_name" {
  name = "bastion"
}
data "aws_vpc" "a" {
  id = data.aws_vpc.b.id
}
data "aws_vpc" "b" {
  id = data.aws_vpc.a.id
}
resource "aws_security_group" "nodes" {
  vpc_id = data.aws_vpc.a.id
  ingress {
    protocol        = "tcp"
    from_port       = 22
    to_port         = 22
    security_groups = [data.aws_security_group.bastion.id, data.aws_security_group.by_name.id]
  }
  egress {
    protocol    = "-1"
    from_port   = 0
    to_port     = 0
    cidr_blocks = [data.aws_security_group.bastion.description]
  }
}
`
	e, err := Read([]input.File{{Path: "d/main.tf", Data: []byte(src)}}, input.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rules := e.Groups["aws_security_group.nodes"].Rules
	if len(rules) != 3 || rules[0].Peer.Group != "sg-0bbbbbbbbbbbbbbbb" || rules[1].Peer.Kind != model.PeerUnknown ||
		!strings.Contains(rules[2].Peer.Why, "data.aws_security_group.bastion is read at apply time") {
		t.Errorf("rules = %+v", rules)
	}
	if g := e.Groups["sg-0bbbbbbbbbbbbbbbb"]; g == nil || g.RulesUnknown == "" {
		t.Errorf("the looked-up group = %+v", g)
	}
}

// TestModuleCycles: a module that calls itself is an input error, not a
// hang.
func TestModuleCycles(t *testing.T) {
	for _, files := range [][]input.File{
		{{Path: "r/main.tf", Data: []byte("module \"m\" {\n  source = \"./\"\n  count  = 2\n}\n")}},
		{
			{Path: "r/main.tf", Data: []byte("module \"a\" {\n  source = \"./a\"\n}\n")},
			{Path: "r/a/main.tf", Data: []byte("module \"b\" {\n  source = \"../b\"\n}\n")},
			{Path: "r/b/main.tf", Data: []byte("module \"a\" {\n  source = \"../a\"\n  count  = 3\n}\n")},
		},
	} {
		_, err := Read(files, input.Options{})
		if err == nil || !strings.Contains(err.Error(), "modules cannot call themselves") {
			t.Errorf("error = %v", err)
		}
	}
}
