name = "orders-staging"

node_security_group_additional_rules = {
  # TEMP: debugging the ingress controller, remove after INC-2231
  ingress_all_debug = {
    description      = "debug: everything from anywhere"
    protocol         = "-1"
    from_port        = 0
    to_port          = 0
    type             = "ingress"
    cidr_blocks      = ["0.0.0.0/0"]
    ipv6_cidr_blocks = ["::/0"]
  }
  ingress_monitoring = {
    description              = "Prometheus from the monitoring VPC peer"
    protocol                 = "tcp"
    from_port                = 9100
    to_port                  = 9100
    type                     = "ingress"
    source_security_group_id = "sg-0f00ba44d00dfeed1"
  }
}

cluster_security_group_additional_rules = {
  ingress_vpn = {
    description = "kubectl over the VPN"
    protocol    = "tcp"
    from_port   = 443
    to_port     = 443
    type        = "ingress"
    cidr_blocks = ["10.200.0.0/16"]
  }
}
