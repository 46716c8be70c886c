resource "tencentcloud_kubernetes_cluster" "this" {
  cluster_name            = var.cluster_name
  cluster_version         = "1.30.0"
  cluster_deploy_type     = "MANAGED_CLUSTER"
  network_type            = "GR"
  vpc_id                  = tencentcloud_vpc.main.id
  cluster_cidr            = var.cluster_cidr
  service_cidr            = var.service_cidr
  cluster_max_pod_num     = 64
  cluster_max_service_num = 1024
  container_runtime       = "containerd"

  worker_config {
    count                      = var.worker_count
    availability_zone          = "${var.region}-3"
    instance_type              = "SA5.LARGE8"
    instance_name              = "${var.cluster_name}-worker"
    subnet_id                  = tencentcloud_subnet.nodes.id
    system_disk_type           = "CLOUD_PREMIUM"
    system_disk_size           = 50
    internet_max_bandwidth_out = 0
    security_group_ids         = [tencentcloud_security_group.worker.id]
    key_ids                    = ["skey-3glfot13"]
  }
}

# The CLB the Ingress uses (kubernetes.io/ingress.existLbId). Its
# listeners forward to NodeIP:NodePort. With the client's address as
# source, unless the backends let the CLB's traffic through
# (load_balancer_pass_to_target): then only the health checks, from
# 100.64.0.0/10, need the node ports.
resource "tencentcloud_clb_instance" "ingress" {
  clb_name                     = "${var.cluster_name}-ingress"
  network_type                 = "OPEN"
  vpc_id                       = tencentcloud_vpc.main.id
  security_groups              = [tencentcloud_security_group.clb.id]
  load_balancer_pass_to_target = var.hardened
}
