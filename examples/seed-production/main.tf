# The "production" security groups that seed 000 (EKS セキュリティグループ -
# 本番環境向け設定) describes, written as Terraform:
#
#   Internet → ALB (80/443) → Worker Nodes (30000-32767)
#   Control Plane (443) → Worker Nodes (1025-65535) ※要見直し
#   Worker Nodes → Internet (443: HTTPS, 53: DNS)
#
# with worker egress only 443/53, ALB egress only 80/443, and pod-to-pod
# TCP from the VPC CIDR. `clusterwall check examples/seed-production`
# shows what this design breaks.

terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = ">= 5.0" }
  }
}

variable "cluster_name" {
  type    = string
  default = "prod"
}

variable "vpc_cidr" {
  type    = string
  default = "10.0.0.0/16"
}

resource "aws_vpc" "main" {
  cidr_block = var.vpc_cidr
  tags       = { Name = "${var.cluster_name}-vpc" }
}

resource "aws_subnet" "private" {
  count      = 3
  vpc_id     = aws_vpc.main.id
  cidr_block = cidrsubnet(var.vpc_cidr, 4, count.index)
  tags       = { Name = "${var.cluster_name}-private-${count.index}" }
}

resource "aws_subnet" "public" {
  count      = 3
  vpc_id     = aws_vpc.main.id
  cidr_block = cidrsubnet(var.vpc_cidr, 8, 200 + count.index)
  tags       = { Name = "${var.cluster_name}-public-${count.index}" }
}

resource "aws_eks_cluster" "main" {
  name     = var.cluster_name
  role_arn = "arn:aws:iam::111122223333:role/${var.cluster_name}-cluster"
  version  = "1.30"

  vpc_config {
    subnet_ids              = aws_subnet.private[*].id
    security_group_ids      = [aws_security_group.eks_cluster.id]
    endpoint_private_access = true
    endpoint_public_access  = false
  }
}

# Control plane: API from the workers; to the workers on 1025-65535. The
# two groups name each other, so the control plane's rules are separate
# resources (inline rules in both naming each other would be a cycle).
resource "aws_security_group" "eks_cluster" {
  name        = "${var.cluster_name}-cluster"
  description = "EKS control plane"
  vpc_id      = aws_vpc.main.id
}

resource "aws_security_group_rule" "cluster_https_from_nodes" {
  type                     = "ingress"
  security_group_id        = aws_security_group.eks_cluster.id
  from_port                = 443
  to_port                  = 443
  protocol                 = "tcp"
  source_security_group_id = aws_security_group.eks_nodes.id
  description              = "HTTPS from worker nodes"
}

resource "aws_security_group_rule" "cluster_to_nodes" {
  type                     = "egress"
  security_group_id        = aws_security_group.eks_cluster.id
  from_port                = 1025
  to_port                  = 65535
  protocol                 = "tcp"
  source_security_group_id = aws_security_group.eks_nodes.id
  description              = "Control plane to worker nodes"
}

resource "aws_security_group_rule" "cluster_https_to_nodes" {
  type                     = "egress"
  security_group_id        = aws_security_group.eks_cluster.id
  from_port                = 443
  to_port                  = 443
  protocol                 = "tcp"
  source_security_group_id = aws_security_group.eks_nodes.id
  description              = "HTTPS to worker nodes"
}

# Worker nodes: "egress only HTTPS and DNS", kubelet and friends from the
# control plane on 1025-65535, NodePorts from the ALB, pod-to-pod TCP
# within the VPC.
resource "aws_security_group" "eks_nodes" {
  name        = "${var.cluster_name}-nodes"
  description = "EKS worker nodes"
  vpc_id      = aws_vpc.main.id

  ingress {
    from_port       = 1025
    to_port         = 65535
    protocol        = "tcp"
    security_groups = [aws_security_group.eks_cluster.id]
    description     = "Control plane to worker nodes"
  }

  ingress {
    from_port       = 443
    to_port         = 443
    protocol        = "tcp"
    security_groups = [aws_security_group.eks_cluster.id]
    description     = "HTTPS from control plane"
  }

  ingress {
    from_port       = 30000
    to_port         = 32767
    protocol        = "tcp"
    security_groups = [aws_security_group.alb.id]
    description     = "NodePorts from the ALB"
  }

  ingress {
    from_port   = 0
    to_port     = 65535
    protocol    = "tcp"
    cidr_blocks = [var.vpc_cidr]
    description = "Pod to Pod communication within VPC"
  }

  ingress {
    from_port       = 9100
    to_port         = 9100
    protocol        = "tcp"
    security_groups = [aws_security_group.monitoring.id]
    description     = "Prometheus Node Exporter"
  }

  egress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
    description = "HTTPS"
  }

  egress {
    from_port   = 53
    to_port     = 53
    protocol    = "udp"
    cidr_blocks = ["0.0.0.0/0"]
    description = "DNS"
  }

  egress {
    from_port   = 53
    to_port     = 53
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
    description = "DNS over TCP"
  }

  tags = {
    "kubernetes.io/cluster/${var.cluster_name}" = "owned"
  }
}

# ALB: HTTP and HTTPS from the internet, and "egress only HTTP/HTTPS".
resource "aws_security_group" "alb" {
  name        = "${var.cluster_name}-alb"
  description = "Internet-facing ALB"
  vpc_id      = aws_vpc.main.id

  ingress {
    from_port   = 80
    to_port     = 80
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
    description = "HTTP from the internet"
  }

  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
    description = "HTTPS from the internet"
  }

  egress {
    from_port   = 80
    to_port     = 80
    protocol    = "tcp"
    cidr_blocks = [var.vpc_cidr]
    description = "HTTP to targets"
  }

  egress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = [var.vpc_cidr]
    description = "HTTPS to targets"
  }
}

resource "aws_security_group" "monitoring" {
  name        = "${var.cluster_name}-monitoring"
  description = "Prometheus"
  vpc_id      = aws_vpc.main.id

  egress {
    from_port   = 9100
    to_port     = 9100
    protocol    = "tcp"
    cidr_blocks = [var.vpc_cidr]
    description = "Scrape node exporters"
  }
}

resource "aws_lb" "web" {
  name               = "${var.cluster_name}-web"
  load_balancer_type = "application"
  security_groups    = [aws_security_group.alb.id]
  subnets            = aws_subnet.public[*].id
}

resource "aws_launch_template" "workers" {
  name_prefix            = "${var.cluster_name}-workers-"
  vpc_security_group_ids = [aws_security_group.eks_nodes.id]
}

resource "aws_eks_node_group" "workers" {
  cluster_name    = aws_eks_cluster.main.name
  node_group_name = "workers"
  node_role_arn   = "arn:aws:iam::111122223333:role/${var.cluster_name}-nodes"
  subnet_ids      = aws_subnet.private[*].id

  launch_template {
    id      = aws_launch_template.workers.id
    version = aws_launch_template.workers.latest_version
  }

  scaling_config {
    desired_size = 3
    max_size     = 6
    min_size     = 3
  }
}
