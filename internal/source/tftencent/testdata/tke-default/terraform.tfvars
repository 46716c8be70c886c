cluster_name = "prod"
worker_count = 3
