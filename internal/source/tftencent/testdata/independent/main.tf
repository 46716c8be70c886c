terraform {
  required_providers {
    tencentcloud = {
      source = "tencentcloudstack/tencentcloud"
    }
  }
}

provider "tencentcloud" {
  region = "ap-shanghai"
}

locals {
  name         = "selfhosted"
  vpc_cidr     = "10.3.0.0/16"
  cluster_cidr = "172.22.0.0/16"
  office_cidr  = "203.0.113.0/24"
}

resource "tencentcloud_vpc" "main" {
  name       = "${local.name}-vpc"
  cidr_block = local.vpc_cidr
}

resource "tencentcloud_subnet" "this" {
  for_each = {
    masters = "10.3.0.0/24"
    workers = "10.3.1.0/24"
  }
  name              = "${local.name}-${each.key}"
  vpc_id            = tencentcloud_vpc.main.id
  availability_zone = "ap-shanghai-2"
  cidr_block        = each.value
}

resource "tencentcloud_kubernetes_cluster" "this" {
  cluster_name                    = local.name
  cluster_version                 = "1.28.3"
  cluster_deploy_type             = "INDEPENDENT_CLUSTER"
  vpc_id                          = tencentcloud_vpc.main.id
  cluster_cidr                    = local.cluster_cidr
  service_cidr                    = "172.23.0.0/20"
  cluster_max_pod_num             = 64
  cluster_internet                = true
  cluster_internet_security_group = tencentcloud_security_group.apiserver.id

  master_config {
    count             = 3
    availability_zone = "ap-shanghai-2"
    instance_type     = "SA5.LARGE16"
    instance_name     = "${local.name}-master"
    subnet_id         = tencentcloud_subnet.this["masters"].id
    security_group_ids = [
      tencentcloud_security_group.master.id,
    ]
  }

  worker_config {
    count              = 2
    availability_zone  = "ap-shanghai-2"
    instance_type      = "SA5.LARGE8"
    instance_name      = "${local.name}-worker"
    subnet_id          = tencentcloud_subnet.this["workers"].id
    security_group_ids = [tencentcloud_security_group.worker.id]
  }
}
