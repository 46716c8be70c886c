resource "tencentcloud_security_group" "base" {
  name        = "shop-node-base"
  description = "what every node of shop needs"
}

resource "tencentcloud_security_group_rule_set" "base" {
  security_group_id = tencentcloud_security_group.base.id

  ingress {
    action      = "ACCEPT"
    cidr_block  = var.vpc_cidr
    protocol    = "ALL"
    port        = "ALL"
    description = "cluster network"
  }
  ingress {
    action      = "ACCEPT"
    cidr_block  = var.cluster_cidr
    protocol    = "ALL"
    port        = "ALL"
    description = "container network"
  }
  ingress {
    action      = "ACCEPT"
    cidr_block  = "100.64.0.0/10"
    protocol    = "TCP"
    port        = "30000-32768"
    description = "CLB health checks"
  }
  ingress {
    action      = "ACCEPT"
    cidr_block  = "0.0.0.0/0"
    protocol    = "TCP"
    port        = "22"
    description = "SSH, kept from the console defaults"
  }
  egress {
    action      = "ACCEPT"
    cidr_block  = "0.0.0.0/0"
    protocol    = "ALL"
    port        = "ALL"
    description = "everything out"
  }
}

resource "tencentcloud_security_group" "lockdown" {
  name        = "shop-node-lockdown"
  description = "no SSH on nodes: log in through TAT"
}

resource "tencentcloud_security_group_rule_set" "lockdown" {
  security_group_id = tencentcloud_security_group.lockdown.id

  ingress {
    action      = "DROP"
    cidr_block  = "0.0.0.0/0"
    protocol    = "TCP"
    port        = "22"
    description = "no SSH"
  }
}

resource "tencentcloud_security_group" "clb" {
  name        = "shop-clb"
  description = "the ingress CLB"
}

resource "tencentcloud_security_group_rule_set" "clb" {
  security_group_id = tencentcloud_security_group.clb.id

  ingress {
    action      = "ACCEPT"
    cidr_block  = var.vpc_cidr
    protocol    = "TCP"
    port        = "80,443"
    description = "web from the VPC"
  }
  egress {
    action      = "ACCEPT"
    cidr_block  = var.vpc_cidr
    protocol    = "TCP"
    port        = "30000-32768"
    description = "to the NodePorts"
  }
}
