api_allowed_cidrs  = ["198.51.100.0/24", "81.2.69.160/27"]
enable_lbc_webhook = true
office_cidrs       = ["81.2.69.192/28"]
