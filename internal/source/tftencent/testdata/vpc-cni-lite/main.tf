provider "tencentcloud" {
  region = "ap-chengdu"
}

locals {
  vpc_cidr  = "10.40.0.0/16"
  node_cidr = "10.40.1.0/24"
  eni_cidrs = { a = "10.40.32.0/20", b = "10.40.48.0/20" }
}

resource "tencentcloud_vpc" "main" {
  name       = "stream-vpc"
  cidr_block = local.vpc_cidr
}

resource "tencentcloud_subnet" "nodes" {
  name              = "stream-nodes"
  vpc_id            = tencentcloud_vpc.main.id
  availability_zone = "ap-chengdu-1"
  cidr_block        = local.node_cidr
}

resource "tencentcloud_subnet" "eni" {
  for_each          = local.eni_cidrs
  name              = "stream-pods-${each.key}"
  vpc_id            = tencentcloud_vpc.main.id
  availability_zone = "ap-chengdu-1"
  cidr_block        = each.value
}

resource "tencentcloud_kubernetes_cluster" "stream" {
  cluster_name            = "stream"
  cluster_version         = "1.30.0"
  vpc_id                  = tencentcloud_vpc.main.id
  network_type            = "VPC-CNI"
  vpc_cni_type            = "tke-route-eni"
  eni_subnet_ids          = [for s in tencentcloud_subnet.eni : s.id]
  service_cidr            = "192.168.0.0/22"
  cluster_max_service_num = 1024
}

resource "tencentcloud_kubernetes_node_pool" "general" {
  name             = "general"
  cluster_id       = tencentcloud_kubernetes_cluster.stream.id
  vpc_id           = tencentcloud_vpc.main.id
  subnet_ids       = [tencentcloud_subnet.nodes.id]
  max_size         = 10
  min_size         = 2
  desired_capacity = 3

  auto_scaling_config {
    instance_type              = "SA5.LARGE8"
    orderly_security_group_ids = [tencentcloud_security_group.workers.id]
  }
}
