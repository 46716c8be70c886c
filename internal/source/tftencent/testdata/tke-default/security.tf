# The worker group as the TKE console creates it for a new cluster
# (tke-worker-security-for-<cluster id>, "TKE Security Group Settings"):
# the container and cluster networks, SSH, the NodePort range and ping
# from anywhere; every egress.

locals {
  worker_ingress = [
    { protocol = "ALL", port = "ALL", cidr = var.cluster_cidr, description = "pods talk to pods on any node" },
    { protocol = "ALL", port = "ALL", cidr = var.vpc_cidr, description = "nodes talk to nodes" },
    { protocol = "TCP", port = "22", cidr = "0.0.0.0/0", description = "SSH" },
    { protocol = "TCP", port = "30000-32768", cidr = "0.0.0.0/0", description = "NodePorts behind the CLB" },
    { protocol = "UDP", port = "30000-32768", cidr = "0.0.0.0/0", description = "NodePorts behind the CLB" },
    { protocol = "ICMP", port = "ALL", cidr = "0.0.0.0/0", description = "ping" },
  ]
}

resource "tencentcloud_security_group" "worker" {
  name        = "tke-worker-security-for-${var.cluster_name}"
  description = "TKE default worker rules"
  tags = {
    cluster = var.cluster_name
  }
}

resource "tencentcloud_security_group_rule_set" "worker" {
  security_group_id = tencentcloud_security_group.worker.id

  dynamic "ingress" {
    for_each = local.worker_ingress
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
