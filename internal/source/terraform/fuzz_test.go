package terraform

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clusterwall/clusterwall/internal/source/input"
)

// FuzzRead feeds arbitrary configurations to the reader: it must return
// an estate or an error, never panic. A document that starts with "{" is
// read as .tf.json. The seeds are the fixtures and small configurations
// that reach every evaluator path.
func FuzzRead(f *testing.F) {
	for _, seed := range []string{
		`resource "aws_security_group" "a" {
  dynamic "ingress" {
    for_each = [22, 443]
    content {
      from_port = ingress.value
      to_port = ingress.value
      protocol = "tcp"
      cidr_blocks = ["0.0.0.0/0"]
    }
  }
}`,
		`variable "n" {}
resource "aws_security_group" "a" { count = var.n }
resource "aws_security_group_rule" "r" {
  for_each = toset(["a"])
  type = "ingress"
  security_group_id = aws_security_group.a[0].id
  protocol = "icmp"
  from_port = 8
  to_port = -1
  self = true
}`,
		`locals { x = { for k, v in { a = 1 } : k => v } }
module "m" { source = "./m" }
resource "aws_eks_cluster" "c" {
  name = "c"
  vpc_config { subnet_ids = [] }
}
resource "aws_eks_node_group" "n" {
  cluster_name = aws_eks_cluster.c.name
  remote_access { ec2_ssh_key = "k" }
}`,
		`{"resource": {"aws_security_group": {"a": {"ingress": [{"protocol": "-1", "from_port": 0, "to_port": 0, "self": true}]}}}}`,
		// tencentcloud_*: ordered rule sets, lite-rule strings, single
		// rules with policy_index, templates, clusters and node pools.
		`resource "tencentcloud_security_group" "a" { name = "a" }
resource "tencentcloud_security_group_rule_set" "a" {
  security_group_id = tencentcloud_security_group.a.id
  dynamic "ingress" {
    for_each = { "01" = "10.0.0.0/16", "02" = "0.0.0.0/8" }
    content {
      action = "ACCEPT"
      cidr_block = ingress.value
      protocol = "TCP"
      port = "80,443"
    }
  }
  egress {
    action = "DROP"
    source_security_id = tencentcloud_security_group.a.id
    service_template_group = "ppmg-abcd1234"
  }
}`,
		`variable "ip" {}
resource "tencentcloud_security_group_lite_rule" "a" {
  security_group_id = "sg-abcd1234"
  ingress = ["ACCEPT#${var.ip}#ALL#ALL", "ACCEPT#${tencentcloud_security_group.b.id}#22#TCP", "DROP#0.0.0.0/0#ALL#ALL"]
  egress = concat(["ACCEPT#ipmg-abcd1234#53#UDP"], [])
}
resource "tencentcloud_security_group" "b" { name = "b" }`,
		`resource "tencentcloud_address_template" "t" { addresses = ["10.0.0.1-10.0.0.9", "10.1.0.0/24"] }
resource "tencentcloud_address_template_group" "g" { template_ids = [tencentcloud_address_template.t.id] }
resource "tencentcloud_protocol_template" "p" { protocols = ["tcp:80", "udp:53-54", "icmp"] }
resource "tencentcloud_security_group_rule" "r" {
  count = 2
  security_group_id = "sg-abcd1234"
  type = "egress"
  policy = "accept"
  policy_index = count.index
  address_template { group_id = tencentcloud_address_template_group.g.id }
  protocol_template { template_id = tencentcloud_protocol_template.p.id }
}`,
		`resource "tencentcloud_vpc" "v" { cidr_block = "10.0.0.0/16" }
resource "tencentcloud_subnet" "s" {
  vpc_id = tencentcloud_vpc.v.id
  cidr_block = "10.0.1.0/24"
}
resource "tencentcloud_kubernetes_cluster" "c" {
  vpc_id = tencentcloud_vpc.v.id
  network_type = "VPC-CNI"
  eni_subnet_ids = [tencentcloud_subnet.s.id]
  cluster_deploy_type = "INDEPENDENT_CLUSTER"
  cluster_internet = true
  managed_cluster_internet_security_policies = ["0.0.0.0/0"]
  cluster_intranet = true
  cluster_intranet_subnet_id = tencentcloud_subnet.s.id
  master_config { subnet_id = tencentcloud_subnet.s.id }
  worker_config { security_group_ids = ["sg-abcd1234"] }
  exist_instance {
    node_role = "MASTER_ETCD"
    instances_para { instance_ids = ["ins-abcd1234"] }
  }
}
resource "tencentcloud_kubernetes_node_pool" "n" {
  cluster_id = tencentcloud_kubernetes_cluster.c.id
  auto_scaling_config { security_group_ids = ["sg-b", "sg-a"] }
}
resource "tencentcloud_clb_instance" "l" {
  network_type = "OPEN"
  vpc_id = tencentcloud_vpc.v.id
}`,
		`{"resource": {"tencentcloud_security_group_rule_set": {"a": {"security_group_id": "sg-abcd1234", "ingress": [{"action": "ACCEPT", "cidr_block": "10.0.0.0/8"}]}}}}`,
	} {
		f.Add(seed)
	}
	for _, dir := range []string{"testdata", "../tftencent/testdata"} {
		_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(p, ".tf") {
				if data, err := os.ReadFile(p); err == nil {
					f.Add(string(data))
				}
			}
			return nil
		})
	}
	f.Fuzz(func(t *testing.T, doc string) {
		name := "fuzz/main.tf"
		if strings.HasPrefix(strings.TrimSpace(doc), "{") {
			name += ".json"
		}
		_, _ = Read([]input.File{{Path: name, Data: []byte(doc)}}, input.Options{})
	})
}
