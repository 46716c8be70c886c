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
  default = ""
}

variable "cluster_version" {
  type    = string
  default = null
}

variable "iam_role_arn" {
  type    = string
  default = null
}

variable "cluster_endpoint_private_access" {
  type    = bool
  default = true
}

variable "cluster_endpoint_public_access" {
  type    = bool
  default = false
}

variable "cluster_endpoint_public_access_cidrs" {
  type    = list(string)
  default = ["0.0.0.0/0"]
}

variable "cluster_ip_family" {
  type    = string
  default = null
}

variable "cluster_service_ipv4_cidr" {
  type    = string
  default = null
}

variable "vpc_id" {
  type    = string
  default = null
}

variable "subnet_ids" {
  type    = list(string)
  default = []
}

variable "cluster_additional_security_group_ids" {
  type    = list(string)
  default = []
}

variable "create_cluster_security_group" {
  type    = bool
  default = true
}

variable "cluster_security_group_id" {
  type    = string
  default = ""
}

variable "cluster_security_group_name" {
  type    = string
  default = null
}

variable "cluster_security_group_use_name_prefix" {
  type    = bool
  default = true
}

variable "cluster_security_group_description" {
  type    = string
  default = "EKS cluster security group"
}

variable "cluster_security_group_additional_rules" {
  type    = any
  default = {}
}

variable "create_node_security_group" {
  type    = bool
  default = true
}

variable "node_security_group_id" {
  type    = string
  default = ""
}

variable "node_security_group_name" {
  type    = string
  default = null
}

variable "node_security_group_use_name_prefix" {
  type    = bool
  default = true
}

variable "node_security_group_additional_rules" {
  type    = any
  default = {}
}

variable "node_security_group_enable_recommended_rules" {
  type    = bool
  default = true
}

variable "prefix_separator" {
  type    = string
  default = "-"
}

variable "eks_managed_node_groups" {
  type    = any
  default = {}
}

variable "eks_managed_node_group_defaults" {
  type    = any
  default = {}
}

variable "control_plane_subnet_ids" {
  type    = list(string)
  default = []
}

variable "authentication_mode" {
  type    = string
  default = "API_AND_CONFIG_MAP"
}

variable "create_outposts_local_cluster" {
  type    = bool
  default = false
}

variable "dataplane_wait_duration" {
  type    = string
  default = "30s"
}

variable "node_security_group_tags" {
  type    = map(string)
  default = {}
}

variable "enable_efa_support" {
  type    = bool
  default = false
}
