variable "name" {
  type = string
}

variable "vpc_cidr" {
  type = string
}

variable "vpc_ipv6_cidr" {
  type = string
}

variable "nodeport_from_alb_only" {
  type    = bool
  default = true
}

variable "monitoring_ipv6_cidr" {
  type    = string
  default = "2600:1f14:abc:1eff::/64"
}

locals {
  node_ingress = {
    kubelet = { port = 10250, to = 10250, proto = "tcp", from_cluster = true, desc = "kubelet" }
    api     = { port = 443, to = 443, proto = "tcp", from_cluster = true, desc = "extension API servers" }
    webhook = { port = 9443, to = 9443, proto = "tcp", from_cluster = true, desc = "LBC webhook" }
  }
  self_ingress = [
    { proto = "udp", from = 53, to = 53 },
    { proto = "tcp", from = 53, to = 53 },
    { proto = "tcp", from = 1025, to = 65535 },
  ]
}

resource "aws_vpc" "this" {
  cidr_block                       = var.vpc_cidr
  assign_generated_ipv6_cidr_block = false
  ipv6_cidr_block                  = var.vpc_ipv6_cidr
  ipv6_ipam_pool_id                = "ipam-pool-0123456789abcdef0"
}

resource "aws_subnet" "private" {
  count = 2

  vpc_id          = aws_vpc.this.id
  cidr_block      = cidrsubnet(var.vpc_cidr, 4, count.index)
  ipv6_cidr_block = cidrsubnet(var.vpc_ipv6_cidr, 8, count.index)

  assign_ipv6_address_on_creation = true
}

resource "aws_subnet" "public" {
  count = 2

  vpc_id          = aws_vpc.this.id
  cidr_block      = cidrsubnet(var.vpc_cidr, 4, count.index + 8)
  ipv6_cidr_block = cidrsubnet(var.vpc_ipv6_cidr, 8, count.index + 8)
}

resource "aws_security_group" "cluster" {
  name_prefix = "${var.name}-cluster-"
  description = "EKS cluster (additional)"
  vpc_id      = aws_vpc.this.id
}

# A separate rule: inline on both groups, each would reference the other
# (a dependency cycle Terraform refuses).
resource "aws_security_group_rule" "cluster_from_nodes" {
  type                     = "ingress"
  description              = "API from nodes"
  security_group_id        = aws_security_group.cluster.id
  from_port                = 443
  to_port                  = 443
  protocol                 = "tcp"
  source_security_group_id = aws_security_group.node.id
}

resource "aws_security_group" "alb" {
  name_prefix = "${var.name}-alb-"
  description = "internet-facing ALB"
  vpc_id      = aws_vpc.this.id

  ingress {
    description      = "HTTPS from anywhere"
    from_port        = 443
    to_port          = 443
    protocol         = "tcp"
    cidr_blocks      = ["0.0.0.0/0"]
    ipv6_cidr_blocks = ["::/0"]
  }

  egress {
    description     = "to NodePorts"
    from_port       = 30000
    to_port         = 32767
    protocol        = "tcp"
    security_groups = [aws_security_group.node.id]
  }
}

resource "aws_security_group" "node" {
  name_prefix = "${var.name}-node-"
  description = "EKS nodes"
  vpc_id      = aws_vpc.this.id

  dynamic "ingress" {
    for_each = local.node_ingress
    iterator = rule

    content {
      description     = rule.value.desc
      from_port       = rule.value.port
      to_port         = rule.value.to
      protocol        = rule.value.proto
      security_groups = [aws_security_group.cluster.id]
    }
  }

  dynamic "ingress" {
    for_each = local.self_ingress

    content {
      description = "node to node ${ingress.value.proto}/${ingress.value.from}"
      from_port   = ingress.value.from
      to_port     = ingress.value.to
      protocol    = ingress.value.proto
      self        = true
    }
  }

  dynamic "ingress" {
    for_each = var.nodeport_from_alb_only ? [] : [1]

    content {
      description      = "NodePorts from anywhere (debug)"
      from_port        = 30000
      to_port          = 32767
      protocol         = "tcp"
      cidr_blocks      = ["0.0.0.0/0"]
      ipv6_cidr_blocks = ["::/0"]
    }
  }

  egress {
    description      = "all"
    from_port        = 0
    to_port          = 0
    protocol         = "-1"
    cidr_blocks      = ["0.0.0.0/0"]
    ipv6_cidr_blocks = ["::/0"]
  }

  tags = {
    "kubernetes.io/cluster/${var.name}" = "owned"
  }

  lifecycle {
    create_before_destroy = true
  }
}

# The node group's first group holds inline rules, so the load balancer's
# and monitoring's access go on a second group with separate rules.
resource "aws_security_group" "node_extra" {
  name_prefix = "${var.name}-node-extra-"
  description = "EKS nodes: load balancer and monitoring access"
  vpc_id      = aws_vpc.this.id
}

resource "aws_security_group_rule" "nodeports_from_alb" {
  type                     = "ingress"
  description              = "NodePorts from the ALB"
  security_group_id        = aws_security_group.node_extra.id
  from_port                = 30000
  to_port                  = 32767
  protocol                 = "tcp"
  source_security_group_id = aws_security_group.alb.id
}

resource "aws_security_group_rule" "node_exporter_v6" {
  type              = "ingress"
  description       = "node-exporter from the monitoring network"
  security_group_id = aws_security_group.node_extra.id
  from_port         = 9100
  to_port           = 9100
  protocol          = "tcp"
  ipv6_cidr_blocks  = [var.monitoring_ipv6_cidr]
}

resource "aws_eks_cluster" "this" {
  name     = var.name
  role_arn = "arn:aws:iam::111122223333:role/${var.name}-eks"
  version  = "1.30"

  vpc_config {
    subnet_ids              = aws_subnet.private[*].id
    security_group_ids      = [aws_security_group.cluster.id]
    endpoint_private_access = true
    endpoint_public_access  = false
  }

  kubernetes_network_config {
    ip_family = "ipv6"
  }
}

resource "aws_launch_template" "node" {
  name_prefix            = "${var.name}-node-"
  vpc_security_group_ids = [aws_security_group.node.id, aws_security_group.node_extra.id]
}

resource "aws_eks_node_group" "default" {
  cluster_name    = aws_eks_cluster.this.name
  node_group_name = "default"
  node_role_arn   = "arn:aws:iam::111122223333:role/${var.name}-nodes"
  subnet_ids      = aws_subnet.private[*].id

  launch_template {
    id      = aws_launch_template.node.id
    version = "$Latest"
  }

  scaling_config {
    desired_size = 2
    max_size     = 4
    min_size     = 2
  }
}

resource "aws_lb" "web" {
  name               = "${var.name}-web"
  load_balancer_type = "application"
  internal           = false
  ip_address_type    = "dualstack"
  security_groups    = [aws_security_group.alb.id]
  subnets            = aws_subnet.public[*].id
}
