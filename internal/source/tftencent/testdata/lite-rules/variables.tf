variable "region" {
  default = "ap-guangzhou"
}

variable "available_zone" {
  default = "ap-guangzhou-3"
}

variable "accept_ip" {
  description = "The office range that may reach the nodes and the API server."
  default     = "203.0.113.0/24"
}

variable "cluster_cidr" {
  default = "172.20.0.0/16"
}

variable "accept_cluster_networks" {
  description = "Accept the VPC and the container network before the final DROP."
  type        = bool
  default     = false
}
