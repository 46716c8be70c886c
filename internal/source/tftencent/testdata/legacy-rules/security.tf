resource "tencentcloud_security_group" "workers" {
  name        = "billing-workers"
  description = "billing worker nodes"
}

resource "tencentcloud_address_template" "office" {
  name      = "office"
  addresses = ["203.0.113.10", "203.0.113.128/25", "198.51.100.1-198.51.100.20"]
}

resource "tencentcloud_address_template_group" "admins" {
  name         = "admins"
  template_ids = [tencentcloud_address_template.office.id]
}

resource "tencentcloud_protocol_template" "nodeports" {
  name      = "nodeports"
  protocols = ["tcp:30000-32768", "udp:30000-32768"]
}

# The cluster's own networks. Declared first, but without policy_index
# they are appended after the indexed rules below.
resource "tencentcloud_security_group_rule" "internal" {
  for_each = {
    "cluster-network" = var.vpc_cidr
    "pods"            = var.cluster_cidr
  }

  security_group_id = tencentcloud_security_group.workers.id
  type              = "ingress"
  cidr_ip           = each.value
  policy            = "accept"
  description       = each.key
}

resource "tencentcloud_security_group_rule" "drop_ssh" {
  security_group_id = tencentcloud_security_group.workers.id
  type              = "ingress"
  cidr_ip           = "0.0.0.0/0"
  ip_protocol       = "tcp"
  port_range        = "22"
  policy            = "DROP"
  policy_index      = 1
  description       = "no SSH from anywhere else"
}

resource "tencentcloud_security_group_rule" "admin_ssh" {
  security_group_id = tencentcloud_security_group.workers.id
  type              = "ingress"
  ip_protocol       = "TCP"
  port_range        = "22"
  policy            = "ACCEPT"
  policy_index      = 0
  description       = "SSH for the admins"

  address_template {
    group_id = tencentcloud_address_template_group.admins.id
  }
}

resource "tencentcloud_security_group_rule" "clb_health" {
  security_group_id = tencentcloud_security_group.workers.id
  type              = "ingress"
  cidr_ip           = "100.64.0.0/10"
  policy            = "ACCEPT"
  description       = "CLB health checks on the NodePorts"

  protocol_template {
    template_id = tencentcloud_protocol_template.nodeports.id
  }
}

resource "tencentcloud_security_group_rule" "egress" {
  security_group_id = tencentcloud_security_group.workers.id
  type              = "egress"
  cidr_ip           = "0.0.0.0/0"
  policy            = "ACCEPT"
  description       = "everything out"
}
