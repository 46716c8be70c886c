# A hand-written EKS cluster whose node rules come from a map of objects,
# filtered on an "enabled" flag, as aws_vpc_security_group_*_rule resources
# (one peer each). The node group's launch template lists only the node
# group, so EKS does not add its cluster security group to the nodes.

terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.40"
    }
  }
}

provider "aws" {
  region = var.region
}

variable "region" {
  type    = string
  default = "us-east-2"
}

variable "cluster_name" {
  type    = string
  default = "shop"
}

variable "vpc_cidr" {
  type    = string
  default = "10.60.0.0/16"
}

variable "api_allowed_cidrs" {
  description = "Who may use the public API endpoint"
  type        = list(string)
  default     = ["0.0.0.0/0"]
}

variable "enable_lbc_webhook" {
  type    = bool
  default = false
}

variable "office_cidrs" {
  type    = list(string)
  default = []
}

locals {
  node_rules = {
    cluster_kubelet = {
      description = "kubelet from the control plane"
      ip_protocol = "tcp"
      from_port   = 10250
      to_port     = 10250
      source      = "cluster"
      enabled     = true
    }
    cluster_https = {
      description = "extension API servers"
      ip_protocol = "tcp"
      from_port   = 443
      to_port     = 443
      source      = "cluster"
      enabled     = true
    }
    lbc_webhook = {
      description = "AWS Load Balancer Controller webhook"
      ip_protocol = "tcp"
      from_port   = 9443
      to_port     = 9443
      source      = "cluster"
      enabled     = var.enable_lbc_webhook
    }
    coredns_tcp = {
      description = "CoreDNS"
      ip_protocol = "tcp"
      from_port   = 53
      to_port     = 53
      source      = "self"
      enabled     = true
    }
    coredns_udp = {
      description = "CoreDNS"
      ip_protocol = "udp"
      from_port   = 53
      to_port     = 53
      source      = "self"
      enabled     = true
    }
    node_to_node = {
      description = "pods on other nodes"
      ip_protocol = "tcp"
      from_port   = 1025
      to_port     = 65535
      source      = "self"
      enabled     = true
    }
    nlb_nodeports = {
      description = "NLB (instance targets) health checks and traffic"
      ip_protocol = "tcp"
      from_port   = 30000
      to_port     = 32767
      source      = "vpc"
      enabled     = true
    }
  }
}

data "aws_availability_zones" "available" {
  state = "available"
}

resource "aws_vpc" "main" {
  cidr_block                       = var.vpc_cidr
  assign_generated_ipv6_cidr_block = true
  enable_dns_hostnames             = true
}

resource "aws_subnet" "private" {
  count             = 2
  vpc_id            = aws_vpc.main.id
  cidr_block        = cidrsubnet(var.vpc_cidr, 4, count.index)
  availability_zone = data.aws_availability_zones.available.names[count.index]
}

resource "aws_security_group" "cluster" {
  name        = "${var.cluster_name}-cluster"
  description = "EKS control plane (additional)"
  vpc_id      = aws_vpc.main.id
}

resource "aws_security_group" "node" {
  name        = "${var.cluster_name}-node"
  description = "EKS nodes"
  vpc_id      = aws_vpc.main.id

  tags = {
    "kubernetes.io/cluster/${var.cluster_name}" = "owned"
  }
}

resource "aws_vpc_security_group_ingress_rule" "cluster_from_nodes" {
  security_group_id            = aws_security_group.cluster.id
  description                  = "nodes to the API server"
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  referenced_security_group_id = aws_security_group.node.id
}

resource "aws_vpc_security_group_ingress_rule" "node" {
  for_each = { for k, v in local.node_rules : k => v if v.enabled }

  security_group_id            = aws_security_group.node.id
  description                  = each.value.description
  ip_protocol                  = each.value.ip_protocol
  from_port                    = each.value.from_port
  to_port                      = each.value.to_port
  referenced_security_group_id = each.value.source == "cluster" ? aws_security_group.cluster.id : (each.value.source == "self" ? aws_security_group.node.id : null)
  cidr_ipv4                    = each.value.source == "vpc" ? var.vpc_cidr : null
}

resource "aws_ec2_managed_prefix_list" "office" {
  name           = "office"
  address_family = "IPv4"
  max_entries    = 5

  dynamic "entry" {
    for_each = var.office_cidrs
    content {
      cidr        = entry.value
      description = "office ${entry.key}"
    }
  }
}

resource "aws_vpc_security_group_ingress_rule" "ssh_from_office" {
  security_group_id = aws_security_group.node.id
  description       = "SSH from the office"
  ip_protocol       = "tcp"
  from_port         = 22
  to_port           = 22
  prefix_list_id    = aws_ec2_managed_prefix_list.office.id
}

resource "aws_vpc_security_group_egress_rule" "node_all_v4" {
  security_group_id = aws_security_group.node.id
  description       = "all egress"
  ip_protocol       = "-1"
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_egress_rule" "node_all_v6" {
  security_group_id = aws_security_group.node.id
  description       = "all egress"
  ip_protocol       = "-1"
  cidr_ipv6         = "::/0"
}

resource "aws_eks_cluster" "this" {
  name     = var.cluster_name
  role_arn = "arn:aws:iam::111122223333:role/shop-eks"
  version  = "1.30"

  vpc_config {
    subnet_ids              = aws_subnet.private[*].id
    security_group_ids      = [aws_security_group.cluster.id]
    endpoint_private_access = true
    endpoint_public_access  = true
    public_access_cidrs     = var.api_allowed_cidrs
  }
}

resource "aws_launch_template" "nodes" {
  name_prefix            = "${var.cluster_name}-nodes-"
  vpc_security_group_ids = [aws_security_group.node.id]

  metadata_options {
    http_tokens = "required"
  }
}

resource "aws_eks_node_group" "general" {
  cluster_name    = aws_eks_cluster.this.name
  node_group_name = "general"
  node_role_arn   = "arn:aws:iam::111122223333:role/shop-nodes"
  subnet_ids      = aws_subnet.private[*].id
  instance_types  = ["m6i.large"]

  launch_template {
    id      = aws_launch_template.nodes.id
    version = aws_launch_template.nodes.latest_version
  }

  scaling_config {
    desired_size = 3
    max_size     = 6
    min_size     = 2
  }
}

resource "helm_release" "aws_load_balancer_controller" {
  name       = "aws-load-balancer-controller"
  repository = "https://aws.github.io/eks-charts"
  chart      = "aws-load-balancer-controller"
  version    = "1.8.1"
  namespace  = "kube-system"
}
