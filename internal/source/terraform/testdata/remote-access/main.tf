# A managed node group with SSH remote access and no source security
# groups: EKS opens tcp/22 from 0.0.0.0/0 on a group it creates.

resource "aws_eks_cluster" "ops" {
  name     = "ops"
  role_arn = "arn:aws:iam::111122223333:role/eks"

  vpc_config {
    subnet_ids = ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"]
  }
}

resource "aws_eks_node_group" "ssh" {
  cluster_name    = aws_eks_cluster.ops.name
  node_group_name = "ssh"
  node_role_arn   = "arn:aws:iam::111122223333:role/nodes"
  subnet_ids      = ["subnet-0123456789abcdef0"]

  scaling_config {
    desired_size = 1
    max_size     = 1
    min_size     = 1
  }

  remote_access {
    ec2_ssh_key = "ops"
  }
}
