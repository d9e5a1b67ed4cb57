# A Direct Connect partner and its customer, two accounts: the partner
# bundles its port into a LAG and allocates hosted connections on it for
# the customer, who confirms one of them.

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

variable "lag_name" {
  type    = string
  default = "partner-lag"
}

variable "environment" {
  type    = string
  default = "test"
}

# The partner's account.
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

# The customer's account.
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

# Partner: its port, made into a LAG that carries hosted connections.
resource "aws_dx_connection" "port" {
  provider = aws.partner

  name      = "partner-port"
  bandwidth = "10Gbps"
  location  = "EqDC2"

  tags = {
    Environment = var.environment
  }
}

resource "aws_dx_lag" "partner" {
  provider = aws.partner

  name                  = var.lag_name
  connections_bandwidth = "10Gbps"
  location              = "EqDC2"
  connection_id         = aws_dx_connection.port.id
}

resource "aws_dx_hosted_connection" "confirmed" {
  provider = aws.partner

  connection_id    = aws_dx_lag.partner.id
  owner_account_id = data.aws_caller_identity.customer.account_id
  name             = "customer-confirmed"
  bandwidth        = "500Mbps"
  vlan             = 101
}

# One the customer has not confirmed yet: it stays ordering.
resource "aws_dx_hosted_connection" "ordering" {
  provider = aws.partner

  connection_id    = aws_dx_lag.partner.id
  owner_account_id = data.aws_caller_identity.customer.account_id
  name             = "customer-ordering"
  bandwidth        = "1Gbps"
  vlan             = 102
}

# Customer: accepts the first one.
resource "aws_dx_connection_confirmation" "confirmed" {
  provider = aws.customer

  connection_id = aws_dx_hosted_connection.confirmed.id
}

data "aws_dx_connection" "confirmed" {
  provider = aws.customer

  name = aws_dx_hosted_connection.confirmed.name

  depends_on = [aws_dx_connection_confirmation.confirmed]
}

output "customer_view" {
  value = {
    id           = data.aws_dx_connection.confirmed.id
    state        = data.aws_dx_connection.confirmed.state
    partner_name = data.aws_dx_connection.confirmed.partner_name
    owner        = data.aws_dx_connection.confirmed.owner_account_id
    vlan_id      = data.aws_dx_connection.confirmed.vlan_id
  }
}

output "partner_view" {
  value = {
    id     = aws_dx_hosted_connection.confirmed.id
    lag_id = aws_dx_hosted_connection.confirmed.lag_id
  }
}
