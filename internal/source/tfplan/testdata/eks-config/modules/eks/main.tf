# A cluster in the style of terraform-aws-modules/eks: the module's own
# cluster and node security groups, their rules made with for_each over
# maps, and one node group module instance per entry of node_groups.

resource "aws_eks_cluster" "this" {
  name     = var.cluster_name
  role_arn = "arn:aws:iam::111122223333:role/demo-cluster"
  version  = "1.30"

  vpc_config {
    security_group_ids      = [aws_security_group.cluster.id]
    subnet_ids              = var.subnet_ids
    endpoint_private_access = true
    endpoint_public_access  = true
    public_access_cidrs     = var.api_cidrs
  }
}

resource "aws_security_group" "cluster" {
  name_prefix = "${var.cluster_name}-cluster-"
  description = "EKS cluster security group"
  vpc_id      = var.vpc_id

  tags = {
    Name = "${var.cluster_name}-cluster"
  }
}

resource "aws_security_group_rule" "cluster" {
  for_each = {
    ingress_nodes_443 = {
      description = "Node groups to cluster API"
      protocol    = "tcp"
      from_port   = 443
      to_port     = 443
      type        = "ingress"
    }
  }

  security_group_id        = aws_security_group.cluster.id
  description              = each.value.description
  protocol                 = each.value.protocol
  from_port                = each.value.from_port
  to_port                  = each.value.to_port
  type                     = each.value.type
  source_security_group_id = aws_security_group.node.id
}

resource "aws_security_group" "node" {
  name_prefix = "${var.cluster_name}-node-"
  description = "EKS node shared security group"
  vpc_id      = var.vpc_id

  tags = {
    Name                                        = "${var.cluster_name}-node"
    "kubernetes.io/cluster/${var.cluster_name}" = "owned"
  }
}

resource "aws_security_group_rule" "node" {
  for_each = {
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
      description = "Allow all egress"
      protocol    = "-1"
      from_port   = 0
      to_port     = 0
      type        = "egress"
      cidr_blocks = ["0.0.0.0/0"]
    }
  }

  security_group_id = aws_security_group.node.id
  description       = each.value.description
  protocol          = each.value.protocol
  from_port         = each.value.from_port
  to_port           = each.value.to_port
  type              = each.value.type
  cidr_blocks       = try(each.value.cidr_blocks, null)
  self              = try(each.value.self, null)
}

# The rules from the cluster group are a resource of their own: plan JSON
# shows the references of an expression but not its conditionals, so a
# source_security_group_id that is a reference in some instances and null
# in others would be unknown in all of them.
resource "aws_security_group_rule" "node_from_cluster" {
  for_each = {
    ingress_cluster_443 = {
      description = "Cluster API to node groups"
      port        = 443
    }
    ingress_cluster_kubelet = {
      description = "Cluster API to node kubelets"
      port        = 10250
    }
  }

  security_group_id        = aws_security_group.node.id
  description              = each.value.description
  type                     = "ingress"
  protocol                 = "tcp"
  from_port                = each.value.port
  to_port                  = each.value.port
  source_security_group_id = aws_security_group.cluster.id
}

# One more group per node group, with the same keys as the node group
# module instances: its rules and the module call pick their instance by
# each.key.
resource "aws_security_group" "node_group" {
  for_each = var.node_groups

  name_prefix = "${var.cluster_name}-${each.key}-"
  description = "Node group ${each.key}"
  vpc_id      = var.vpc_id
}

resource "aws_security_group_rule" "node_group_nodeports" {
  for_each = var.node_groups

  security_group_id = aws_security_group.node_group[each.key].id
  description       = "NodePorts for the load balancers"
  type              = "ingress"
  protocol          = "tcp"
  from_port         = 30000
  to_port           = 32767
  cidr_blocks       = ["0.0.0.0/0"]
}

module "node_group" {
  source   = "../node-group"
  for_each = var.node_groups

  cluster_name           = aws_eks_cluster.this.name
  name                   = each.key
  subnet_ids             = var.subnet_ids
  instance_types         = each.value.instance_types
  vpc_security_group_ids = [aws_security_group.node.id, aws_security_group.node_group[each.key].id]
}
