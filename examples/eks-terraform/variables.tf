variable "region" {
  type    = string
  default = "eu-central-1"
}

variable "cluster_name" {
  type    = string
  default = "payments"
}

variable "kubernetes_version" {
  type    = string
  default = "1.30"
}

variable "vpc_cidr" {
  type    = string
  default = "10.50.0.0/16"
}

variable "azs" {
  type    = list(string)
  default = ["eu-central-1a", "eu-central-1b", "eu-central-1c"]
}

variable "admin_cidrs" {
  description = "Networks that may use the public API endpoint (the VPN egress)"
  type        = list(string)
  default     = ["198.51.100.0/24"]
}

variable "node_groups" {
  description = "Managed node groups"
  type = map(object({
    instance_types = list(string)
    min_size       = optional(number, 1)
    max_size       = optional(number, 3)
  }))
  default = {
    general = { instance_types = ["m6i.large"] }
    batch   = { instance_types = ["c6i.xlarge"], max_size = 6 }
  }
}

variable "webhook_ports" {
  description = "Ports the control plane calls admission webhooks on"
  type        = list(number)
  default     = [8443, 9443]
}
