package tencent

import (
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/clusterwall/clusterwall/internal/model"
	"github.com/clusterwall/clusterwall/internal/netset"
	"github.com/clusterwall/clusterwall/internal/source/input"
	"github.com/clusterwall/clusterwall/internal/source/jsonpos"
	"github.com/clusterwall/clusterwall/internal/srcpos"
)

// file is a test input: a name and a document.
type file struct{ name, doc string }

func read(t *testing.T, fs ...file) (*model.Estate, error) {
	t.Helper()
	var in []input.File
	for _, f := range fs {
		in = append(in, input.File{Path: f.name, Data: []byte(f.doc)})
	}
	return Read(in)
}

func mustRead(t *testing.T, fs ...file) *model.Estate {
	t.Helper()
	e, err := read(t, fs...)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func readDir(t *testing.T, dir string) *model.Estate {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var fs []file
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		fs = append(fs, file{e.Name(), string(data)})
	}
	return mustRead(t, fs...)
}

// policies wraps ingress and egress policy lists in a
// DescribeSecurityGroupPolicies answer.
func policies(ingress, egress string) string {
	return `{"Response": {"SecurityGroupPolicySet": {"Version": "3",
  "Ingress": [` + ingress + `],
  "Egress": [` + egress + `]}, "RequestId": "r"}}`
}

// ruleLine prints a rule as "ingress[2] ACCEPT tcp/22 0.0.0.0/0".
func ruleLine(r model.Rule) string {
	s := r.ID + " " + r.Action.String() + " " + r.Services.String() + " " + r.Peer.String()
	if r.PortsUnknown != "" {
		s += " (ports unknown)"
	}
	return s
}

func rules(g *model.Group) []string {
	var out []string
	for _, r := range g.Rules {
		out = append(out, ruleLine(r))
	}
	return out
}

func TestRulesFollowPolicyIndexAndKeepTheirLines(t *testing.T) {
	e := mustRead(t, file{"sg-5xjpbfn2.json", `{"Response": {"SecurityGroupPolicySet": {"Version": "60",
  "Ingress": [
    {"PolicyIndex": 2, "Protocol": "TCP", "Port": "22", "CidrBlock": "0.0.0.0/0", "Action": "ACCEPT"},
    {"PolicyIndex": 0, "Protocol": "ALL", "Port": "ALL", "CidrBlock": "192.0.2.0/24", "Action": "DROP"},
    {"PolicyIndex": 1, "Protocol": "UDP", "Port": "53", "CidrBlock": "10.0.0.0/16", "Action": "ACCEPT"}
  ],
  "Egress": [
    {"Protocol": "ALL", "CidrBlock": "10.0.0.0/8", "Action": "ACCEPT"},
    {"Protocol": "ALL", "CidrBlock": "0.0.0.0/0", "Action": "DROP"}
  ]}}}`})
	g := e.Groups["sg-5xjpbfn2"]
	if g == nil || g.Provider != model.Tencent {
		t.Fatalf("group = %+v", g)
	}
	want := []string{
		"ingress[0] DROP all 192.0.2.0/24",
		"ingress[1] ACCEPT udp/53 10.0.0.0/16",
		"ingress[2] ACCEPT tcp/22 0.0.0.0/0",
		// Without PolicyIndex, the list order is the match order.
		"egress[0] ACCEPT all 10.0.0.0/8",
		"egress[1] DROP all 0.0.0.0/0",
	}
	if got := rules(g); !slices.Equal(got, want) {
		t.Errorf("rules =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	lines := map[string]int{}
	for _, r := range g.Rules {
		lines[r.ID] = r.Origin.Line
		if r.Origin.File != "sg-5xjpbfn2.json" || r.Origin.Address != "sg-5xjpbfn2" {
			t.Errorf("%s origin = %+v", r.ID, r.Origin)
		}
	}
	if lines["ingress[2]"] != 3 || lines["ingress[0]"] != 4 || lines["egress[1]"] != 9 {
		t.Errorf("lines = %v, want each policy's own line", lines)
	}
	if g.RulesUnknown == "" {
		return
	}
	t.Errorf("rules unknown: %s", g.RulesUnknown)
}

func TestProtocolsAndPorts(t *testing.T) {
	for _, tc := range []struct{ proto, port, want string }{
		{"ALL", "ALL", "all"},
		{"all", "all", "all"},
		{"ALL", "", "all"},
		{"TCP", "ALL", "tcp"},
		{"tcp", "80", "tcp/80"},
		{"TCP", "80,443", "tcp/80,443"},
		{"TCP", "8000-8010", "tcp/8000-8010"},
		{"udp", "53,30000-32768", "udp/53,30000-32768"},
		{"TCP", "1-65535", "tcp/1-65535"},
		{"ICMP", "ALL", "icmp"},
		{"icmp", "", "icmp"},
		{"ICMPv6", "ALL", "icmpv6"},
		{"GRE", "", "47"},
	} {
		got, err := policyServices(tc.proto, tc.port)
		if err != nil || got.String() != tc.want {
			t.Errorf("policyServices(%q, %q) = %v, %v; want %s", tc.proto, tc.port, got, err, tc.want)
		}
	}
	for _, tc := range []struct{ proto, port string }{
		{"", "80"},
		{"SCTPX", "1"},
		{"SCTP", "22"},
		{"6", "22"},
		{"-1", "ALL"},
		{"TCP", "80-70"},
		{"TCP", "70000"},
		{"TCP", "http"},
		{"TCP", "80,"},
		{"ICMP", "8"},
		{"ALL", "80"},
	} {
		if _, err := policyServices(tc.proto, tc.port); err == nil {
			t.Errorf("policyServices(%q, %q) accepted", tc.proto, tc.port)
		}
	}
}

func TestPeers(t *testing.T) {
	e := mustRead(t, file{"sg-q7m2kx9d-policies.json", policies(`
    {"PolicyIndex": 0, "Protocol": "ALL", "CidrBlock": "0.0.0.0/8", "Action": "ACCEPT"},
    {"PolicyIndex": 1, "Protocol": "ALL", "CidrBlock": "0.0.0.0/24", "Action": "DROP"},
    {"PolicyIndex": 2, "Protocol": "ALL", "CidrBlock": "10.1.2.3/16", "Action": "ACCEPT"},
    {"PolicyIndex": 3, "Protocol": "ALL", "CidrBlock": "10.1.2.3", "Action": "ACCEPT"},
    {"PolicyIndex": 4, "Protocol": "ALL", "Ipv6CidrBlock": "2402:4e00:1::/48", "CidrBlock": "", "Action": "ACCEPT"},
    {"PolicyIndex": 5, "Protocol": "ALL", "SecurityGroupId": "sg-q7m2kx9d", "Action": "ACCEPT",
     "ServiceTemplate": {"ServiceId": "", "ServiceGroupId": ""}, "AddressTemplate": {"AddressId": "", "AddressGroupId": ""}},
    {"PolicyIndex": 6, "Protocol": "TCP", "Port": "443", "SecurityGroupId": "sg-5xjpbfn2", "Action": "ACCEPT"},
    {"PolicyIndex": 7, "Protocol": "TCP", "Port": "22", "AddressTemplate": {"AddressId": "ipm-2vq8k1xd"}, "Action": "ACCEPT"},
    {"PolicyIndex": 8, "Protocol": "TCP", "Port": "22", "AddressTemplate": {"AddressGroupId": "ipmg-6dx2q8vn"}, "Action": "ACCEPT"}`, ``)})
	want := []string{
		// Tencent maps 0.0.0.0/n to 0.0.0.0/0.
		"ingress[0] ACCEPT all 0.0.0.0/0",
		"ingress[1] DROP all 0.0.0.0/0",
		"ingress[2] ACCEPT all 10.1.0.0/16",
		"ingress[3] ACCEPT all 10.1.2.3/32",
		"ingress[4] ACCEPT all 2402:4e00:1::/48",
		"ingress[5] ACCEPT all sg-q7m2kx9d",
		"ingress[6] ACCEPT tcp/443 sg-5xjpbfn2",
		"ingress[7] ACCEPT tcp/22 ipm-2vq8k1xd",
		"ingress[8] ACCEPT tcp/22 ipmg-6dx2q8vn",
	}
	if got := rules(e.Groups["sg-q7m2kx9d"]); !slices.Equal(got, want) {
		t.Errorf("rules =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// A group a rule names but the input does not describe.
	if g := e.Groups["sg-5xjpbfn2"]; g == nil || !strings.Contains(g.RulesUnknown, "DescribeSecurityGroupPolicies --SecurityGroupId sg-5xjpbfn2") {
		t.Errorf("referenced group = %+v, want rules unknown with the call to add", g)
	}
	for _, id := range []string{"ipm-2vq8k1xd", "ipmg-6dx2q8vn"} {
		if s := e.AddressSets[id]; s == nil || !strings.Contains(s.Unknown, "DescribeAddressTemplate") {
			t.Errorf("%s = %+v, want unknown naming the call", id, s)
		}
	}
}

func TestTemplatesResolve(t *testing.T) {
	e := mustRead(t,
		file{"sg-t4n8c2vw.json", policies(`
    {"PolicyIndex": 0, "ServiceTemplate": {"ServiceId": "ppm-k8d2x5qw", "ServiceGroupId": ""}, "AddressTemplate": {"AddressId": "ipm-2vq8k1xd", "AddressGroupId": ""}, "Action": "ACCEPT"},
    {"PolicyIndex": 1, "ServiceTemplate": {"ServiceId": "", "ServiceGroupId": "ppmg-5tj9b2hx"}, "AddressTemplate": {"AddressId": "", "AddressGroupId": "ipmg-6dx2q8vn"}, "Action": "ACCEPT"},
    {"PolicyIndex": 2, "ServiceTemplate": {"ServiceId": "ppm-0nkn0wnx", "ServiceGroupId": ""}, "CidrBlock": "10.0.0.0/8", "Action": "ACCEPT"}`, ``)},
		file{"templates.json", `{"AddressTemplateSet": [
  {"AddressTemplateId": "ipm-2vq8k1xd", "AddressTemplateName": "office", "AddressSet": ["203.0.113.0/28", "198.51.100.7", "198.51.100.20-198.51.100.30"]},
  {"AddressTemplateId": "ipm-7hn3w9ca", "AddressSet": [], "AddressExtraSet": [{"Address": "10.4.0.0/16", "Description": "vpc"}]},
  {"AddressTemplateId": "ipm-4pz6r2mt", "AddressSet": ["172.24.0.0/16"]}]}`},
		file{"groups.json", `{"AddressTemplateGroupSet": [{"AddressTemplateGroupId": "ipmg-6dx2q8vn", "AddressTemplateIdSet": ["ipm-7hn3w9ca"],
  "AddressTemplateSet": [{"AddressTemplateId": "ipm-4pz6r2mt", "AddressTemplateName": "pods"}]}]}`},
		file{"services.json", `{"ServiceTemplateSet": [{"ServiceTemplateId": "ppm-k8d2x5qw", "ServiceSet": ["tcp: 22"]}]}`},
		file{"service-groups.json", `{"ServiceTemplateGroupSet": [{"ServiceTemplateGroupId": "ppmg-5tj9b2hx", "ServiceTemplateIdSet": ["ppm-3rw7m5kz"],
  "ServiceTemplateSet": [{"ServiceTemplateId": "ppm-3rw7m5kz", "ServiceSet": ["tcp:30000-32768", "udp:53,8472"]}, {"ServiceTemplateId": "ppm-8cy1v4qp", "ServiceSet": ["icmp", "GRE"]}]}]}`},
	)
	got := rules(e.Groups["sg-t4n8c2vw"])
	want := []string{
		"ingress[0] ACCEPT tcp/22 ipm-2vq8k1xd",
		"ingress[1] ACCEPT icmp tcp/30000-32768 udp/53,8472 47 ipmg-6dx2q8vn",
		"ingress[2] ACCEPT all 10.0.0.0/8 (ports unknown)",
	}
	if !slices.Equal(got, want) {
		t.Errorf("rules =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if r := e.Groups["sg-t4n8c2vw"].Rules[2]; !strings.Contains(r.PortsUnknown, "ppm-0nkn0wnx") || !strings.Contains(r.PortsUnknown, "DescribeServiceTemplates") {
		t.Errorf("ports unknown = %q", r.PortsUnknown)
	}
	office := e.AddressSets["ipm-2vq8k1xd"]
	wantOffice := []string{"198.51.100.7/32", "198.51.100.20/30", "198.51.100.24/30", "198.51.100.28/31", "198.51.100.30/32", "203.0.113.0/28"}
	if office == nil || office.Unknown != "" || office.Name != "office" || !slices.Equal(prefixStrings(office.Prefixes), wantOffice) {
		t.Errorf("office = %+v, want %v", office, wantOffice)
	}
	cluster := e.AddressSets["ipmg-6dx2q8vn"]
	if cluster == nil || cluster.Unknown != "" || !slices.Equal(prefixStrings(cluster.Prefixes), []string{"10.4.0.0/16", "172.24.0.0/16"}) {
		t.Errorf("group = %+v", cluster)
	}
}

func prefixStrings(ps []netip.Prefix) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.String()
	}
	return out
}

func TestTemplateEntriesClusterwallCannotReadAreUnknown(t *testing.T) {
	e := mustRead(t,
		file{"sg-t4n8c2vw.json", policies(`{"PolicyIndex": 0, "Protocol": "TCP", "Port": "22", "AddressTemplate": {"AddressGroupId": "ipmg-6dx2q8vn"}, "Action": "ACCEPT"}`, ``)},
		file{"t.json", `{"AddressTemplateSet": [{"AddressTemplateId": "ipm-7hn3w9ca", "AddressSet": ["10.4.0.0/16", "office.example.com"]}]}`},
		file{"g.json", `{"AddressTemplateGroupSet": [{"AddressTemplateGroupId": "ipmg-6dx2q8vn", "AddressTemplateIdSet": ["ipm-7hn3w9ca", "ipm-4pz6r2mt"]}]}`},
	)
	if s := e.AddressSets["ipm-7hn3w9ca"]; s == nil || !strings.Contains(s.Unknown, `"office.example.com"`) {
		t.Errorf("template = %+v", s)
	}
	if s := e.AddressSets["ipmg-6dx2q8vn"]; s == nil || !strings.Contains(s.Unknown, "ipmg-6dx2q8vn") || len(s.Prefixes) != 0 {
		t.Errorf("group = %+v", s)
	}
}

func TestBadInputNamesFileAndLine(t *testing.T) {
	for _, tc := range []struct {
		name, doc, want string
	}{
		{"sg-5xjpbfn2.json", "{\"SecurityGroupPolicySet\": {\"Ingress\": [\n  {\"Protocol\": \"TCP\",}\n]}}", "sg-5xjpbfn2.json:2:"},
		{"sg-5xjpbfn2.json", policies("\n{\"Protocol\": \"TCPX\", \"CidrBlock\": \"0.0.0.0/0\", \"Action\": \"ACCEPT\"}", ""), `sg-5xjpbfn2.json:3: Protocol "TCPX"`},
		{"sg-5xjpbfn2.json", policies("\n{\"Protocol\": \"TCP\", \"Port\": \"22-\", \"CidrBlock\": \"0.0.0.0/0\", \"Action\": \"ACCEPT\"}", ""), `sg-5xjpbfn2.json:3: Port "22-"`},
		{"sg-5xjpbfn2.json", policies("\n{\"Protocol\": \"TCP\", \"Port\": \"22\", \"CidrBlock\": \"0.0.0.0/0\", \"Action\": \"ALLOW\"}", ""), `sg-5xjpbfn2.json:3: Action "ALLOW"`},
		{"sg-5xjpbfn2.json", policies("\n{\"Protocol\": \"TCP\", \"Port\": \"22\", \"Action\": \"ACCEPT\"}", ""), "sg-5xjpbfn2.json:3: policy names no peer"},
		{"sg-5xjpbfn2.json", policies("\n{\"Protocol\": \"TCP\", \"CidrBlock\": \"10.0.0.0/8\", \"SecurityGroupId\": \"sg-q7m2kx9d\", \"Action\": \"ACCEPT\"}", ""), "several peers (CidrBlock, SecurityGroupId)"},
		{"sg-5xjpbfn2.json", policies("", "\n{\"Protocol\": \"ALL\", \"CidrBlock\": \"10.0.0.300/8\", \"Action\": \"DROP\"}"), `sg-5xjpbfn2.json:4: "10.0.0.300/8" is not a CIDR block`},
		{"sg-5xjpbfn2.json", policies("\n{\"Protocol\": \"TCP\", \"Port\": \"22\", \"Ipv6CidrBlock\": \"0.0.0.0/0\", \"Action\": \"ACCEPT\"}", ""), `sg-5xjpbfn2.json:3: Ipv6CidrBlock "0.0.0.0/0" is an IPv4 range`},
		{"sg-5xjpbfn2.json", "{\"SecurityGroupPolicySet\": {\"Ingress\": [{\"PolicyIndex\": \"3\"}]}}", "sg-5xjpbfn2.json:1:"},
		{"sg-5xjpbfn2.json", "{\"SecurityGroupPolicySet\": {\n\"Version\": [1]}}", "sg-5xjpbfn2.json:1: SecurityGroupPolicySet.Version"},
		{"policies.json", "{\"Response\": {\n\"SecurityGroupPolicySet\": {\"Ingress\": []}}}", "policies.json:2: DescribeSecurityGroupPolicies output does not name its security group"},
		{"sg-5xjpbfn2-sg-q7m2kx9d.json", "{\"SecurityGroupPolicySet\": {}}", "several security group ids (sg-5xjpbfn2, sg-q7m2kx9d)"},
		{"err.json", "{\"Response\": {\n\"Error\": {\"Code\": \"AuthFailure.SignatureExpire\", \"Message\": \"expired\"}, \"RequestId\": \"x\"}}", "err.json:2: the file holds an API error"},
		{"sgs.json", "{\"SecurityGroupSet\": [\n{\"SecurityGroupName\": \"x\"}]}", "sgs.json:2: security group without SecurityGroupId"},
		{"cvm.json", "{\"InstanceSet\": [\n{\"InstanceId\": \"ins-3k9fz2ma\", \"PrivateIpAddresses\": [\"10.0.1.300\"]}]}", `cvm.json:2: instance ins-3k9fz2ma: "10.0.1.300" is not an IP address`},
	} {
		_, err := read(t, file{tc.name, tc.doc})
		var se *srcpos.Error
		switch {
		case err == nil || !strings.Contains(err.Error(), tc.want):
			t.Errorf("%s %q: err = %v, want %q", tc.name, tc.doc, err, tc.want)
		case !errors.As(err, &se):
			t.Errorf("%s: err %T is not a *srcpos.Error", tc.name, err)
		}
	}
}

func TestClusterInstancesNeedTheirCluster(t *testing.T) {
	clusters := file{"clusters.json", `{"Clusters": [{"ClusterId": "cls-7ph3twqe"}, {"ClusterId": "cls-k2v9xq4d"}]}`}
	nodes := `{"InstanceSet": [{"InstanceId": "ins-3k9fz2ma", "InstanceRole": "WORKER", "LanIP": "10.0.1.12"}]}`
	_, err := read(t, clusters, file{"nodes.json", nodes})
	if err == nil || !strings.Contains(err.Error(), "nodes.json:1: DescribeClusterInstances output does not name its cluster") {
		t.Fatalf("err = %v", err)
	}
	e := mustRead(t, clusters, file{"cls-k2v9xq4d-nodes.json", nodes})
	if c := e.Cluster("cls-k2v9xq4d"); c == nil || len(c.MembersOf(model.RoleNodes)) != 1 {
		t.Fatalf("the instances went to the wrong cluster: %+v", e.Clusters)
	}
}

func TestDetect(t *testing.T) {
	for _, tc := range []struct {
		doc  string
		want bool
	}{
		{`{"Response": {"SecurityGroupSet": [], "TotalCount": 0, "RequestId": "x"}}`, true},
		{`{"Response": {"SecurityGroupPolicySet": {"Ingress": [`, true}, // broken, still ours: the reader reports the line
		{`{"SecurityGroupPolicySet": {"Version": 3}}`, true},
		{`{"TotalCount": 1, "Clusters": []}`, true},
		{`{"ClusterExternalEndpoint": "", "ClusterIntranetEndpoint": "10.0.2.9"}`, true},
		{`{"Response": {"Error": {"Code": "x"}, "RequestId": "y"}}`, true},
		{`{"Response": {"Foo": 1}}`, false},
		{`{"SecurityGroups": []}`, false},
		{`{"Resources": {}}`, false},
	} {
		keys, _ := jsonpos.Keys([]byte(tc.doc))
		if got := Detect([]byte(tc.doc), keys); got != tc.want {
			t.Errorf("Detect(%s) = %v, want %v", tc.doc, got, tc.want)
		}
	}
}

func TestNoWrapperReadsLikeTheWrappedAnswers(t *testing.T) {
	wrapped, bare := readDir(t, "testdata/tke-default"), readDir(t, "testdata/no-wrapper")
	for id, g := range wrapped.Groups {
		h := bare.Groups[id]
		if h == nil {
			t.Errorf("%s missing without the wrapper", id)
			continue
		}
		if !slices.Equal(rules(g), rules(h)) || g.Name != h.Name || g.RulesUnknown != h.RulesUnknown {
			t.Errorf("%s differs:\n%v\n%v", id, rules(g), rules(h))
		}
	}
	if len(wrapped.Clusters) != 1 || len(bare.Clusters) != 1 {
		t.Fatalf("clusters = %d, %d", len(wrapped.Clusters), len(bare.Clusters))
	}
	a, b := wrapped.Clusters[0], bare.Clusters[0]
	if a.Name != b.Name || len(a.Members) != len(b.Members) || a.NetworkMode != b.NetworkMode {
		t.Errorf("clusters differ: %+v / %+v", a, b)
	}
}

func TestDefaultCluster(t *testing.T) {
	e := readDir(t, "testdata/tke-default")
	c := e.Cluster("prod")
	if c == nil {
		t.Fatalf("clusters = %+v", e.Clusters)
	}
	if c.Platform != model.TKE || c.VPC != "vpc-2ahkr4p8" || c.Independent || c.NetworkMode != "GR" {
		t.Errorf("cluster = %+v", c)
	}
	if got := prefixStrings(c.Networks.Pods); !slices.Equal(got, []string{"172.16.0.0/16"}) {
		t.Errorf("pods = %v", got)
	}
	if got := prefixStrings(c.Networks.Services); !slices.Equal(got, []string{"172.16.252.0/22"}) {
		t.Errorf("services = %v", got)
	}
	if got := prefixStrings(c.Networks.VPC); !slices.Equal(got, []string{"10.0.0.0/16"}) {
		t.Errorf("vpc = %v", got)
	}
	nodes := c.MembersOf(model.RoleNodes)
	if len(nodes) != 1 || nodes[0].Name != "default-pool" || !nodes[0].AddrsExact || nodes[0].Interfaces != 3 ||
		!slices.Equal(nodes[0].Groups, []string{"sg-5xjpbfn2"}) || len(nodes[0].Addrs) != 3 {
		t.Errorf("nodes = %+v", nodes)
	}
	cp := c.MembersOf(model.RoleControlPlane)
	if len(cp) != 1 || cp[0].Name != "intranet-endpoint" || cp[0].Kind != model.KindPrivateAPIEndpoint ||
		!slices.Equal(prefixStrings(cp[0].Addrs), []string{"10.0.2.9/32"}) {
		t.Errorf("control plane = %+v", cp)
	}
	if c.Endpoint.Public != model.No || c.Endpoint.Private != model.Yes {
		t.Errorf("endpoint = %+v", c.Endpoint)
	}
	if g := e.Groups["sg-5xjpbfn2"]; g.Name != "tke-worker-security-for-cls-7ph3twqe" || g.Tags["tke-clusterId"] != "cls-7ph3twqe" {
		t.Errorf("group = %+v", g)
	}
	if len(e.Interfaces) != 3 || !slices.Equal(e.Interfaces[0].Groups, []string{"sg-5xjpbfn2"}) || e.Interfaces[0].Subnet != "subnet-8kw3mz1q" {
		t.Errorf("interfaces = %+v", e.Interfaces)
	}
}

func TestBindingOrderMakesTwoMembers(t *testing.T) {
	c := readDir(t, "testdata/binding-order").Cluster("orders")
	got := map[string][]string{}
	for _, m := range c.MembersOf(model.RoleNodes) {
		got[m.Name] = m.Groups
	}
	if !slices.Equal(got["deny-first"], []string{"sg-d3k9m2xq", "sg-h6w1p5zt"}) || !slices.Equal(got["allow-first"], []string{"sg-h6w1p5zt", "sg-d3k9m2xq"}) {
		t.Errorf("node members = %v", got)
	}
}

func TestIndependentMasters(t *testing.T) {
	c := readDir(t, "testdata/independent-masters").Cluster("selfhosted")
	if !c.Independent {
		t.Error("cluster not independent")
	}
	byName := map[string]*model.Member{}
	for _, m := range c.MembersOf(model.RoleControlPlane) {
		byName[m.Name] = m
	}
	if m := byName["masters"]; m == nil || m.Interfaces != 3 || !slices.Equal(m.Groups, []string{"sg-r8p3v6yn"}) || m.IsAPIEndpoint() {
		t.Errorf("masters = %+v", m)
	}
	if m := byName["internet-endpoint"]; m == nil || !slices.Equal(m.Groups, []string{"sg-e5t1m8qa"}) || !m.IsAPIEndpoint() ||
		!slices.Equal(prefixStrings(m.Addrs), []string{"198.51.100.80/32"}) {
		t.Errorf("internet endpoint = %+v", m)
	}
	// A private endpoint without a group: assemble gives it what routing allows.
	if m := byName["intranet-endpoint"]; m == nil || len(m.Groups) != 0 || m.Kind != model.KindPrivateAPIEndpoint {
		t.Errorf("intranet endpoint = %+v", m)
	}
}

func TestNodesFromPoolsAndLaunchConfigurations(t *testing.T) {
	clusters := file{"clusters.json", `{"Clusters": [{"ClusterId": "cls-m4x8z2pw", "ClusterName": "orders"}]}`}
	pools := file{"pools.json", `{"NodePoolSet": [
  {"NodePoolId": "np-8vk2w6qa", "Name": "deny-first", "ClusterInstanceId": "cls-m4x8z2pw", "LaunchConfigurationId": "asc-3mv8x1qk"},
  {"NodePoolId": "np-2hx9m4td", "Name": "", "ClusterInstanceId": "cls-m4x8z2pw", "LaunchConfigurationId": "asc-6pc2n7wd"}]}`}
	lcs := file{"lcs.json", `{"LaunchConfigurationSet": [{"LaunchConfigurationId": "asc-3mv8x1qk", "SecurityGroupIds": ["sg-d3k9m2xq", "sg-h6w1p5zt"]}]}`}
	c := mustRead(t, clusters, pools, lcs).Cluster("orders")
	ms := c.MembersOf(model.RoleNodes)
	if len(ms) != 2 {
		t.Fatalf("nodes = %+v", ms)
	}
	if ms[0].Name != "deny-first" || !slices.Equal(ms[0].Groups, []string{"sg-d3k9m2xq", "sg-h6w1p5zt"}) || ms[0].AddrsExact {
		t.Errorf("pool with launch configuration = %+v", ms[0])
	}
	if ms[1].Name != "np-2hx9m4td" || !strings.Contains(ms[1].GroupsUnknown, "tccli as DescribeLaunchConfigurations --LaunchConfigurationIds '[\"asc-6pc2n7wd\"]'") {
		t.Errorf("pool without launch configuration = %+v", ms[1])
	}
}

func TestNodesFallBackToTheDefaultWorkerGroupByName(t *testing.T) {
	e := mustRead(t,
		file{"clusters.json", `{"Clusters": [{"ClusterId": "cls-7ph3twqe", "ClusterName": "prod", "ClusterNetworkSettings": {"VpcId": "vpc-2ahkr4p8"}}]}`},
		file{"sgs.json", `{"SecurityGroupSet": [{"SecurityGroupId": "sg-5xjpbfn2", "SecurityGroupName": "tke-worker-security-for-cls-7ph3twqe"},
  {"SecurityGroupId": "sg-q7m2kx9d", "SecurityGroupName": "tke-worker-security-for-cls-k2v9xq4d"}]}`})
	nodes := e.Cluster("prod").MembersOf(model.RoleNodes)
	if len(nodes) != 1 || !slices.Equal(nodes[0].Groups, []string{"sg-5xjpbfn2"}) || nodes[0].Kind != "default-worker-group" {
		t.Fatalf("nodes = %+v", nodes)
	}
	if !slices.ContainsFunc(e.Notes, func(n string) bool { return strings.Contains(n, "TKE's default worker group sg-5xjpbfn2") }) {
		t.Errorf("notes = %q", e.Notes)
	}
	if g := e.Groups["sg-5xjpbfn2"]; !strings.Contains(g.RulesUnknown, "DescribeSecurityGroupPolicies --SecurityGroupId sg-5xjpbfn2") {
		t.Errorf("rules unknown = %q", g.RulesUnknown)
	}
	// Nothing to go by: no role, and a note saying how to give it.
	e = mustRead(t, file{"clusters.json", `{"Clusters": [{"ClusterId": "cls-k2v9xq4d"}]}`})
	if len(e.Clusters[0].MembersOf(model.RoleNodes)) != 0 {
		t.Errorf("nodes guessed: %+v", e.Clusters[0].Members)
	}
	if !slices.ContainsFunc(e.Notes, func(n string) bool { return strings.Contains(n, "--role nodes=sg-xxxxxxxx") }) {
		t.Errorf("notes = %q", e.Notes)
	}
}

func TestInstancesWithoutCVMAnswerHaveUnknownGroups(t *testing.T) {
	e := mustRead(t,
		file{"clusters.json", `{"Clusters": [{"ClusterId": "cls-7ph3twqe"}]}`},
		file{"nodes.json", `{"InstanceSet": [{"InstanceId": "ins-3k9fz2ma", "InstanceRole": "WORKER", "LanIP": "10.0.1.12"}]}`})
	nodes := e.Clusters[0].MembersOf(model.RoleNodes)
	if len(nodes) != 1 || !strings.Contains(nodes[0].GroupsUnknown, `tccli cvm DescribeInstances --InstanceIds '["ins-3k9fz2ma"]'`) ||
		!slices.Equal(prefixStrings(nodes[0].Addrs), []string{"10.0.1.12/32"}) || !nodes[0].AddrsExact {
		t.Errorf("nodes = %+v", nodes)
	}
}

func TestClusterNetworks(t *testing.T) {
	e := mustRead(t,
		file{"clusters.json", `{"Clusters": [
  {"ClusterId": "cls-2f8kq7vn", "ClusterName": "cni", "ClusterType": "MANAGED_CLUSTER",
   "ClusterNetworkSettings": {"ClusterCIDR": "", "ServiceCIDR": "192.168.0.0/20", "VpcId": "vpc-3md8k1zq", "Subnets": ["subnet-5tb1x8kc", "subnet-9zz9zz9z"]},
   "Property": "{\"NodeNameType\":\"lan-ip\",\"NetworkType\":\"VPC-CNI\",\"VpcCniType\":\"tke-route-eni\"}"},
  {"ClusterId": "cls-6bx2r9tq", "ClusterName": "hybrid",
   "ClusterNetworkSettings": {"ClusterCIDR": "172.26.0.0/16", "ServiceCIDR": "172.26.252.0/22", "VpcId": "vpc-3md8k1zq", "Subnets": ["subnet-5tb1x8kc"]},
   "Property": "{\"NetworkType\":\"GR\",\"VpcCniType\":\"tke-route-eni\"}"},
  {"ClusterId": "cls-9zt4kw1m", "ClusterName": "odd", "ClusterType": "INDEPENDENT_CLUSTER", "Property": "not json"}]}`},
		file{"vpcs.json", `{"VpcSet": [{"VpcId": "vpc-3md8k1zq", "CidrBlock": "10.4.0.0/16", "AssistantCidrSet": [{"CidrBlock": "100.80.0.0/16"}]}]}`},
		file{"subnets.json", `{"SubnetSet": [{"SubnetId": "subnet-5tb1x8kc", "VpcId": "vpc-3md8k1zq", "CidrBlock": "10.4.64.0/18"}]}`})
	cni, hybrid, odd := e.Cluster("cni"), e.Cluster("hybrid"), e.Cluster("odd")
	if cni.NetworkMode != "VPC-CNI" || !slices.Equal(prefixStrings(cni.Networks.Pods), []string{"10.4.64.0/18"}) ||
		!slices.Equal(prefixStrings(cni.Networks.VPC), []string{"10.4.0.0/16", "100.80.0.0/16"}) {
		t.Errorf("VPC-CNI cluster = %+v", cni.Networks)
	}
	if !slices.Equal(prefixStrings(hybrid.Networks.Pods), []string{"172.26.0.0/16", "10.4.64.0/18"}) {
		t.Errorf("GR with VPC-CNI = %+v", hybrid.Networks)
	}
	if !odd.Independent || odd.NetworkMode != "" {
		t.Errorf("odd = %+v", odd)
	}
	for _, want := range []string{"subnet-9zz9zz9z", "its Property is not the JSON", "is independent, but the input does not say"} {
		if !slices.ContainsFunc(e.Notes, func(n string) bool { return strings.Contains(n, want) }) {
			t.Errorf("no note says %q: %q", want, e.Notes)
		}
	}
}

func TestInternetEndpointAccessList(t *testing.T) {
	e := mustRead(t,
		file{"clusters.json", `{"Clusters": [{"ClusterId": "cls-7ph3twqe", "ClusterName": "prod", "ClusterNetworkSettings": {"VpcId": "vpc-2ahkr4p8"}}]}`},
		file{"security.json", `{"Response": {"ClusterExternalEndpoint": "cls-7ph3twqe.ccs.tencent-cloud.com", "Domain": "cls-7ph3twqe.ccs.tencent-cloud.com",
  "PgwEndpoint": "10.0.2.9", "SecurityPolicy": ["203.0.113.0/24"], "RequestId": "x"}}`})
	c := e.Cluster("prod")
	var ext, in *model.Member
	for _, m := range c.MembersOf(model.RoleControlPlane) {
		switch m.Name {
		case "internet-endpoint":
			ext = m
		case "intranet-endpoint":
			in = m
		}
	}
	if ext == nil || len(ext.Groups) != 1 || ext.AddrsExact || !slices.Equal(prefixStrings(ext.Addrs), []string{"0.0.0.0/0"}) {
		t.Fatalf("internet endpoint = %+v", ext)
	}
	acl := e.Groups[ext.Groups[0]]
	if acl == nil || !acl.Implicit || len(acl.Rules) != 1 || ruleLine(acl.Rules[0]) != " ACCEPT tcp/443 203.0.113.0/24" {
		t.Errorf("access list = %+v", acl)
	}
	if c.Endpoint.Public != model.Yes || !slices.Equal(prefixStrings(c.Endpoint.PublicCIDRs), []string{"203.0.113.0/24"}) {
		t.Errorf("endpoint = %+v", c.Endpoint)
	}
	if in == nil || in.Kind != model.KindPrivateAPIEndpoint || len(in.Groups) != 0 {
		t.Errorf("intranet endpoint = %+v", in)
	}
}

func TestGroupIDsInFileNames(t *testing.T) {
	for _, tc := range []struct {
		name string
		want []string
	}{
		{"sg-5xjpbfn2.json", []string{"sg-5xjpbfn2"}},
		{"dir/sg-5xjpbfn2-policies.json", []string{"sg-5xjpbfn2"}},
		{"prod_sg-5xjpbfn2.json", []string{"sg-5xjpbfn2"}},
		{"sg-5xjpbfn2x.json", nil},
		{"xsg-5xjpbfn2.json", nil},
		{"sg-5xjpbfn.json", nil},
		{"sg-5XJPBFN2.json", nil},
		{"sg-5xjpbfn2-sg-5xjpbfn2.json", []string{"sg-5xjpbfn2"}},
	} {
		if got := groupIDsIn(tc.name, "sg-"); !slices.Equal(got, tc.want) {
			t.Errorf("groupIDsIn(%q) = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestServicesStayWithinTheRule(t *testing.T) {
	// A rule for one ICMP protocol does not match the other.
	s, _ := policyServices("ICMP", "ALL")
	if s.Contains(netset.Service{Proto: netset.ICMPv6}) || !s.Contains(netset.Service{Proto: netset.ICMP, Value: 8 << 8}) {
		t.Errorf("icmp = %v", s)
	}
}
