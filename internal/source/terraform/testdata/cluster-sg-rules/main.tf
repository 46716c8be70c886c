# No security group of its own for the control plane or the default node
# group: everything rides on the cluster security group EKS creates, and
# the team adds rules to it by its id. A self-managed GPU group joins
# through a launch template whose network interface lists its own group and
# the cluster group. The bastion is an existing group read by a data source.

variable "cluster_name" {
  type    = string
  default = "ml"
}

variable "subnet_ids" {
  type    = list(string)
  default = ["subnet-0a1b2c3d4e5f60718", "subnet-0f1e2d3c4b5a69788"]
}

variable "expose_nodeports" {
  type    = bool
  default = false
}

variable "nlb_cidrs" {
  type    = list(string)
  default = []
}

variable "bastion_ports" {
  type    = list(number)
  default = [443]
}

data "aws_security_group" "bastion" {
  tags = {
    Name = "ops-bastion"
  }
}

resource "aws_eks_cluster" "this" {
  name     = var.cluster_name
  role_arn = "arn:aws:iam::111122223333:role/ml-eks"
  version  = "1.31"

  vpc_config {
    subnet_ids              = var.subnet_ids
    endpoint_private_access = true
    endpoint_public_access  = true
  }

  kubernetes_network_config {
    service_ipv4_cidr = "172.20.0.0/16"
  }
}

locals {
  cluster_sg_id = aws_eks_cluster.this.vpc_config[0].cluster_security_group_id
}

resource "aws_vpc_security_group_ingress_rule" "bastion" {
  for_each = toset([for p in var.bastion_ports : tostring(p)])

  security_group_id            = local.cluster_sg_id
  description                  = "bastion to ${each.key}"
  ip_protocol                  = "tcp"
  from_port                    = tonumber(each.key)
  to_port                      = tonumber(each.key)
  referenced_security_group_id = data.aws_security_group.bastion.id
}

resource "aws_security_group_rule" "nodeports" {
  count = var.expose_nodeports ? 1 : 0

  type              = "ingress"
  description       = "NodePorts from the NLB subnets"
  security_group_id = local.cluster_sg_id
  from_port         = 30000
  to_port           = 32767
  protocol          = "tcp"
  cidr_blocks       = var.nlb_cidrs
}

resource "aws_eks_node_group" "default" {
  cluster_name    = aws_eks_cluster.this.name
  node_group_name = "default"
  node_role_arn   = "arn:aws:iam::111122223333:role/ml-nodes"
  subnet_ids      = var.subnet_ids
  instance_types  = ["m6i.xlarge"]

  scaling_config {
    desired_size = 2
    max_size     = 4
    min_size     = 2
  }
}

resource "aws_security_group" "gpu" {
  name        = "${var.cluster_name}-gpu"
  description = "GPU nodes: EFA needs all traffic within the group"
  vpc_id      = "vpc-0123456789abcdef0"

  ingress {
    description = "EFA"
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    self        = true
  }

  egress {
    description = "EFA"
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    self        = true
  }
}

resource "aws_launch_template" "gpu" {
  name_prefix   = "${var.cluster_name}-gpu-"
  image_id      = "ami-0123456789abcdef0"
  instance_type = "p4d.24xlarge"

  network_interfaces {
    device_index       = 0
    network_card_index = 0
    interface_type     = "efa"
    security_groups    = [aws_security_group.gpu.id, local.cluster_sg_id]
  }
}

resource "aws_autoscaling_group" "gpu" {
  name                = "${var.cluster_name}-gpu"
  min_size            = 0
  max_size            = 4
  vpc_zone_identifier = var.subnet_ids

  launch_template {
    id      = aws_launch_template.gpu.id
    version = "$Latest"
  }

  tag {
    key                 = "kubernetes.io/cluster/${var.cluster_name}"
    value               = "owned"
    propagate_at_launch = true
  }
}
