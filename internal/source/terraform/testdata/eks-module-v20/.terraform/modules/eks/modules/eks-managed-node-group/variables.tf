variable "create" {
  type    = bool
  default = true
}

variable "tags" {
  type    = map(string)
  default = {}
}

variable "cluster_name" {
  type    = string
  default = null
}

variable "name" {
  type    = string
  default = ""
}

variable "use_name_prefix" {
  type    = bool
  default = true
}

variable "iam_role_arn" {
  type    = string
  default = null
}

variable "subnet_ids" {
  type    = list(string)
  default = null
}

variable "min_size" {
  type    = number
  default = 0
}

variable "max_size" {
  type    = number
  default = 3
}

variable "desired_size" {
  type    = number
  default = 1
}

variable "instance_types" {
  type    = list(string)
  default = null
}

variable "remote_access" {
  type    = any
  default = {}
}

variable "use_custom_launch_template" {
  type    = bool
  default = true
}

variable "vpc_security_group_ids" {
  type    = list(string)
  default = []
}

variable "cluster_primary_security_group_id" {
  type    = string
  default = null
}

variable "cluster_version" {
  type    = string
  default = null
}

variable "cluster_ip_family" {
  type    = string
  default = "ipv4"
}

variable "capacity_type" {
  type    = string
  default = "ON_DEMAND"
}

variable "create_launch_template" {
  type    = bool
  default = true
}

variable "launch_template_id" {
  type    = string
  default = ""
}

variable "launch_template_name" {
  type    = string
  default = null
}

variable "launch_template_use_name_prefix" {
  type    = bool
  default = true
}

variable "launch_template_description" {
  type    = string
  default = null
}

variable "launch_template_version" {
  type    = string
  default = null
}

variable "update_launch_template_default_version" {
  type    = bool
  default = true
}

variable "network_interfaces" {
  type    = list(any)
  default = []
}
