# An IPv6 cluster behind an internet-facing ALB, written as a local module
# that the root calls with count, as teams do to switch an environment's
# cluster on and off. Node rules are inline dynamic "ingress" blocks over a
# map; an extra aws_security_group_rule admits an IPv6 monitoring network.

variable "create_cluster" {
  type    = bool
  default = false
}

variable "env" {
  type = string
}

module "cluster" {
  source = "./modules/cluster"
  count  = var.create_cluster ? 1 : 0

  name          = "edge-${var.env}"
  vpc_cidr      = "10.70.0.0/16"
  vpc_ipv6_cidr = "2600:1f14:abc:1e00::/56"
  nodeport_from_alb_only = var.env == "prod"
}
