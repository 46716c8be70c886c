provider "tencentcloud" {
  region = "ap-nanjing"
}

variable "vpc_cidr" {
  default = "10.60.0.0/16"
}

variable "container_cidr" {
  default = "172.27.0.0/16"
}

resource "tencentcloud_vpc" "main" {
  name       = "factory-vpc"
  cidr_block = var.vpc_cidr
}

resource "tencentcloud_subnet" "masters" {
  name              = "factory-masters"
  vpc_id            = tencentcloud_vpc.main.id
  availability_zone = "ap-nanjing-1"
  cidr_block        = "10.60.0.0/24"
}

resource "tencentcloud_subnet" "workers" {
  name              = "factory-workers"
  vpc_id            = tencentcloud_vpc.main.id
  availability_zone = "ap-nanjing-1"
  cidr_block        = "10.60.4.0/22"
}

resource "tencentcloud_kubernetes_cluster" "factory" {
  cluster_name        = "factory"
  cluster_version     = "1.28.3"
  cluster_deploy_type = "INDEPENDENT_CLUSTER"
  vpc_id              = tencentcloud_vpc.main.id
  cluster_cidr        = var.container_cidr
  service_cidr        = "172.28.0.0/22"

  master_config {
    count              = 3
    availability_zone  = "ap-nanjing-1"
    instance_type      = "SA5.LARGE8"
    subnet_id          = tencentcloud_subnet.masters.id
    security_group_ids = [tencentcloud_security_group.masters.id]
    instance_name      = "factory-master"
  }

  worker_config {
    count              = 4
    availability_zone  = "ap-nanjing-1"
    instance_type      = "SA5.2XLARGE16"
    subnet_id          = tencentcloud_subnet.workers.id
    security_group_ids = [tencentcloud_security_group.workers.id]
    instance_name      = "factory-worker"
  }
}
