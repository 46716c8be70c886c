# The configuration that eks-plan/plan.json and eks-state/state.json were
# made from: `terraform plan -out plan && terraform show -json plan | jq .`,
# then `terraform apply plan && terraform show -json | jq .`. It follows
# terraform-aws-modules/eks: a cluster module with a cluster and a node
# security group, rules made with for_each, and a node group module
# called with for_each. TestSameModelAsHCL reads it as HCL and checks that
# the plan gives the same model.

provider "aws" {
  region = "eu-west-1"
}

locals {
  vpc_cidr = "10.0.0.0/16"
  azs      = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
}

resource "aws_vpc" "this" {
  cidr_block = local.vpc_cidr

  tags = {
    Name = "demo"
  }
}

resource "aws_subnet" "private" {
  for_each = { for i, az in local.azs : az => cidrsubnet(local.vpc_cidr, 4, i) }

  vpc_id            = aws_vpc.this.id
  availability_zone = each.key
  cidr_block        = each.value
}

module "eks" {
  source = "./modules/eks"

  cluster_name = "demo"
  vpc_id       = aws_vpc.this.id
  subnet_ids   = [for s in aws_subnet.private : s.id]
  api_cidrs    = ["81.2.69.160/27"]

  node_groups = {
    general = {
      instance_types = ["m6i.large"]
    }
    system = {
      instance_types = ["t3.large"]
    }
  }
}
