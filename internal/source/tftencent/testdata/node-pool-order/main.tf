provider "tencentcloud" {
  region = "ap-beijing"
}

variable "vpc_cidr" {
  default = "10.6.0.0/16"
}

variable "cluster_cidr" {
  default = "172.18.0.0/16"
}

resource "tencentcloud_vpc" "main" {
  name       = "shop-vpc"
  cidr_block = var.vpc_cidr
}

resource "tencentcloud_subnet" "nodes" {
  name              = "shop-nodes"
  vpc_id            = tencentcloud_vpc.main.id
  availability_zone = "ap-beijing-5"
  cidr_block        = "10.6.1.0/24"
}

resource "tencentcloud_kubernetes_cluster" "shop" {
  cluster_name            = "shop"
  cluster_version         = "1.30.0"
  vpc_id                  = tencentcloud_vpc.main.id
  cluster_cidr            = var.cluster_cidr
  service_cidr            = "172.19.0.0/22"
  cluster_max_pod_num     = 64
  cluster_max_service_num = 1024
  container_runtime       = "containerd"
}

# Tencent matches a node's groups in binding order, rule by rule: the
# first rule of all of them that matches decides. "lockdown" goes first
# to drop SSH before "base" accepts it; "batch" binds them the other way
# round, so its nodes still take SSH from anywhere.
locals {
  pools = {
    apps  = [tencentcloud_security_group.lockdown.id, tencentcloud_security_group.base.id]
    batch = [tencentcloud_security_group.base.id, tencentcloud_security_group.lockdown.id]
  }
}

resource "tencentcloud_kubernetes_node_pool" "pool" {
  for_each = local.pools

  name              = each.key
  cluster_id        = tencentcloud_kubernetes_cluster.shop.id
  vpc_id            = tencentcloud_vpc.main.id
  subnet_ids        = [tencentcloud_subnet.nodes.id]
  max_size          = 6
  min_size          = 1
  desired_capacity  = 2
  enable_auto_scale = true

  auto_scaling_config {
    instance_type              = "SA5.LARGE8"
    system_disk_type           = "CLOUD_PREMIUM"
    system_disk_size           = 50
    orderly_security_group_ids = each.value
  }
}

resource "tencentcloud_clb_instance" "ingress" {
  clb_name        = "shop-ingress"
  network_type    = "INTERNAL"
  vpc_id          = tencentcloud_vpc.main.id
  subnet_id       = tencentcloud_subnet.nodes.id
  security_groups = [tencentcloud_security_group.clb.id]
}

# An older pool, from before orderly_security_group_ids: the provider
# keeps security_group_ids as a set, so the binding order is not the one
# written here.
resource "tencentcloud_kubernetes_node_pool" "legacy" {
  name             = "legacy"
  cluster_id       = tencentcloud_kubernetes_cluster.shop.id
  vpc_id           = tencentcloud_vpc.main.id
  subnet_ids       = [tencentcloud_subnet.nodes.id]
  max_size         = 2
  min_size         = 0
  desired_capacity = 1

  auto_scaling_config {
    instance_type      = "SA5.LARGE8"
    security_group_ids = [tencentcloud_security_group.lockdown.id, tencentcloud_security_group.base.id]
  }
}
