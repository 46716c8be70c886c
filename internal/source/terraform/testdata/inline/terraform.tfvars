cluster_name = "shop"
