# A transit gateway reached over a transit virtual interface through a
# Direct Connect gateway.

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

variable "allowed_prefixes" {
  type    = list(string)
  default = ["10.10.0.0/16"]
}

variable "mtu" {
  type    = number
  default = 1500
}

variable "sitelink_enabled" {
  type    = bool
  default = false
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

resource "aws_ec2_transit_gateway" "hub" {
  description     = "hub"
  amazon_side_asn = 64513

  tags = {
    Name        = "hub"
    Environment = var.environment
  }
}

resource "aws_dx_gateway" "transit" {
  name            = "transit"
  amazon_side_asn = 64514
}

resource "aws_dx_gateway_association" "hub" {
  dx_gateway_id         = aws_dx_gateway.transit.id
  associated_gateway_id = aws_ec2_transit_gateway.hub.id
  allowed_prefixes      = var.allowed_prefixes
}

resource "aws_dx_connection" "port" {
  name      = "transit-port"
  bandwidth = "10Gbps"
  location  = "EqDC2"
}

resource "aws_dx_transit_virtual_interface" "hub" {
  connection_id    = aws_dx_connection.port.id
  dx_gateway_id    = aws_dx_gateway.transit.id
  name             = "transit"
  vlan             = 300
  address_family   = "ipv4"
  bgp_asn          = 65100
  mtu              = var.mtu
  sitelink_enabled = var.sitelink_enabled

  tags = {
    Environment = var.environment
  }
}

output "transit_gateway_attachment_id" {
  value = aws_dx_gateway_association.hub.transit_gateway_attachment_id
}
