# A managed node group without a launch template (EKS puts the cluster
# security group on its nodes), a Fargate profile, and an ALB whose group
# the cluster group admits, through a managed prefix list for the office.

resource "aws_vpc" "main" {
  cidr_block = "10.40.0.0/16"
}

resource "aws_vpc_ipv4_cidr_block_association" "pods" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "100.64.0.0/16"
}

resource "aws_subnet" "a" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.40.0.0/20"
}

resource "aws_subnet" "b" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.40.16.0/20"
}

resource "aws_eks_cluster" "web" {
  name     = "web"
  role_arn = "arn:aws:iam::111122223333:role/eks"
  version  = "1.30"

  vpc_config {
    subnet_ids          = [aws_subnet.a.id, aws_subnet.b.id]
    public_access_cidrs = ["198.51.100.0/24"]
  }

  access_config {
    authentication_mode = "API"
  }
}

resource "aws_eks_node_group" "default" {
  cluster_name    = aws_eks_cluster.web.name
  node_group_name = "default"
  node_role_arn   = "arn:aws:iam::111122223333:role/nodes"
  subnet_ids      = [aws_subnet.a.id]

  scaling_config {
    desired_size = 2
    max_size     = 3
    min_size     = 1
  }
}

resource "aws_eks_fargate_profile" "system" {
  cluster_name           = aws_eks_cluster.web.name
  fargate_profile_name   = "system"
  pod_execution_role_arn = "arn:aws:iam::111122223333:role/fargate"
  subnet_ids             = [aws_subnet.b.id]

  selector {
    namespace = "kube-system"
  }
}

resource "aws_ec2_managed_prefix_list" "office" {
  name           = "office"
  address_family = "IPv4"
  max_entries    = 5

  entry {
    cidr        = "192.0.2.0/25"
    description = "Berlin"
  }

  entry {
    cidr        = "192.0.2.128/25"
    description = "Lisbon"
  }
}

resource "aws_security_group" "alb" {
  name   = "web-alb"
  vpc_id = aws_vpc.main.id

  ingress {
    from_port       = 443
    to_port         = 443
    protocol        = "tcp"
    prefix_list_ids = [aws_ec2_managed_prefix_list.office.id]
  }

  egress {
    from_port   = 0
    to_port     = 65535
    protocol    = "tcp"
    cidr_blocks = [aws_vpc.main.cidr_block]
  }
}

resource "aws_lb" "web" {
  name               = "web"
  load_balancer_type = "application"
  security_groups    = [aws_security_group.alb.id]
  subnets            = [aws_subnet.a.id, aws_subnet.b.id]
}

resource "aws_vpc_security_group_ingress_rule" "nodes_from_alb" {
  security_group_id            = aws_eks_cluster.web.vpc_config[0].cluster_security_group_id
  referenced_security_group_id = aws_security_group.alb.id
  ip_protocol                  = "tcp"
  from_port                    = 30000
  to_port                      = 32767
}

resource "helm_release" "metrics" {
  name       = "metrics-server"
  repository = "https://kubernetes-sigs.github.io/metrics-server/"
  chart      = "metrics-server"
  version    = "3.12.1"
}
