# Cross-account Direct Connect gateway associations: a network account owns
# the Direct Connect gateways; a workload account owns a virtual private
# gateway and a transit gateway, proposes to associate each, and the network
# account accepts the proposals.

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
  description = "the workload's VPC (dxlab takes any well-formed id)"
  type        = string
  default     = "vpc-0f1e2d3c4b5a69788"
}

variable "gateway_name" {
  type    = string
  default = "shared-vgw"
}

variable "vgw_allowed_prefixes" {
  type    = list(string)
  default = ["10.0.0.0/16"]
}

provider "aws" {
  alias      = "network"
  region     = "us-east-1"
  access_key = "111111111111"
  secret_key = "network-secret"

  endpoints {
    directconnect = var.endpoint
    ec2           = var.endpoint
    sts           = var.endpoint
  }
}

provider "aws" {
  alias      = "workload"
  region     = "us-east-1"
  access_key = "222222222222"
  secret_key = "workload-secret"

  endpoints {
    directconnect = var.endpoint
    ec2           = var.endpoint
    sts           = var.endpoint
  }
}

data "aws_caller_identity" "workload" {
  provider = aws.workload
}

# Network account: the Direct Connect gateways.
resource "aws_dx_gateway" "vgw" {
  provider = aws.network

  name            = var.gateway_name
  amazon_side_asn = 64800
}

resource "aws_dx_gateway" "tgw" {
  provider = aws.network

  name            = "shared-tgw"
  amazon_side_asn = 64801
}

# Workload account: its gateways and the proposals.
resource "aws_vpn_gateway" "workload" {
  provider = aws.workload

  vpc_id = var.vpc_id

  tags = {
    Name = "workload"
  }
}

resource "aws_ec2_transit_gateway" "workload" {
  provider = aws.workload

  amazon_side_asn = 64802
  description     = "workload"
}

resource "aws_dx_gateway_association_proposal" "vgw" {
  provider = aws.workload

  dx_gateway_id               = aws_dx_gateway.vgw.id
  dx_gateway_owner_account_id = aws_dx_gateway.vgw.owner_account_id
  associated_gateway_id       = aws_vpn_gateway.workload.id
  allowed_prefixes            = ["10.0.0.0/16"]
}

resource "aws_dx_gateway_association_proposal" "tgw" {
  provider = aws.workload

  dx_gateway_id               = aws_dx_gateway.tgw.id
  dx_gateway_owner_account_id = aws_dx_gateway.tgw.owner_account_id
  associated_gateway_id       = aws_ec2_transit_gateway.workload.id
  allowed_prefixes            = ["10.30.0.0/16"]
}

# Network account: accepts them.
resource "aws_dx_gateway_association" "vgw" {
  provider = aws.network

  dx_gateway_id                       = aws_dx_gateway.vgw.id
  proposal_id                         = aws_dx_gateway_association_proposal.vgw.id
  associated_gateway_owner_account_id = data.aws_caller_identity.workload.account_id
  allowed_prefixes                    = var.vgw_allowed_prefixes
}

resource "aws_dx_gateway_association" "tgw" {
  provider = aws.network

  dx_gateway_id                       = aws_dx_gateway.tgw.id
  proposal_id                         = aws_dx_gateway_association_proposal.tgw.id
  associated_gateway_owner_account_id = data.aws_caller_identity.workload.account_id
}

output "associations" {
  value = {
    vgw = aws_dx_gateway_association.vgw.dx_gateway_association_id
    tgw = aws_dx_gateway_association.tgw.dx_gateway_association_id
  }
}
