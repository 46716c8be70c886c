resource "tencentcloud_vpc" "main" {
  name       = "${var.cluster_name}-vpc"
  cidr_block = var.vpc_cidr
}

resource "tencentcloud_subnet" "nodes" {
  name              = "${var.cluster_name}-nodes"
  vpc_id            = tencentcloud_vpc.main.id
  availability_zone = "${var.region}-3"
  cidr_block        = var.node_subnet_cidr
}
