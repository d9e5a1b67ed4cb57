# Dedicated connections and LAGs in one account: two ways of building a LAG
# (an empty LAG that a connection then joins, and a LAG made from an
# existing connection), looked up through the location and connection data
# sources.

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
  default = "edge-lag"
}

variable "environment" {
  type    = string
  default = "test"
}

provider "aws" {
  region     = "us-east-1"
  access_key = "111122223333" # a 12-digit access key is dxlab's account
  secret_key = "dxlab"

  endpoints {
    directconnect = var.endpoint
    ec2           = var.endpoint
    sts           = var.endpoint
  }
}

data "aws_dx_locations" "here" {}

data "aws_dx_location" "ashburn" {
  location_code = "EqDC2"
}

locals {
  location = data.aws_dx_location.ashburn.location_code
}

resource "aws_dx_connection" "primary" {
  name      = "primary"
  bandwidth = "10Gbps"
  location  = local.location

  tags = {
    Environment = var.environment
    Role        = "primary"
  }

  lifecycle {
    precondition {
      condition     = contains(data.aws_dx_locations.here.location_codes, local.location)
      error_message = "The region does not list ${local.location}."
    }
    precondition {
      condition     = contains(data.aws_dx_location.ashburn.available_port_speeds, "10G")
      error_message = "${local.location} offers no 10G ports."
    }
  }
}

# A connection ordered through a Direct Connect partner at the location.
resource "aws_dx_connection" "secondary" {
  name          = "secondary"
  bandwidth     = "10Gbps"
  location      = local.location
  provider_name = "Equinix, Inc."

  tags = {
    Environment = var.environment
  }

  lifecycle {
    precondition {
      condition     = contains(data.aws_dx_location.ashburn.available_providers, "Equinix, Inc.")
      error_message = "Equinix is not a provider at ${local.location}."
    }
  }
}

# The provider creates a LAG with one new connection and deletes that
# connection again, leaving an empty LAG for aws_dx_connection_association.
resource "aws_dx_lag" "edge" {
  name                  = var.lag_name
  connections_bandwidth = "10Gbps"
  location              = local.location

  tags = {
    Environment = var.environment
  }
}

resource "aws_dx_connection_association" "secondary" {
  connection_id = aws_dx_connection.secondary.id
  lag_id        = aws_dx_lag.edge.id
}

# A LAG made from an existing connection, which keeps its id.
resource "aws_dx_connection" "core" {
  name      = "core"
  bandwidth = "1Gbps"
  location  = local.location
}

resource "aws_dx_lag" "core" {
  name                  = "core-lag"
  connections_bandwidth = "1Gbps"
  location              = local.location
  connection_id         = aws_dx_connection.core.id
}

data "aws_dx_connection" "primary" {
  name = aws_dx_connection.primary.name

  # The name is known before the connection exists: read it once it does.
  depends_on = [aws_dx_connection.primary]
}

output "primary_connection" {
  value = {
    id         = data.aws_dx_connection.primary.id
    arn        = data.aws_dx_connection.primary.arn
    aws_device = data.aws_dx_connection.primary.aws_device
    tags       = data.aws_dx_connection.primary.tags
  }
}

output "locations" {
  value = data.aws_dx_locations.here.location_codes
}
