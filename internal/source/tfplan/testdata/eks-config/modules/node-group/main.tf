# An EKS managed node group with a custom launch template, in the style
# of terraform-aws-modules/eks//modules/eks-managed-node-group: the
# template's groups replace the cluster security group on the nodes.

resource "aws_launch_template" "this" {
  name_prefix            = "${var.name}-"
  vpc_security_group_ids = var.vpc_security_group_ids

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 2
  }
}

resource "aws_eks_node_group" "this" {
  cluster_name    = var.cluster_name
  node_group_name = var.name
  node_role_arn   = "arn:aws:iam::111122223333:role/demo-nodes"
  subnet_ids      = var.subnet_ids
  instance_types  = var.instance_types

  scaling_config {
    min_size     = 1
    max_size     = 3
    desired_size = 2
  }

  launch_template {
    id      = aws_launch_template.this.id
    version = aws_launch_template.this.latest_version
  }
}
