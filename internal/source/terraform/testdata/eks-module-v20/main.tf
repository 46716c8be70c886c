# A platform team's cluster on terraform-aws-modules/eks 20.x, as
# `terraform init` leaves it (.terraform/modules). The team turned the
# module's recommended node rules off ("we only want what we need") and
# added their own; the "system" node group also gets the EKS cluster
# security group.

terraform {
  required_version = ">= 1.5"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.40"
    }
  }
}

locals {
  name     = "platform"
  vpc_cidr = "10.80.0.0/16"
  azs      = ["ap-northeast-1a", "ap-northeast-1c", "ap-northeast-1d"]

  tags = {
    Team        = "platform"
    Environment = var.environment
  }
}

variable "environment" {
  type    = string
  default = "staging"
}

variable "vpn_cidr" {
  description = "The corporate VPN, which reaches the private API endpoint"
  type        = string
  default     = "10.99.0.0/16"
}

resource "aws_vpc" "this" {
  cidr_block           = local.vpc_cidr
  enable_dns_hostnames = true
  tags                 = merge(local.tags, { Name = local.name })
}

resource "aws_subnet" "private" {
  count = length(local.azs)

  vpc_id            = aws_vpc.this.id
  availability_zone = local.azs[count.index]
  cidr_block        = cidrsubnet(local.vpc_cidr, 4, count.index)

  tags = {
    "kubernetes.io/role/internal-elb" = 1
  }
}

resource "aws_security_group" "bastion" {
  name        = "${local.name}-bastion"
  description = "kubectl bastion"
  vpc_id      = aws_vpc.this.id

  egress {
    description = "anywhere"
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 20.0"

  cluster_name    = local.name
  cluster_version = "1.31"

  cluster_endpoint_public_access = false

  vpc_id     = aws_vpc.this.id
  subnet_ids = aws_subnet.private[*].id

  node_security_group_enable_recommended_rules = false

  cluster_security_group_additional_rules = {
    ingress_bastion = {
      description              = "kubectl from the bastion"
      protocol                 = "tcp"
      from_port                = 443
      to_port                  = 443
      type                     = "ingress"
      source_security_group_id = aws_security_group.bastion.id
    }
    ingress_vpn = {
      description = "kubectl over the VPN"
      protocol    = "tcp"
      from_port   = 443
      to_port     = 443
      type        = "ingress"
      cidr_blocks = [var.vpn_cidr]
    }
  }

  node_security_group_additional_rules = {
    ingress_self_all = {
      description = "Node to node all ports/protocols"
      protocol    = "-1"
      from_port   = 0
      to_port     = 0
      type        = "ingress"
      self        = true
    }
    ingress_cluster_9443 = {
      description                   = "Cluster API to LBC webhook"
      protocol                      = "tcp"
      from_port                     = 9443
      to_port                       = 9443
      type                          = "ingress"
      source_cluster_security_group = true
    }
  }

  eks_managed_node_group_defaults = {
    instance_types = ["m6i.large", "m5.large"]
  }

  eks_managed_node_groups = {
    general = {
      min_size     = 2
      max_size     = 10
      desired_size = 3
    }
    system = {
      instance_types                        = ["t3.large"]
      attach_cluster_primary_security_group = true
      min_size                              = 1
      max_size                              = 2
      desired_size                          = 2
    }
  }

  tags = local.tags
}
