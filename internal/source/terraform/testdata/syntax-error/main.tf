resource "aws_security_group" "broken" {
  name = "broken"

  ingress {
    from_port = 443
    to_port   = 443
    protocol  = "tcp"
    cidr_blocks = ["0.0.0.0/0"
  }
}
