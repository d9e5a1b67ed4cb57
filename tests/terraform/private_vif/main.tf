# Private virtual interfaces in one account: one to a Direct Connect gateway
# that is associated with a virtual private gateway, with an IPv6 BGP peer
# beside its IPv4 one, and one straight to another virtual private gateway;
# the router configuration and gateway data sources read them back.

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

variable "vpc_id" {
  description = "the VPC the virtual private gateways attach to (dxlab takes any well-formed id)"
  type        = string
  default     = "vpc-0a1b2c3d4e5f60718"
}

variable "gateway_name" {
  type    = string
  default = "dx-gateway"
}

variable "mtu" {
  type    = number
  default = 1500
}

variable "sitelink_enabled" {
  type    = bool
  default = false
}

variable "allowed_prefixes" {
  type    = list(string)
  default = ["10.0.0.0/16"]
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
  name      = "vif-port"
  bandwidth = "10Gbps"
  location  = "EqDC2"
}

# A virtual private gateway attached to the VPC, reached through a Direct
# Connect gateway.
resource "aws_vpn_gateway" "behind_gateway" {
  amazon_side_asn = 64512

  tags = {
    Name        = "behind-dx-gateway"
    Environment = var.environment
  }
}

resource "aws_vpn_gateway_attachment" "behind_gateway" {
  vpc_id         = var.vpc_id
  vpn_gateway_id = aws_vpn_gateway.behind_gateway.id
}

resource "aws_dx_gateway" "main" {
  name            = var.gateway_name
  amazon_side_asn = 64600

  tags = {
    Environment = var.environment
  }
}

resource "aws_dx_gateway_association" "vgw" {
  dx_gateway_id         = aws_dx_gateway.main.id
  associated_gateway_id = aws_vpn_gateway.behind_gateway.id
  allowed_prefixes      = var.allowed_prefixes

  depends_on = [aws_vpn_gateway_attachment.behind_gateway]
}

resource "aws_dx_private_virtual_interface" "to_gateway" {
  connection_id    = aws_dx_connection.port.id
  dx_gateway_id    = aws_dx_gateway.main.id
  name             = "to-dx-gateway"
  vlan             = 100
  address_family   = "ipv4"
  bgp_asn          = 65000
  mtu              = var.mtu
  sitelink_enabled = var.sitelink_enabled

  tags = {
    Environment = var.environment
  }
}

resource "aws_dx_bgp_peer" "ipv6" {
  virtual_interface_id = aws_dx_private_virtual_interface.to_gateway.id
  address_family       = "ipv6"
  bgp_asn              = 65000
}

# A second virtual private gateway, reached by a virtual interface of its
# own, with the BGP addresses and key given.
resource "aws_vpn_gateway" "direct" {
  tags = {
    Name = "direct"
  }
}

resource "aws_dx_private_virtual_interface" "to_vgw" {
  connection_id    = aws_dx_connection.port.id
  vpn_gateway_id   = aws_vpn_gateway.direct.id
  name             = "to-vgw"
  vlan             = 101
  address_family   = "ipv4"
  bgp_asn          = 65001
  amazon_address   = "169.254.10.1/30"
  customer_address = "169.254.10.2/30"
  bgp_auth_key     = "a-shared-md5-key"
}

data "aws_dx_router_configuration" "to_gateway" {
  virtual_interface_id   = aws_dx_private_virtual_interface.to_gateway.id
  router_type_identifier = "CiscoSystemsInc-2900SeriesRouters-IOS124"

  # The configuration covers every BGP peer of the interface.
  depends_on = [aws_dx_bgp_peer.ipv6]
}

data "aws_dx_gateway" "main" {
  name = aws_dx_gateway.main.name

  depends_on = [aws_dx_gateway.main]
}

output "router" {
  value = {
    vendor   = data.aws_dx_router_configuration.to_gateway.router[0].vendor
    platform = data.aws_dx_router_configuration.to_gateway.router[0].platform
    config   = data.aws_dx_router_configuration.to_gateway.customer_router_config
  }
}

output "gateway" {
  value = {
    id              = data.aws_dx_gateway.main.id
    amazon_side_asn = data.aws_dx_gateway.main.amazon_side_asn
    owner           = data.aws_dx_gateway.main.owner_account_id
  }
}
