variable "cluster_name" {
  type = string
}

variable "environment" {
  type    = string
  default = "prod"
}

variable "vpc_cidr" {
  type    = string
  default = "10.20.0.0/16"
}

variable "az_count" {
  type    = number
  default = 2
}

variable "kubelet_ports" {
  type    = list(number)
  default = [10250]
}

variable "enable_ssh" {
  type    = bool
  default = false
}
