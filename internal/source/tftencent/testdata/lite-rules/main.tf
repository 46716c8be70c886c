terraform {
  required_providers {
    tencentcloud = {
      source  = "tencentcloudstack/tencentcloud"
      version = ">= 1.79.2"
    }
  }
}

provider "tencentcloud" {
  region = var.region
}

resource "tencentcloud_vpc" "this" {
  name       = "tke-test"
  cidr_block = "10.8.0.0/16"
}

resource "tencentcloud_subnet" "intranet" {
  name              = "tke-subnet"
  availability_zone = var.available_zone
  vpc_id            = tencentcloud_vpc.this.id
  cidr_block        = "10.8.1.0/24"
}

# One group for the nodes and the internet endpoint, as the module's
# examples do: everything from the office, then drop the rest.
resource "tencentcloud_security_group" "this" {
  name = "tke-security-group"
}

locals {
  # The cluster's own networks, which the DROP below also drops unless
  # they are accepted before it.
  cluster_networks = [
    "ACCEPT#${tencentcloud_vpc.this.cidr_block}#ALL#ALL",
    "ACCEPT#${var.cluster_cidr}#ALL#ALL",
  ]
}

resource "tencentcloud_security_group_lite_rule" "this" {
  security_group_id = tencentcloud_security_group.this.id

  ingress = concat(
    var.accept_cluster_networks ? local.cluster_networks : [],
    [
      "ACCEPT#${var.accept_ip}#ALL#ALL",
      "DROP#0.0.0.0/0#ALL#ALL",
    ],
  )

  egress = [
    "ACCEPT#0.0.0.0/0#ALL#ALL",
  ]
}

module "tencentcloud_tke" {
  source = "./modules/tke"

  cluster_name                     = "tke-test"
  cluster_cidr                     = var.cluster_cidr
  available_zone                   = var.available_zone
  vpc_id                           = tencentcloud_vpc.this.id
  cluster_public_access            = true
  cluster_private_access           = true
  cluster_security_group_id        = tencentcloud_security_group.this.id
  cluster_private_access_subnet_id = tencentcloud_subnet.intranet.id

  node_pools = {
    test = {
      subnet_ids         = [tencentcloud_subnet.intranet.id]
      instance_type      = "S5.MEDIUM2"
      security_group_ids = [tencentcloud_security_group.this.id]
      desired_capacity   = 2
    }
  }
}
