# A cluster made with terraform-aws-modules/eks (v19 style), as `terraform
# init` leaves it: the module sits in .terraform/modules/eks.

provider "aws" {
  region = "eu-west-1"
}

locals {
  name     = "demo"
  vpc_cidr = "10.0.0.0/16"
  azs      = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
}

variable "admin_cidrs" {
  description = "Networks that may use the public API endpoint"
  type        = list(string)
  default     = ["203.0.113.0/24"]
}

resource "aws_vpc" "this" {
  cidr_block = local.vpc_cidr
}

resource "aws_subnet" "private" {
  for_each = { for i, az in local.azs : az => cidrsubnet(local.vpc_cidr, 4, i) }

  vpc_id            = aws_vpc.this.id
  availability_zone = each.key
  cidr_block        = each.value
}

module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 19.21"

  cluster_name    = local.name
  cluster_version = "1.29"

  cluster_endpoint_public_access       = true
  cluster_endpoint_public_access_cidrs = var.admin_cidrs

  vpc_id     = aws_vpc.this.id
  subnet_ids = [for s in aws_subnet.private : s.id]

  node_security_group_additional_rules = {
    ingress_self_all = {
      description = "Node to node all ports/protocols"
      protocol    = "-1"
      from_port   = 0
      to_port     = 0
      type        = "ingress"
      self        = true
    }
  }

  eks_managed_node_groups = {
    general = {
      instance_types = ["m6i.large"]
      min_size       = 1
      max_size       = 3
      desired_size   = 2
    }
  }
}

resource "aws_eks_addon" "coredns" {
  cluster_name = module.eks.cluster_name
  addon_name   = "coredns"
}

resource "helm_release" "lbc" {
  name       = "aws-load-balancer-controller"
  repository = "https://aws.github.io/eks-charts"
  chart      = "aws-load-balancer-controller"
  version    = "1.7.1"
  namespace  = "kube-system"

  set {
    name  = "clusterName"
    value = module.eks.cluster_name
  }
}
