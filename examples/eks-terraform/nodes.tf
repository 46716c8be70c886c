# The nodes get a security group of their own through a launch template,
# so EKS does not add the cluster security group to them: every flow
# between the control plane and the nodes is opened here.

resource "aws_security_group" "node" {
  name_prefix = "${var.cluster_name}-node-"
  description = "EKS nodes of ${var.cluster_name}"
  vpc_id      = aws_vpc.this.id

  tags = {
    Name                                        = "${var.cluster_name}-node"
    "kubernetes.io/cluster/${var.cluster_name}" = "owned"
  }
}

locals {
  node_ingress_from_cluster = merge(
    {
      https   = { port = 443, description = "Cluster API to node groups" }
      kubelet = { port = 10250, description = "Cluster API to node kubelets" }
    },
    { for p in var.webhook_ports : "webhook_${p}" => { port = p, description = "Cluster API to webhook on ${p}" } },
  )
}

resource "aws_vpc_security_group_ingress_rule" "node_from_cluster" {
  for_each = local.node_ingress_from_cluster

  security_group_id            = aws_security_group.node.id
  referenced_security_group_id = local.cluster_sg_id
  ip_protocol                  = "tcp"
  from_port                    = each.value.port
  to_port                      = each.value.port
  description                  = each.value.description
}

resource "aws_vpc_security_group_ingress_rule" "node_to_node" {
  security_group_id            = aws_security_group.node.id
  referenced_security_group_id = aws_security_group.node.id
  ip_protocol                  = "-1"
  description                  = "Node to node, all protocols"
}

resource "aws_vpc_security_group_ingress_rule" "node_from_alb" {
  security_group_id            = aws_security_group.node.id
  referenced_security_group_id = aws_security_group.alb.id
  ip_protocol                  = "tcp"
  from_port                    = 30000
  to_port                      = 32767
  description                  = "ALB to NodePorts"
}

resource "aws_vpc_security_group_egress_rule" "node_all" {
  security_group_id = aws_security_group.node.id
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "-1"
  description       = "Nodes to anywhere"
}

resource "aws_vpc_security_group_ingress_rule" "cluster_from_node" {
  security_group_id            = local.cluster_sg_id
  referenced_security_group_id = aws_security_group.node.id
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  description                  = "Nodes to the cluster API"
}

resource "aws_launch_template" "node" {
  name_prefix            = "${var.cluster_name}-node-"
  vpc_security_group_ids = [aws_security_group.node.id]

  metadata_options {
    http_tokens                 = "required"
    http_put_response_hop_limit = 2
  }
}

resource "aws_eks_node_group" "this" {
  for_each = var.node_groups

  cluster_name    = aws_eks_cluster.this.name
  node_group_name = each.key
  node_role_arn   = "arn:aws:iam::111122223333:role/${var.cluster_name}-node"
  subnet_ids      = [for s in aws_subnet.private : s.id]
  instance_types  = each.value.instance_types

  scaling_config {
    min_size     = each.value.min_size
    max_size     = each.value.max_size
    desired_size = each.value.min_size
  }

  launch_template {
    id      = aws_launch_template.node.id
    version = aws_launch_template.node.latest_version
  }
}
