# A cluster from 2021, its worker rules still one resource each.

provider "tencentcloud" {
  region = "ap-chengdu"
}

variable "vpc_cidr" {
  default = "10.9.0.0/16"
}

variable "cluster_cidr" {
  default = "172.24.0.0/16"
}

resource "tencentcloud_vpc" "main" {
  name       = "billing"
  cidr_block = var.vpc_cidr
}

resource "tencentcloud_subnet" "nodes" {
  name              = "billing-nodes"
  vpc_id            = tencentcloud_vpc.main.id
  availability_zone = "ap-chengdu-1"
  cidr_block        = "10.9.4.0/22"
}

resource "tencentcloud_kubernetes_cluster" "billing" {
  cluster_name    = "billing"
  cluster_version = "1.26.1"
  vpc_id          = tencentcloud_vpc.main.id
  cluster_cidr    = var.cluster_cidr
  service_cidr    = "172.25.0.0/22"

  worker_config {
    count              = 3
    availability_zone  = "ap-chengdu-1"
    instance_type      = "S5.LARGE8"
    subnet_id          = tencentcloud_subnet.nodes.id
    security_group_ids = [tencentcloud_security_group.workers.id]
  }
}
