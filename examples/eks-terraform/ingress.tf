# An internet-facing ALB that the AWS Load Balancer Controller uses
# through a TargetGroupBinding.

resource "aws_security_group" "alb" {
  name        = "${var.cluster_name}-alb"
  description = "Public ALB of ${var.cluster_name}"
  vpc_id      = aws_vpc.this.id

  ingress {
    description      = "HTTPS from anywhere"
    from_port        = 443
    to_port          = 443
    protocol         = "tcp"
    cidr_blocks      = ["0.0.0.0/0"]
    ipv6_cidr_blocks = ["::/0"]
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
  name               = "${var.cluster_name}-public"
  load_balancer_type = "application"
  security_groups    = [aws_security_group.alb.id]
  subnets            = [for s in aws_subnet.public : s.id]
}

resource "helm_release" "aws_load_balancer_controller" {
  name       = "aws-load-balancer-controller"
  namespace  = "kube-system"
  repository = "https://aws.github.io/eks-charts"
  chart      = "aws-load-balancer-controller"
  version    = "1.8.1"

  set {
    name  = "clusterName"
    value = aws_eks_cluster.this.name
  }
}
