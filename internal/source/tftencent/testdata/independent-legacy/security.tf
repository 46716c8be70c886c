# The masters' rules, one tencentcloud_security_group_rule each, written
# in 2021 from the ports the team knew. policy_index orders them.
resource "tencentcloud_security_group" "masters" {
  name        = "factory-masters"
  description = "factory masters"
}

locals {
  # The ports the masters accept from the cluster network.
  master_ports = {
    apiserver = "443"
    etcd      = "2379-2380"
    kubelet   = "10250"
    nodeports = "30000-32768"
  }
}

resource "tencentcloud_security_group_rule" "masters_from_cluster" {
  for_each          = local.master_ports
  security_group_id = tencentcloud_security_group.masters.id
  type              = "ingress"
  cidr_ip           = var.vpc_cidr
  ip_protocol       = "TCP"
  port_range        = each.value
  policy            = "ACCEPT"
  description       = "${each.key} from the cluster network"
}

resource "tencentcloud_security_group_rule" "masters_dns" {
  for_each          = toset([var.vpc_cidr, var.container_cidr])
  security_group_id = tencentcloud_security_group.masters.id
  type              = "ingress"
  cidr_ip           = each.value
  ip_protocol       = "UDP"
  port_range        = "53"
  policy            = "ACCEPT"
  description       = "CoreDNS"
}

resource "tencentcloud_security_group_rule" "masters_pods" {
  security_group_id = tencentcloud_security_group.masters.id
  type              = "ingress"
  cidr_ip           = var.container_cidr
  ip_protocol       = "TCP"
  port_range        = "53,10250,60001,60002,2379,2380,17443"
  policy            = "ACCEPT"
  description       = "API server from the container network"
}

resource "tencentcloud_security_group_rule" "masters_drop" {
  security_group_id = tencentcloud_security_group.masters.id
  type              = "ingress"
  cidr_ip           = "0.0.0.0/0"
  ip_protocol       = "ALL"
  policy            = "DROP"
  description       = "default deny"
}

resource "tencentcloud_security_group_rule" "admin_ssh" {
  security_group_id = tencentcloud_security_group.masters.id
  type              = "ingress"
  cidr_ip           = "203.0.113.0/24"
  ip_protocol       = "TCP"
  port_range        = "22"
  policy            = "ACCEPT"
  description       = "admins (added 2024)"
}

resource "tencentcloud_security_group_rule" "masters_out" {
  security_group_id = tencentcloud_security_group.masters.id
  type              = "egress"
  cidr_ip           = "0.0.0.0/0"
  ip_protocol       = "ALL"
  policy            = "ACCEPT"
  description       = "everything out"
}

resource "tencentcloud_security_group" "workers" {
  name        = "factory-workers"
  description = "factory workers"
}

resource "tencentcloud_security_group_rule_set" "workers" {
  security_group_id = tencentcloud_security_group.workers.id

  ingress {
    action      = "ACCEPT"
    cidr_block  = var.container_cidr
    protocol    = "ALL"
    port        = "ALL"
    description = "container network"
  }
  ingress {
    action      = "ACCEPT"
    cidr_block  = var.vpc_cidr
    protocol    = "ALL"
    port        = "ALL"
    description = "cluster network"
  }
  ingress {
    action      = "ACCEPT"
    cidr_block  = "0.0.0.0/0"
    protocol    = "ICMP"
    port        = "ALL"
    description = "ping"
  }
  ingress {
    action      = "DROP"
    cidr_block  = "0.0.0.0/0"
    protocol    = "ALL"
    port        = "ALL"
    description = "the rest"
  }
  egress {
    action      = "ACCEPT"
    cidr_block  = "0.0.0.0/0"
    protocol    = "ALL"
    port        = "ALL"
    description = "everything out"
  }
}
