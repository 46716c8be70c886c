# Inline rules and a separate aws_security_group_rule on the same group:
# Terraform removes the separate rule on the next apply of the group.

resource "aws_security_group" "web" {
  name   = "web"
  vpc_id = "vpc-0123456789abcdef0"

  ingress {
    from_port   = 80
    to_port     = 80
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_security_group_rule" "web_https" {
  type              = "ingress"
  security_group_id = aws_security_group.web.id
  from_port         = 443
  to_port           = 443
  protocol          = "tcp"
  cidr_blocks       = ["0.0.0.0/0"]
}

resource "aws_security_group_rule" "to_existing" {
  type                     = "egress"
  security_group_id        = aws_security_group.web.id
  source_security_group_id = "sg-0aaaaaaaaaaaaaaaa"
  from_port                = 5432
  to_port                  = 5432
  protocol                 = "6"
}
