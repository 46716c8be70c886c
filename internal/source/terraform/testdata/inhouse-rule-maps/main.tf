# An in-house copy of the terraform-aws-eks rule pattern: base rules in a
# local map, extra rules from a variable, merged and iterated by one
# aws_security_group_rule with for_each; the whole cluster is switched by
# count. The staging tfvars add a "temporary" rule that nobody removed.

variable "enabled" {
  type    = bool
  default = true
}

variable "name" {
  type    = string
  default = "orders"
}

variable "node_security_group_additional_rules" {
  description = "Extra node rules, in the terraform-aws-eks format"
  type        = any
  default     = {}
}

variable "cluster_security_group_additional_rules" {
  type    = any
  default = {}
}

locals {
  create = var.enabled

  cluster_security_group_id = try(aws_security_group.cluster[0].id, "")
  node_security_group_id    = try(aws_security_group.node[0].id, "")

  cluster_security_group_rules = {
    ingress_nodes_443 = {
      description                = "Node groups to cluster API"
      protocol                   = "tcp"
      from_port                  = 443
      to_port                    = 443
      type                       = "ingress"
      source_node_security_group = true
    }
  }

  node_security_group_rules = {
    ingress_cluster_443 = {
      description                   = "Cluster API to node groups"
      protocol                      = "tcp"
      from_port                     = 443
      to_port                       = 443
      type                          = "ingress"
      source_cluster_security_group = true
    }
    ingress_cluster_kubelet = {
      description                   = "Cluster API to node kubelets"
      protocol                      = "tcp"
      from_port                     = 10250
      to_port                       = 10250
      type                          = "ingress"
      source_cluster_security_group = true
    }
    ingress_self_coredns_tcp = {
      description = "Node to node CoreDNS"
      protocol    = "tcp"
      from_port   = 53
      to_port     = 53
      type        = "ingress"
      self        = true
    }
    ingress_self_coredns_udp = {
      description = "Node to node CoreDNS UDP"
      protocol    = "udp"
      from_port   = 53
      to_port     = 53
      type        = "ingress"
      self        = true
    }
    ingress_nodes_ephemeral = {
      description = "Node to node ingress on ephemeral ports"
      protocol    = "tcp"
      from_port   = 1025
      to_port     = 65535
      type        = "ingress"
      self        = true
    }
    egress_all = {
      description      = "Allow all egress"
      protocol         = "-1"
      from_port        = 0
      to_port          = 0
      type             = "egress"
      cidr_blocks      = ["0.0.0.0/0"]
      ipv6_cidr_blocks = ["::/0"]
    }
  }
}

resource "aws_vpc" "this" {
  count      = local.create ? 1 : 0
  cidr_block = "10.33.0.0/16"
}

resource "aws_subnet" "private" {
  count      = local.create ? 2 : 0
  vpc_id     = aws_vpc.this[0].id
  cidr_block = cidrsubnet(aws_vpc.this[0].cidr_block, 2, count.index)
}

resource "aws_security_group" "cluster" {
  count       = local.create ? 1 : 0
  name_prefix = "${var.name}-cluster-"
  description = "EKS cluster security group"
  vpc_id      = aws_vpc.this[0].id
}

resource "aws_security_group" "node" {
  count       = local.create ? 1 : 0
  name_prefix = "${var.name}-node-"
  description = "EKS node shared security group"
  vpc_id      = aws_vpc.this[0].id

  tags = {
    "kubernetes.io/cluster/${var.name}" = "owned"
  }
}

resource "aws_security_group_rule" "cluster" {
  for_each = { for k, v in merge(local.cluster_security_group_rules, var.cluster_security_group_additional_rules) : k => v if local.create }

  security_group_id        = aws_security_group.cluster[0].id
  protocol                 = each.value.protocol
  from_port                = each.value.from_port
  to_port                  = each.value.to_port
  type                     = each.value.type
  description              = lookup(each.value, "description", null)
  cidr_blocks              = lookup(each.value, "cidr_blocks", null)
  self                     = lookup(each.value, "self", null)
  source_security_group_id = try(each.value.source_node_security_group, false) ? local.node_security_group_id : lookup(each.value, "source_security_group_id", null)
}

resource "aws_security_group_rule" "node" {
  for_each = { for k, v in merge(local.node_security_group_rules, var.node_security_group_additional_rules) : k => v if local.create }

  security_group_id = aws_security_group.node[0].id
  protocol          = each.value.protocol
  from_port         = each.value.from_port
  to_port           = each.value.to_port
  type              = each.value.type

  description      = try(each.value.description, null)
  cidr_blocks      = try(each.value.cidr_blocks, null)
  ipv6_cidr_blocks = try(each.value.ipv6_cidr_blocks, null)
  prefix_list_ids  = try(each.value.prefix_list_ids, [])
  self             = try(each.value.self, null)
  source_security_group_id = try(
    each.value.source_security_group_id,
    try(each.value.source_cluster_security_group, false) ? local.cluster_security_group_id : null
  )
}

resource "aws_eks_cluster" "this" {
  count    = local.create ? 1 : 0
  name     = var.name
  role_arn = "arn:aws:iam::111122223333:role/${var.name}-eks"
  version  = "1.30"

  vpc_config {
    subnet_ids              = aws_subnet.private[*].id
    security_group_ids      = [local.cluster_security_group_id]
    endpoint_private_access = true
    endpoint_public_access  = false
  }
}

resource "aws_launch_template" "node" {
  count                  = local.create ? 1 : 0
  name_prefix            = "${var.name}-"
  vpc_security_group_ids = [local.node_security_group_id]
}

resource "aws_eks_node_group" "main" {
  count           = local.create ? 1 : 0
  cluster_name    = aws_eks_cluster.this[0].name
  node_group_name = "main"
  node_role_arn   = "arn:aws:iam::111122223333:role/${var.name}-nodes"
  subnet_ids      = aws_subnet.private[*].id

  launch_template {
    id      = aws_launch_template.node[0].id
    version = aws_launch_template.node[0].latest_version
  }

  scaling_config {
    desired_size = 2
    max_size     = 3
    min_size     = 1
  }
}
