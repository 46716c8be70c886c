cluster_name = "payments"
