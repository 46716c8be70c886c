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
	} {
		f.Add(seed)
	}
	_ = filepath.WalkDir("testdata", func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".tf") {
			if data, err := os.ReadFile(p); err == nil {
				f.Add(string(data))
			}
		}
		return nil
	})
	f.Fuzz(func(t *testing.T, doc string) {
		name := "fuzz/main.tf"
		if strings.HasPrefix(strings.TrimSpace(doc), "{") {
			name += ".json"
		}
		_, _ = Read([]input.File{{Path: name, Data: []byte(doc)}}, input.Options{})
	})
}
