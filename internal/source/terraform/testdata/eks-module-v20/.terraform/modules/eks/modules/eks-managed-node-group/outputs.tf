output "node_group_id" {
  value = try(aws_eks_node_group.this[0].id, "")
}

output "launch_template_id" {
  value = try(aws_launch_template.this[0].id, null)
}
