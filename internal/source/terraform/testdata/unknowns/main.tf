# What the configuration leaves open: a security group read by a data
# source, a variable without a default, a for_each over it, and ports and
# endpoint addresses known only from variables that have no value.

variable "office_cidr" {
  type = string
}

variable "peer_cidrs" {
  type = list(string)
}

variable "app_port" {
  type = number
}

variable "api_cidrs" {
  type = list(string)
}

data "aws_vpc" "main" {
  tags = { Name = "main" }
}

data "aws_security_group" "bastion" {
  name = "bastion"
}

data "aws_subnets" "private" {
  filter {
    name   = "vpc-id"
    values = [data.aws_vpc.main.id]
  }
}

resource "aws_eks_cluster" "app" {
  name     = "app"
  role_arn = "arn:aws:iam::111122223333:role/eks"

  vpc_config {
    subnet_ids          = data.aws_subnets.private.ids
    public_access_cidrs = var.api_cidrs
  }
}

resource "aws_security_group" "nodes" {
  name   = "app-nodes"
  vpc_id = data.aws_vpc.main.id
}

resource "aws_security_group_rule" "ssh_from_bastion" {
  type                     = "ingress"
  security_group_id        = aws_security_group.nodes.id
  source_security_group_id = data.aws_security_group.bastion.id
  protocol                 = "tcp"
  from_port                = 22
  to_port                  = 22
}

resource "aws_security_group_rule" "ssh_from_office" {
  type              = "ingress"
  security_group_id = aws_security_group.nodes.id
  cidr_blocks       = [var.office_cidr]
  protocol          = "tcp"
  from_port         = 22
  to_port           = 22
}

resource "aws_security_group_rule" "app" {
  type              = "ingress"
  security_group_id = aws_security_group.nodes.id
  cidr_blocks       = ["10.0.0.0/8"]
  protocol          = "tcp"
  from_port         = var.app_port
  to_port           = var.app_port
}

resource "aws_security_group_rule" "peers" {
  for_each          = toset(var.peer_cidrs)
  type              = "ingress"
  security_group_id = aws_security_group.nodes.id
  cidr_blocks       = [each.value]
  protocol          = "tcp"
  from_port         = 443
  to_port           = 443
}

resource "aws_launch_template" "nodes" {
  vpc_security_group_ids = [aws_security_group.nodes.id]
}

resource "aws_eks_node_group" "app" {
  cluster_name    = aws_eks_cluster.app.name
  node_group_name = "app"
  node_role_arn   = "arn:aws:iam::111122223333:role/nodes"
  subnet_ids      = data.aws_subnets.private.ids

  scaling_config {
    desired_size = 1
    max_size     = 2
    min_size     = 1
  }

  launch_template {
    id      = aws_launch_template.nodes.id
    version = "$Latest"
  }
}
