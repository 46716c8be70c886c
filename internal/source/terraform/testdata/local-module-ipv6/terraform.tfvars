create_cluster = true
