# A least-privilege EKS cluster written by hand, as a user following seed
# 000's level 1 would: nodes in their own group (through a launch
# template, so EKS does not add the cluster security group to them), only
# the ports the cluster needs, sources named by group. The variables turn
# on the mistakes the scenario's scripts check one at a time.

variable "public_access_cidrs" {
  description = "Who may use the public API endpoint"
  type        = list(string)
  default     = ["198.51.100.0/24"]
}

variable "endpoint_private_access" {
  description = "The API server has a private endpoint in the VPC"
  type        = bool
  default     = true
}

variable "node_https_egress" {
  description = "Nodes may reach AWS APIs and registries on tcp/443"
  type        = bool
  default     = true
}

variable "node_egress_all" {
  description = "Nodes may send anything anywhere (AWS's default egress)"
  type        = bool
  default     = false
}

variable "ssh_cidrs" {
  description = "IPv4 ranges SSH is open to"
  type        = list(string)
  default     = []
}

variable "ssh_ipv6_cidrs" {
  description = "IPv6 ranges SSH is open to"
  type        = list(string)
  default     = []
}

variable "control_plane_ephemeral" {
  description = "The legacy recommended control plane → nodes tcp/1025-65535"
  type        = bool
  default     = false
}

variable "webhook_ports_from_vpc" {
  description = "Webhook ports opened to the VPC's range instead of the cluster security group"
  type        = list(number)
  default     = []
}

variable "vpc_all_ports" {
  description = "Seed 000's pod-to-pod rule: every tcp port from the VPC's range"
  type        = bool
  default     = false
}

resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_subnet" "private" {
  count      = 2
  vpc_id     = aws_vpc.main.id
  cidr_block = cidrsubnet("10.0.0.0/16", 4, count.index)
}

resource "aws_eks_cluster" "levels" {
  name     = "levels"
  role_arn = "arn:aws:iam::111122223333:role/eks"

  vpc_config {
    subnet_ids              = aws_subnet.private[*].id
    endpoint_private_access = var.endpoint_private_access
    endpoint_public_access  = true
    public_access_cidrs     = var.public_access_cidrs
  }
}

locals {
  cluster_sg = aws_eks_cluster.levels.vpc_config[0].cluster_security_group_id
}

resource "aws_security_group" "node" {
  name        = "levels-node"
  description = "Nodes of levels"
  vpc_id      = aws_vpc.main.id

  tags = {
    "kubernetes.io/cluster/levels" = "owned"
  }
}

resource "aws_vpc_security_group_ingress_rule" "cluster_from_node" {
  security_group_id            = local.cluster_sg
  referenced_security_group_id = aws_security_group.node.id
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  description                  = "Nodes to the API server"
}

resource "aws_vpc_security_group_ingress_rule" "node_kubelet" {
  security_group_id            = aws_security_group.node.id
  referenced_security_group_id = local.cluster_sg
  ip_protocol                  = "tcp"
  from_port                    = 10250
  to_port                      = 10250
  description                  = "Control plane to kubelet"
}

resource "aws_vpc_security_group_ingress_rule" "node_dns_udp" {
  security_group_id            = aws_security_group.node.id
  referenced_security_group_id = aws_security_group.node.id
  ip_protocol                  = "udp"
  from_port                    = 53
  to_port                      = 53
  description                  = "CoreDNS over UDP"
}

resource "aws_vpc_security_group_ingress_rule" "node_dns_tcp" {
  security_group_id            = aws_security_group.node.id
  referenced_security_group_id = aws_security_group.node.id
  ip_protocol                  = "tcp"
  from_port                    = 53
  to_port                      = 53
  description                  = "CoreDNS over TCP"
}

resource "aws_vpc_security_group_ingress_rule" "node_ephemeral" {
  security_group_id            = aws_security_group.node.id
  referenced_security_group_id = aws_security_group.node.id
  ip_protocol                  = "tcp"
  from_port                    = 1025
  to_port                      = 65535
  description                  = "Node to node and pod to pod"
}

resource "aws_vpc_security_group_ingress_rule" "node_from_alb" {
  security_group_id            = aws_security_group.node.id
  referenced_security_group_id = aws_security_group.alb.id
  ip_protocol                  = "tcp"
  from_port                    = 30000
  to_port                      = 32767
  description                  = "ALB to NodePorts"
}

resource "aws_vpc_security_group_ingress_rule" "node_from_cp_ephemeral" {
  count                        = var.control_plane_ephemeral ? 1 : 0
  security_group_id            = aws_security_group.node.id
  referenced_security_group_id = local.cluster_sg
  ip_protocol                  = "tcp"
  from_port                    = 1025
  to_port                      = 65535
  description                  = "Control plane to nodes (legacy recommended)"
}

resource "aws_vpc_security_group_ingress_rule" "node_webhook_vpc" {
  for_each          = toset([for p in var.webhook_ports_from_vpc : tostring(p)])
  security_group_id = aws_security_group.node.id
  cidr_ipv4         = aws_vpc.main.cidr_block
  ip_protocol       = "tcp"
  from_port         = tonumber(each.key)
  to_port           = tonumber(each.key)
  description       = "Webhook ${each.key} from the VPC"
}

resource "aws_vpc_security_group_ingress_rule" "node_vpc_all" {
  count             = var.vpc_all_ports ? 1 : 0
  security_group_id = aws_security_group.node.id
  cidr_ipv4         = aws_vpc.main.cidr_block
  ip_protocol       = "tcp"
  from_port         = 0
  to_port           = 65535
  description       = "Pod to Pod communication within VPC"
}

resource "aws_vpc_security_group_ingress_rule" "node_ssh" {
  for_each          = toset(var.ssh_cidrs)
  security_group_id = aws_security_group.node.id
  cidr_ipv4         = each.key
  ip_protocol       = "tcp"
  from_port         = 22
  to_port           = 22
  description       = "SSH"
}

resource "aws_vpc_security_group_ingress_rule" "node_ssh_ipv6" {
  for_each          = toset(var.ssh_ipv6_cidrs)
  security_group_id = aws_security_group.node.id
  cidr_ipv6         = each.key
  ip_protocol       = "tcp"
  from_port         = 22
  to_port           = 22
  description       = "SSH over IPv6"
}

resource "aws_vpc_security_group_egress_rule" "node_https" {
  count             = var.node_https_egress ? 1 : 0
  security_group_id = aws_security_group.node.id
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  description       = "AWS APIs and registries"
}

resource "aws_vpc_security_group_egress_rule" "node_all" {
  count             = var.node_egress_all ? 1 : 0
  security_group_id = aws_security_group.node.id
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "-1"
  description       = "Anything anywhere"
}

resource "aws_vpc_security_group_egress_rule" "node_to_node" {
  security_group_id            = aws_security_group.node.id
  referenced_security_group_id = aws_security_group.node.id
  ip_protocol                  = "-1"
  description                  = "Node to node"
}

resource "aws_vpc_security_group_egress_rule" "node_to_api" {
  security_group_id            = aws_security_group.node.id
  referenced_security_group_id = local.cluster_sg
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  description                  = "Nodes to the API server"
}

resource "aws_security_group" "alb" {
  name        = "levels-alb"
  description = "Public ALB of levels"
  vpc_id      = aws_vpc.main.id

  ingress {
    description = "HTTPS from anywhere"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  egress {
    description     = "To the NodePorts"
    from_port       = 30000
    to_port         = 32767
    protocol        = "tcp"
    security_groups = [aws_security_group.node.id]
  }
}

resource "aws_lb" "public" {
  name               = "levels-public"
  load_balancer_type = "application"
  security_groups    = [aws_security_group.alb.id]
  subnets            = aws_subnet.private[*].id
}

resource "aws_launch_template" "node" {
  name_prefix            = "levels-node-"
  vpc_security_group_ids = [aws_security_group.node.id]
}

resource "aws_eks_node_group" "general" {
  cluster_name    = aws_eks_cluster.levels.name
  node_group_name = "general"
  node_role_arn   = "arn:aws:iam::111122223333:role/nodes"
  subnet_ids      = aws_subnet.private[*].id

  scaling_config {
    desired_size = 2
    max_size     = 3
    min_size     = 1
  }

  launch_template {
    id      = aws_launch_template.node.id
    version = aws_launch_template.node.latest_version
  }
}
