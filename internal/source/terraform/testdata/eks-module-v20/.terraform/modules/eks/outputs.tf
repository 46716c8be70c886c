output "cluster_name" {
  value = try(aws_eks_cluster.this[0].name, "")
}

output "cluster_primary_security_group_id" {
  value = try(aws_eks_cluster.this[0].vpc_config[0].cluster_security_group_id, null)
}

output "cluster_security_group_id" {
  value = try(aws_security_group.cluster[0].id, null)
}

output "node_security_group_id" {
  value = try(aws_security_group.node[0].id, null)
}

output "eks_managed_node_groups" {
  value = module.eks_managed_node_group
}
