cluster_name = "prod"
