# The pods' ENI subnets, kept as an address template so that other groups
# (the databases') can name them too.
resource "tencentcloud_address_template" "pods" {
  name      = "stream-pods"
  addresses = values(local.eni_cidrs)
}

resource "tencentcloud_security_group" "workers" {
  name        = "stream-workers"
  description = "stream workers"
}

# Lite rules, as the team has always written them. The provider replaces
# the group's whole policy set with these lists, in this order.
resource "tencentcloud_security_group_lite_rule" "workers" {
  security_group_id = tencentcloud_security_group.workers.id

  ingress = [
    "ACCEPT#${tencentcloud_security_group.workers.id}#ALL#ALL",
    "ACCEPT#${tencentcloud_address_template.pods.id}#ALL#ALL",
    "ACCEPT#0.0.0.0/0#80,443#TCP",
    "ACCEPT#100.64.0.0/10#30000-32768#TCP",
    "ACCEPT#203.0.113.0/24#22#TCP",
    "DROP#0.0.0.0/0#ALL#ALL",
  ]

  egress = [
    "ACCEPT#0.0.0.0/0#ALL#ALL",
  ]
}
