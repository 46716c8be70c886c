# The worker group. By default it has the rules the TKE console creates
# for a new cluster (tke-worker-security-for-<cluster id>, seed 004):
# the container and cluster networks, then SSH, the NodePort range and
# ping from anywhere. With var.hardened it has only what the cluster
# needs: the two networks, the CLB's health checks on the NodePorts, and
# SSH from the admins.

locals {
  console_defaults = [
    { protocol = "ALL", port = "ALL", cidr = var.cluster_cidr, description = "pods talk to pods on any node" },
    { protocol = "ALL", port = "ALL", cidr = var.vpc_cidr, description = "nodes talk to nodes" },
    { protocol = "TCP", port = "22", cidr = "0.0.0.0/0", description = "SSH" },
    { protocol = "TCP", port = "30000-32768", cidr = "0.0.0.0/0", description = "NodePorts behind the CLB" },
    { protocol = "UDP", port = "30000-32768", cidr = "0.0.0.0/0", description = "NodePorts behind the CLB" },
    { protocol = "ICMP", port = "ALL", cidr = "0.0.0.0/0", description = "ping" },
  ]

  hardened = [
    { protocol = "ALL", port = "ALL", cidr = var.cluster_cidr, description = "pods talk to pods on any node" },
    { protocol = "ALL", port = "ALL", cidr = var.vpc_cidr, description = "nodes, masters and the CLB's VPC side" },
    { protocol = "TCP", port = "30000-32768", cidr = "100.64.0.0/10", description = "CLB health checks on the NodePorts" },
    { protocol = "UDP", port = "30000-32768", cidr = "100.64.0.0/10", description = "CLB health checks on the NodePorts" },
    { protocol = "TCP", port = "22", cidr = var.admin_cidr, description = "SSH from the admins" },
  ]
}

resource "tencentcloud_security_group" "worker" {
  name        = "tke-worker-security-for-${var.cluster_name}"
  description = "workers of ${var.cluster_name}"
}

resource "tencentcloud_security_group_rule_set" "worker" {
  security_group_id = tencentcloud_security_group.worker.id

  dynamic "ingress" {
    for_each = var.hardened ? local.hardened : local.console_defaults
    content {
      action      = "ACCEPT"
      protocol    = ingress.value.protocol
      port        = ingress.value.port
      cidr_block  = ingress.value.cidr
      description = ingress.value.description
    }
  }

  egress {
    action      = "ACCEPT"
    protocol    = "ALL"
    port        = "ALL"
    cidr_block  = "0.0.0.0/0"
    description = "everything out"
  }
}

# The ingress CLB's own group: clients on 80 and 443.
resource "tencentcloud_security_group" "clb" {
  name        = "${var.cluster_name}-ingress-clb"
  description = "the ingress CLB"
}

resource "tencentcloud_security_group_rule_set" "clb" {
  security_group_id = tencentcloud_security_group.clb.id

  ingress {
    action      = "ACCEPT"
    protocol    = "TCP"
    port        = "80,443"
    cidr_block  = "0.0.0.0/0"
    description = "web clients"
  }

  egress {
    action      = "ACCEPT"
    protocol    = "ALL"
    port        = "ALL"
    cidr_block  = var.vpc_cidr
    description = "to the NodePorts"
  }
}
