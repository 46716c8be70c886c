# A cluster written by hand: inline rules, dynamic blocks over lists of
# ports, count, conditionals and cidrsubnet.

locals {
  node_ports  = concat([443], var.kubelet_ports)
  public_api  = var.environment == "prod" ? false : true
  name_prefix = "${var.cluster_name}-${var.environment}"
}

resource "aws_vpc" "main" {
  cidr_block = var.vpc_cidr
}

resource "aws_subnet" "private" {
  count      = var.az_count
  vpc_id     = aws_vpc.main.id
  cidr_block = cidrsubnet(var.vpc_cidr, 8, count.index)
}

resource "aws_security_group" "control_plane" {
  name        = "${local.name_prefix}-control-plane"
  description = "Additional security group of the control plane"
  vpc_id      = aws_vpc.main.id

  ingress {
    description = "API from the VPC"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = [aws_vpc.main.cidr_block]
  }

  dynamic "egress" {
    for_each = var.kubelet_ports
    content {
      description = "kubelet ${egress.value}"
      from_port   = egress.value
      to_port     = egress.value
      protocol    = "tcp"
      cidr_blocks = [var.vpc_cidr]
    }
  }
}

resource "aws_security_group" "nodes" {
  name   = "${local.name_prefix}-nodes"
  vpc_id = aws_vpc.main.id

  tags = {
    Name                                        = "nodes"
    "kubernetes.io/cluster/${var.cluster_name}" = "owned"
  }

  dynamic "ingress" {
    for_each = local.node_ports
    iterator = port
    content {
      description = "control plane to nodes on ${port.value}"
      from_port   = port.value
      to_port     = port.value
      protocol    = "tcp"
      security_groups = [
        aws_security_group.control_plane.id,
        aws_eks_cluster.shop.vpc_config[0].cluster_security_group_id,
      ]
    }
  }

  ingress {
    description = "node to node"
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    self        = true
  }

  ingress {
    description = "path MTU discovery"
    from_port   = 3
    to_port     = 4
    protocol    = "icmp"
    cidr_blocks = [var.vpc_cidr]
  }

  dynamic "ingress" {
    for_each = var.enable_ssh ? [22] : []
    content {
      from_port   = ingress.value
      to_port     = ingress.value
      protocol    = "tcp"
      cidr_blocks = ["0.0.0.0/0"]
    }
  }

  egress {
    from_port        = 0
    to_port          = 0
    protocol         = "-1"
    cidr_blocks      = ["0.0.0.0/0"]
    ipv6_cidr_blocks = ["::/0"]
  }
}

resource "aws_security_group" "bastion" {
  count  = var.enable_ssh ? 1 : 0
  name   = "${local.name_prefix}-bastion"
  vpc_id = aws_vpc.main.id
}

resource "aws_eks_cluster" "shop" {
  name     = var.cluster_name
  role_arn = "arn:aws:iam::111122223333:role/eks"

  vpc_config {
    subnet_ids              = aws_subnet.private[*].id
    security_group_ids      = [aws_security_group.control_plane.id]
    endpoint_public_access  = local.public_api
    endpoint_private_access = true
  }

  kubernetes_network_config {
    service_ipv4_cidr = "172.20.0.0/16"
  }
}

resource "aws_launch_template" "nodes" {
  name_prefix            = "${local.name_prefix}-nodes-"
  vpc_security_group_ids = [aws_security_group.nodes.id]
}

resource "aws_eks_node_group" "default" {
  cluster_name    = aws_eks_cluster.shop.name
  node_group_name = "default"
  node_role_arn   = "arn:aws:iam::111122223333:role/nodes"
  subnet_ids      = aws_subnet.private[*].id

  scaling_config {
    desired_size = 2
    max_size     = 4
    min_size     = 1
  }

  launch_template {
    id      = aws_launch_template.nodes.id
    version = aws_launch_template.nodes.latest_version
  }
}
