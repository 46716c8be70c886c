package cli_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/clusterwall/clusterwall/internal/cli"
)

// BenchmarkCheckAccount loads and checks an account of 10,000 security
// groups and about 20,000 network interfaces, written as AWS CLI JSON:
// 100 EKS clusters (cluster, control-plane, node and balancer groups, two
// node groups of 30 nodes each with their VPC CNI interfaces) among 9,600
// application groups with 5–30 rules each.
//
//	go test -run '^$' -bench CheckAccount -benchmem ./internal/cli
func BenchmarkCheckAccount(b *testing.B) {
	dir := b.TempDir()
	writeAccount(b, dir, 100, 9600)
	b.ResetTimer()
	for b.Loop() {
		code := cli.Run(context.Background(), []string{"check", dir, "--format", "json", "--fail-on", "none"}, nil, io.Discard, io.Discard)
		if code != 0 {
			b.Fatalf("exit %d", code)
		}
	}
}

// BenchmarkQueryAccount answers one query on the same account.
func BenchmarkQueryAccount(b *testing.B) {
	dir := b.TempDir()
	writeAccount(b, dir, 100, 9600)
	b.ResetTimer()
	for b.Loop() {
		code := cli.Run(context.Background(), []string{"query", dir, "--cluster", "c42", "--from", "control-plane", "--to", "nodes", "--port", "tcp/10250"}, nil, io.Discard, io.Discard)
		if code != 0 {
			b.Fatalf("exit %d", code)
		}
	}
}

type j = map[string]any

func perm(proto string, from, to int, peers ...j) j {
	p := j{"IpProtocol": proto, "IpRanges": []j{}, "Ipv6Ranges": []j{}, "PrefixListIds": []j{}, "UserIdGroupPairs": []j{}}
	if proto != "-1" {
		p["FromPort"], p["ToPort"] = from, to
	}
	for _, peer := range peers {
		switch {
		case peer["CidrIp"] != nil:
			p["IpRanges"] = append(p["IpRanges"].([]j), peer)
		default:
			p["UserIdGroupPairs"] = append(p["UserIdGroupPairs"].([]j), peer)
		}
	}
	return p
}

func cidr(c string) j { return j{"CidrIp": c} }
func grp(id string) j { return j{"GroupId": id, "UserId": "111122223333"} }

func writeAccount(b *testing.B, dir string, clusters, apps int) {
	rng := rand.New(rand.NewPCG(1, 2))
	var groups, enis, lbs []j
	sgID := func(kind string, i int) string { return fmt.Sprintf("sg-%s%013x", kind, i) }
	eni := 0
	addENI := func(desc, vpc string, groups []string, ip string, tags []j) {
		eni++
		gs := []j{}
		for _, g := range groups {
			gs = append(gs, j{"GroupId": g, "GroupName": g})
		}
		enis = append(enis, j{"NetworkInterfaceId": fmt.Sprintf("eni-%017x", eni), "Description": desc, "InterfaceType": "interface",
			"Groups": gs, "PrivateIpAddress": ip, "PrivateIpAddresses": []j{{"PrivateIpAddress": ip, "Primary": true}},
			"VpcId": vpc, "SubnetId": "subnet-1", "TagSet": tags, "Attachment": j{"InstanceId": fmt.Sprintf("i-%017x", eni)}})
	}
	for c := range clusters {
		name := fmt.Sprintf("c%d", c)
		vpc := fmt.Sprintf("vpc-%017x", c)
		net := fmt.Sprintf("10.%d.%d", c/64, (c%64)*4)
		cl, cp, node, lb := sgID("a", c), sgID("b", c), sgID("c", c), sgID("d", c)
		groups = append(groups,
			j{"GroupId": cl, "GroupName": "eks-cluster-sg-" + name, "VpcId": vpc,
				"Tags":          []j{{"Key": "aws:eks:cluster-name", "Value": name}, {"Key": "kubernetes.io/cluster/" + name, "Value": "owned"}},
				"IpPermissions": []j{perm("-1", 0, 0, grp(cl))}, "IpPermissionsEgress": []j{perm("-1", 0, 0, cidr("0.0.0.0/0"))}},
			j{"GroupId": cp, "GroupName": name + "-cluster", "VpcId": vpc,
				"IpPermissions": []j{perm("tcp", 443, 443, grp(node))}, "IpPermissionsEgress": []j{}},
			j{"GroupId": node, "GroupName": name + "-node", "VpcId": vpc, "Tags": []j{{"Key": "kubernetes.io/cluster/" + name, "Value": "owned"}},
				"IpPermissions": []j{perm("tcp", 443, 443, grp(cp)), perm("tcp", 10250, 10250, grp(cp)), perm("tcp", 53, 53, grp(node)),
					perm("udp", 53, 53, grp(node)), perm("tcp", 1025, 65535, grp(node)), perm("tcp", 9443, 9443, grp(cp)), perm("tcp", 0, 65535, grp(lb))},
				"IpPermissionsEgress": []j{perm("-1", 0, 0, cidr("0.0.0.0/0"))}},
			j{"GroupId": lb, "GroupName": "k8s-" + name + "-ingress", "VpcId": vpc, "Tags": []j{{"Key": "elbv2.k8s.aws/cluster", "Value": name}},
				"IpPermissions": []j{perm("tcp", 443, 443, cidr("0.0.0.0/0"))}, "IpPermissionsEgress": []j{perm("-1", 0, 0, cidr("0.0.0.0/0"))}},
		)
		writeJSON(b, filepath.Join(dir, "cluster-"+name+".json"), j{"cluster": j{"name": name, "resourcesVpcConfig": j{
			"vpcId": vpc, "clusterSecurityGroupId": cl, "securityGroupIds": []string{cp}, "endpointPublicAccess": true,
			"endpointPrivateAccess": true, "publicAccessCidrs": []string{"0.0.0.0/0"}}}})
		for k := range 2 {
			addENI("Amazon EKS "+name, vpc, []string{cl, cp}, fmt.Sprintf("%s.%d", net, 10+k), nil)
		}
		for ng := range 2 {
			for n := range 30 {
				ip := fmt.Sprintf("%s.%d", net, 20+ng*60+n*2)
				addENI("", vpc, []string{node}, ip, nil)
				addENI("aws-K8S-i-x", vpc, []string{node}, fmt.Sprintf("%s.%d", net, 21+ng*60+n*2),
					[]j{{"Key": "cluster.k8s.amazonaws.com/name", "Value": name}, {"Key": "node.k8s.amazonaws.com/instance_id", "Value": "i-x"}})
			}
		}
		lbName := "k8s-" + name + "-web"
		lbs = append(lbs, j{"LoadBalancerName": lbName, "Type": "application", "Scheme": "internet-facing", "VpcId": vpc, "SecurityGroups": []string{lb}})
		for k := range 2 {
			addENI("ELB app/"+lbName+"/0123", vpc, []string{lb}, fmt.Sprintf("%s.%d", net, 250+k), nil)
		}
	}
	for a := range apps {
		id := sgID("e", a)
		vpc := fmt.Sprintf("vpc-%017x", a%clusters)
		var in []j
		for range 5 + rng.IntN(26) {
			port := 1 + rng.IntN(65000)
			if rng.IntN(3) == 0 {
				in = append(in, perm("tcp", port, port, grp(sgID("e", rng.IntN(apps)))))
			} else {
				in = append(in, perm("tcp", port, port+rng.IntN(10), cidr(fmt.Sprintf("10.%d.%d.0/24", rng.IntN(256), rng.IntN(256)))))
			}
		}
		groups = append(groups, j{"GroupId": id, "GroupName": fmt.Sprintf("app-%d", a), "VpcId": vpc,
			"IpPermissions": in, "IpPermissionsEgress": []j{perm("-1", 0, 0, cidr("0.0.0.0/0"))}})
		if a < 7400 {
			addENI("", vpc, []string{id}, fmt.Sprintf("172.16.%d.%d", a/250, a%250+1), nil)
		}
	}
	writeJSON(b, filepath.Join(dir, "security-groups.json"), j{"SecurityGroups": groups})
	writeJSON(b, filepath.Join(dir, "network-interfaces.json"), j{"NetworkInterfaces": enis})
	writeJSON(b, filepath.Join(dir, "load-balancers.json"), j{"LoadBalancers": lbs})
}

func writeJSON(b *testing.B, path string, v any) {
	data, err := json.MarshalIndent(v, "", "    ")
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		b.Fatal(err)
	}
}
