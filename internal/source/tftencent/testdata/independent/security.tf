# The masters' group has the rules TKE gives the default master group of
# an independent cluster. The rules are a map, so the keys carry the
# order: dynamic blocks over a map follow its keys, sorted.
locals {
  master_ingress = {
    "01-ping"            = { protocol = "ICMP", port = "ALL", cidr = "0.0.0.0/0" }
    "02-nodeport-tcp"    = { protocol = "TCP", port = "30000-32768", cidr = local.vpc_cidr }
    "03-nodeport-udp"    = { protocol = "UDP", port = "30000-32768", cidr = local.vpc_cidr }
    "04-apiserver-nodes" = { protocol = "TCP", port = "60001,60002,10250,2380,2379,53,17443,50055,443,61678", cidr = local.vpc_cidr }
    "05-apiserver-pods"  = { protocol = "TCP", port = "60001,60002,10250,2380,2379,53,17443", cidr = local.cluster_cidr }
    "06-service-tcp"     = { protocol = "TCP", port = "30000-32768", cidr = local.cluster_cidr }
    "07-service-udp"     = { protocol = "UDP", port = "30000-32768", cidr = local.cluster_cidr }
    "08-coredns-pods"    = { protocol = "UDP", port = "53", cidr = local.cluster_cidr }
    "09-coredns-nodes"   = { protocol = "UDP", port = "53", cidr = local.vpc_cidr }
  }
}

resource "tencentcloud_security_group" "master" {
  name        = "tke-master-security-for-${local.name}"
  description = "masters of ${local.name}"
}

resource "tencentcloud_security_group_rule_set" "master" {
  security_group_id = tencentcloud_security_group.master.id

  dynamic "ingress" {
    for_each = local.master_ingress
    content {
      action      = "ACCEPT"
      protocol    = ingress.value.protocol
      port        = ingress.value.port
      cidr_block  = ingress.value.cidr
      description = ingress.key
    }
  }

  egress {
    action      = "ACCEPT"
    cidr_block  = "0.0.0.0/0"
    protocol    = "ALL"
    port        = "ALL"
    description = "everything out"
  }
}

resource "tencentcloud_security_group" "worker" {
  name        = "${local.name}-worker"
  description = "workers of ${local.name}"
}

resource "tencentcloud_security_group_rule_set" "worker" {
  security_group_id = tencentcloud_security_group.worker.id

  ingress {
    action      = "ACCEPT"
    cidr_block  = local.cluster_cidr
    protocol    = "ALL"
    description = "container network"
  }
  ingress {
    action      = "ACCEPT"
    cidr_block  = local.vpc_cidr
    protocol    = "ALL"
    description = "cluster network"
  }
  ingress {
    action      = "ACCEPT"
    cidr_block  = local.office_cidr
    protocol    = "TCP"
    port        = "22"
    description = "SSH from the office"
  }
  egress {
    action      = "ACCEPT"
    cidr_block  = "0.0.0.0/0"
    protocol    = "ALL"
    description = "everything out"
  }
}

# The API server's internet endpoint: the office only.
resource "tencentcloud_security_group" "apiserver" {
  name        = "${local.name}-apiserver-internet"
  description = "who may use the API server from the internet"
}

resource "tencentcloud_security_group_rule_set" "apiserver" {
  security_group_id = tencentcloud_security_group.apiserver.id

  ingress {
    action      = "ACCEPT"
    cidr_block  = local.office_cidr
    protocol    = "TCP"
    port        = "443"
    description = "kubectl from the office"
  }
  ingress {
    action      = "DROP"
    cidr_block  = "0.0.0.0/0"
    protocol    = "ALL"
    description = "nobody else"
  }
}
