# Hosted virtual interfaces, two accounts: the owner of a connection (a
# partner) allocates a private, a public and a transit virtual interface to
# a customer, who accepts each onto its own gateways.

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
  alias      = "partner"
  region     = "us-east-1"
  access_key = "111111111111"
  secret_key = "partner-secret"

  endpoints {
    directconnect = var.endpoint
    ec2           = var.endpoint
    sts           = var.endpoint
  }
}

provider "aws" {
  alias      = "customer"
  region     = "us-east-1"
  access_key = "222222222222"
  secret_key = "customer-secret"

  endpoints {
    directconnect = var.endpoint
    ec2           = var.endpoint
    sts           = var.endpoint
  }
}

data "aws_caller_identity" "customer" {
  provider = aws.customer
}

# Partner: the connection the interfaces ride.
resource "aws_dx_connection" "port" {
  provider = aws.partner

  name      = "partner-port"
  bandwidth = "10Gbps"
  location  = "EqDC2"
}

# Customer: the gateways the interfaces land on.
resource "aws_dx_gateway" "private" {
  provider = aws.customer

  name            = "customer-private"
  amazon_side_asn = 64700
}

resource "aws_dx_gateway" "transit" {
  provider = aws.customer

  name            = "customer-transit"
  amazon_side_asn = 64701
}

resource "aws_vpn_gateway" "customer" {
  provider = aws.customer

  tags = {
    Name = "customer"
  }
}

# A private interface accepted onto a Direct Connect gateway...
resource "aws_dx_hosted_private_virtual_interface" "to_gateway" {
  provider = aws.partner

  connection_id    = aws_dx_connection.port.id
  owner_account_id = data.aws_caller_identity.customer.account_id
  name             = "private-to-gateway"
  vlan             = 400
  address_family   = "ipv4"
  bgp_asn          = 65400
  mtu              = 9001

  # The interface goes before the gateway it is attached to.
  depends_on = [aws_dx_gateway.private]
}

resource "aws_dx_hosted_private_virtual_interface_accepter" "to_gateway" {
  provider = aws.customer

  virtual_interface_id = aws_dx_hosted_private_virtual_interface.to_gateway.id
  dx_gateway_id        = aws_dx_gateway.private.id

  tags = {
    Environment = var.environment
  }
}

# ... and one onto a virtual private gateway.
resource "aws_dx_hosted_private_virtual_interface" "to_vgw" {
  provider = aws.partner

  connection_id    = aws_dx_connection.port.id
  owner_account_id = data.aws_caller_identity.customer.account_id
  name             = "private-to-vgw"
  vlan             = 401
  address_family   = "ipv4"
  bgp_asn          = 65401

  depends_on = [aws_vpn_gateway.customer]
}

resource "aws_dx_hosted_private_virtual_interface_accepter" "to_vgw" {
  provider = aws.customer

  virtual_interface_id = aws_dx_hosted_private_virtual_interface.to_vgw.id
  vpn_gateway_id       = aws_vpn_gateway.customer.id
}

resource "aws_dx_hosted_public_virtual_interface" "internet" {
  provider = aws.partner

  connection_id    = aws_dx_connection.port.id
  owner_account_id = data.aws_caller_identity.customer.account_id
  name             = "public"
  vlan             = 402
  address_family   = "ipv4"
  bgp_asn          = 65402
  amazon_address   = "175.45.176.5/30"
  customer_address = "175.45.176.6/30"

  route_filter_prefixes = [
    "210.52.109.0/24",
    "175.45.176.0/22",
  ]
}

resource "aws_dx_hosted_public_virtual_interface_accepter" "internet" {
  provider = aws.customer

  virtual_interface_id = aws_dx_hosted_public_virtual_interface.internet.id

  tags = {
    Environment = var.environment
  }
}

resource "aws_dx_hosted_transit_virtual_interface" "hub" {
  provider = aws.partner

  connection_id    = aws_dx_connection.port.id
  owner_account_id = data.aws_caller_identity.customer.account_id
  name             = "transit"
  vlan             = 403
  address_family   = "ipv4"
  bgp_asn          = 65403
  mtu              = 8500

  depends_on = [aws_dx_gateway.transit]
}

resource "aws_dx_hosted_transit_virtual_interface_accepter" "hub" {
  provider = aws.customer

  virtual_interface_id = aws_dx_hosted_transit_virtual_interface.hub.id
  dx_gateway_id        = aws_dx_gateway.transit.id

  tags = {
    Environment = var.environment
  }
}
