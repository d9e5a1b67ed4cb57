# A public virtual interface, with the public addresses of its BGP session
# and the prefixes it announces.

terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 6.0"
    }
  }
}

variable "endpoint" {
  description = "dxlab's URL, e.g. http://127.0.0.1:4580"
  type        = string
}

variable "environment" {
  type    = string
  default = "test"
}

provider "aws" {
  region     = "us-east-1"
  access_key = "111122223333"
  secret_key = "dxlab"

  endpoints {
    directconnect = var.endpoint
    ec2           = var.endpoint
    sts           = var.endpoint
  }
}

resource "aws_dx_connection" "port" {
  name      = "public-port"
  bandwidth = "1Gbps"
  location  = "CSVA1"
}

resource "aws_dx_public_virtual_interface" "internet" {
  connection_id    = aws_dx_connection.port.id
  name             = "public"
  vlan             = 200
  address_family   = "ipv4"
  bgp_asn          = 65352
  amazon_address   = "175.45.176.1/30"
  customer_address = "175.45.176.2/30"

  route_filter_prefixes = [
    "210.52.109.0/24",
    "175.45.176.0/22",
  ]

  tags = {
    Environment = var.environment
  }
}

resource "aws_dx_bgp_peer" "ipv6" {
  virtual_interface_id = aws_dx_public_virtual_interface.internet.id
  address_family       = "ipv6"
  bgp_asn              = 65352
}
