terraform {
  required_providers {
    tencentcloud = {
      source  = "tencentcloudstack/tencentcloud"
      version = ">= 1.81.0"
    }
  }
}

provider "tencentcloud" {
  region = "ap-shanghai"
}

variable "vpc_cidr" {
  type    = string
  default = "10.50.0.0/16"
}

variable "container_cidr" {
  type    = string
  default = "172.25.0.0/16"
}

variable "office_cidr" {
  type    = string
  default = "198.51.100.0/24"
}

resource "tencentcloud_vpc" "main" {
  name       = "ledger-vpc"
  cidr_block = var.vpc_cidr
}

resource "tencentcloud_subnet" "nodes" {
  name              = "ledger-nodes"
  vpc_id            = tencentcloud_vpc.main.id
  availability_zone = "ap-shanghai-4"
  cidr_block        = cidrsubnet(var.vpc_cidr, 8, 1)
}

resource "tencentcloud_subnet" "lb" {
  name              = "ledger-lb"
  vpc_id            = tencentcloud_vpc.main.id
  availability_zone = "ap-shanghai-4"
  cidr_block        = cidrsubnet(var.vpc_cidr, 8, 2)
}

resource "tencentcloud_kubernetes_cluster" "ledger" {
  cluster_name                    = "ledger"
  cluster_version                 = "1.30.0"
  vpc_id                          = tencentcloud_vpc.main.id
  cluster_cidr                    = var.container_cidr
  service_cidr                    = "172.31.0.0/22"
  cluster_max_pod_num             = 64
  cluster_max_service_num         = 1024
  cluster_deploy_type             = "MANAGED_CLUSTER"
  cluster_internet                = true
  cluster_internet_security_group = tencentcloud_security_group.apiserver.id

  worker_config {
    count                      = 3
    availability_zone          = "ap-shanghai-4"
    instance_type              = "SA5.LARGE8"
    system_disk_type           = "CLOUD_BSSD"
    system_disk_size           = 50
    subnet_id                  = tencentcloud_subnet.nodes.id
    security_group_ids         = [tencentcloud_security_group.workers.id]
    instance_name              = "ledger-worker"
    internet_max_bandwidth_out = 0
  }
}

resource "tencentcloud_clb_instance" "ingress" {
  clb_name        = "ledger-ingress"
  network_type    = "OPEN"
  vpc_id          = tencentcloud_vpc.main.id
  security_groups = [tencentcloud_security_group.clb.id]
}
