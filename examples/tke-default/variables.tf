variable "region" {
  type    = string
  default = "ap-guangzhou"
}

variable "cluster_name" {
  type = string
}

variable "vpc_cidr" {
  description = "The cluster network: the VPC the nodes live in."
  type        = string
  default     = "10.0.0.0/16"
}

variable "node_subnet_cidr" {
  type    = string
  default = "10.0.1.0/24"
}

variable "cluster_cidr" {
  description = "The container network (global router): pod addresses, distinct from the VPC."
  type        = string
  default     = "172.16.0.0/16"
}

variable "service_cidr" {
  type    = string
  default = "172.17.0.0/22"
}

variable "worker_count" {
  type    = number
  default = 3
}

variable "hardened" {
  description = "Replace the console's default worker rules with the narrower ones that keep the cluster working."
  type        = bool
  default     = false
}

variable "admin_cidr" {
  description = "Where SSH to the nodes may come from once hardened (an office or a bastion's range)."
  type        = string
  default     = "203.0.113.0/24"
}
