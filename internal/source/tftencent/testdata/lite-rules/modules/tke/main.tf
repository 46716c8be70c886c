resource "tencentcloud_kubernetes_cluster" "this" {
  cluster_name            = var.cluster_name
  cluster_version         = var.cluster_version
  vpc_id                  = var.vpc_id
  cluster_cidr            = var.cluster_cidr
  cluster_max_pod_num     = 32
  cluster_max_service_num = 32
  cluster_deploy_type     = "MANAGED_CLUSTER"
  container_runtime       = "containerd"
}

# Endpoints after the nodes: TKE opens them only on a cluster with nodes.
resource "tencentcloud_kubernetes_cluster_endpoint" "this" {
  count                           = var.cluster_public_access || var.cluster_private_access ? 1 : 0
  cluster_id                      = tencentcloud_kubernetes_cluster.this.id
  cluster_internet                = var.cluster_public_access
  cluster_internet_security_group = var.cluster_public_access ? var.cluster_security_group_id : null
  cluster_intranet                = var.cluster_private_access
  cluster_intranet_subnet_id      = var.cluster_private_access ? var.cluster_private_access_subnet_id : null

  depends_on = [tencentcloud_kubernetes_node_pool.this]
}

resource "tencentcloud_kubernetes_node_pool" "this" {
  for_each = var.node_pools

  name                 = each.key
  cluster_id           = tencentcloud_kubernetes_cluster.this.id
  vpc_id               = var.vpc_id
  subnet_ids           = each.value.subnet_ids
  max_size             = 4
  min_size             = 1
  desired_capacity     = each.value.desired_capacity
  enable_auto_scale    = true
  retry_policy         = "INCREMENTAL_INTERVALS"
  delete_keep_instance = false

  auto_scaling_config {
    instance_type              = each.value.instance_type
    system_disk_type           = "CLOUD_PREMIUM"
    system_disk_size           = 50
    orderly_security_group_ids = each.value.security_group_ids
    internet_charge_type       = "TRAFFIC_POSTPAID_BY_HOUR"
    internet_max_bandwidth_out = 10
    public_ip_assigned         = true
  }
}
