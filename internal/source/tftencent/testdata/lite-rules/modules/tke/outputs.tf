output "cluster_id" {
  value = tencentcloud_kubernetes_cluster.this.id
}
