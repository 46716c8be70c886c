# The workers' group, tightened by hand from the console defaults: the
# cluster network, the CLB's health checks and the office's SSH, then drop
# the rest. The container network was forgotten.
resource "tencentcloud_security_group" "workers" {
  name        = "ledger-workers"
  description = "ledger workers"
}

resource "tencentcloud_security_group_rule_set" "workers" {
  security_group_id = tencentcloud_security_group.workers.id

  ingress {
    action      = "ACCEPT"
    cidr_block  = var.vpc_cidr
    protocol    = "ALL"
    port        = "ALL"
    description = "cluster network"
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
    cidr_block  = var.office_cidr
    protocol    = "TCP"
    port        = "22"
    description = "office SSH"
  }
  ingress {
    action      = "DROP"
    cidr_block  = "0.0.0.0/0"
    protocol    = "ALL"
    port        = "ALL"
    description = "everything else"
  }

  egress {
    action      = "ACCEPT"
    cidr_block  = "0.0.0.0/0"
    protocol    = "ALL"
    port        = "ALL"
    description = "everything out"
  }
}

# The API server's internet endpoint, for the CI runners: "temporarily"
# open to everyone.
resource "tencentcloud_security_group" "apiserver" {
  name        = "ledger-apiserver"
  description = "API server internet endpoint"
}

resource "tencentcloud_security_group_rule_set" "apiserver" {
  security_group_id = tencentcloud_security_group.apiserver.id

  ingress {
    action      = "ACCEPT"
    cidr_block  = "0.0.0.0/0"
    protocol    = "TCP"
    port        = "443"
    description = "CI runners (temporary)"
  }
}

# The public CLB: HTTP and HTTPS in from anyone, NodePorts out to the
# cluster network.
resource "tencentcloud_security_group" "clb" {
  name        = "ledger-clb"
  description = "public CLB"
}

resource "tencentcloud_security_group_rule_set" "clb" {
  security_group_id = tencentcloud_security_group.clb.id

  ingress {
    action      = "ACCEPT"
    cidr_block  = "0.0.0.0/0"
    protocol    = "TCP"
    port        = "80,443"
    description = "web"
  }
  egress {
    action      = "ACCEPT"
    cidr_block  = var.vpc_cidr
    protocol    = "TCP"
    port        = "30000-32768"
    description = "NodePorts"
  }
}
