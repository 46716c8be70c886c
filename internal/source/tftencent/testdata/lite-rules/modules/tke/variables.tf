variable "cluster_name" {
  type = string
}

variable "cluster_version" {
  type    = string
  default = "1.30.0"
}

variable "cluster_cidr" {
  type = string
}

variable "available_zone" {
  type = string
}

variable "vpc_id" {
  type = string
}

variable "cluster_public_access" {
  type    = bool
  default = false
}

variable "cluster_private_access" {
  type    = bool
  default = false
}

variable "cluster_security_group_id" {
  type    = string
  default = null
}

variable "cluster_private_access_subnet_id" {
  type    = string
  default = null
}

variable "node_pools" {
  type = map(object({
    subnet_ids         = list(string)
    instance_type      = string
    security_group_ids = list(string)
    desired_capacity   = number
  }))
  default = {}
}
