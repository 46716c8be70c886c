variable "cluster_name" {
  type = string
}

variable "name" {
  type = string
}

variable "subnet_ids" {
  type = list(string)
}

variable "instance_types" {
  type = list(string)
}

variable "vpc_security_group_ids" {
  type = list(string)
}
