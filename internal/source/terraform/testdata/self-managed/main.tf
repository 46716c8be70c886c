# Self-managed nodes: Auto Scaling groups with launch templates, tied to
# the cluster by the kubernetes.io/cluster/<name> tag. The worker group's
# rules are aws_vpc_security_group_*_rule resources.

variable "name" {
  default = "batch"
}

variable "asg_tags" {
  type = map(string)
  default = {
    team = "data"
  }
}

resource "aws_vpc" "main" {
  cidr_block = "10.30.0.0/16"
}

resource "aws_subnet" "nodes" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.30.1.0/24"
}

resource "aws_eks_cluster" "batch" {
  name     = var.name
  role_arn = "arn:aws:iam::111122223333:role/eks"

  vpc_config {
    subnet_ids             = [aws_subnet.nodes.id]
    endpoint_public_access = false
  }
}

resource "aws_security_group" "workers" {
  name   = "${var.name}-workers"
  vpc_id = aws_vpc.main.id
}

resource "aws_vpc_security_group_ingress_rule" "workers_from_cluster" {
  security_group_id            = aws_security_group.workers.id
  referenced_security_group_id = aws_eks_cluster.batch.vpc_config[0].cluster_security_group_id
  ip_protocol                  = "tcp"
  from_port                    = 10250
  to_port                      = 10250
  description                  = "kubelet"
}

resource "aws_vpc_security_group_ingress_rule" "workers_self" {
  security_group_id            = aws_security_group.workers.id
  referenced_security_group_id = aws_security_group.workers.id
  ip_protocol                  = "-1"
}

resource "aws_vpc_security_group_egress_rule" "workers_all" {
  security_group_id = aws_security_group.workers.id
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "-1"
}

resource "aws_vpc_security_group_ingress_rule" "cluster_from_workers" {
  security_group_id            = aws_eks_cluster.batch.vpc_config[0].cluster_security_group_id
  referenced_security_group_id = aws_security_group.workers.id
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
}

resource "aws_launch_template" "workers" {
  name_prefix   = "${var.name}-workers-"
  image_id      = "ami-0123456789abcdef0"
  instance_type = "m6i.large"

  network_interfaces {
    device_index                = 0
    associate_public_ip_address = false
    security_groups             = [aws_security_group.workers.id]
  }
}

resource "aws_autoscaling_group" "workers" {
  name                = "${var.name}-workers"
  min_size            = 1
  max_size            = 5
  vpc_zone_identifier = [aws_subnet.nodes.id]

  launch_template {
    id      = aws_launch_template.workers.id
    version = "$Latest"
  }

  tag {
    key                 = "kubernetes.io/cluster/${var.name}"
    value               = "owned"
    propagate_at_launch = true
  }
}

resource "aws_launch_template" "spot" {
  name                   = "${var.name}-spot"
  vpc_security_group_ids = [aws_security_group.workers.id, aws_eks_cluster.batch.vpc_config[0].cluster_security_group_id]
}

resource "aws_autoscaling_group" "spot" {
  name_prefix         = "${var.name}-spot-"
  min_size            = 0
  max_size            = 10
  vpc_zone_identifier = [aws_subnet.nodes.id]

  mixed_instances_policy {
    launch_template {
      launch_template_specification {
        launch_template_name = aws_launch_template.spot.name
        version              = "$Latest"
      }
      override {
        instance_type = "m6i.large"
      }
    }
  }

  dynamic "tag" {
    for_each = var.asg_tags
    content {
      key                 = tag.key
      value               = tag.value
      propagate_at_launch = true
    }
  }
}
