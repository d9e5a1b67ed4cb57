# A MACsec-capable dedicated connection and its keys: one given as a CKN and
# CAK (dxlab stores it as Secrets Manager would), one as the ARN of a secret
# that already holds it.

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

variable "encryption_mode" {
  description = "null leaves the connection's mode as AWS sets it (should_encrypt)"
  type        = string
  default     = null
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

data "aws_caller_identity" "current" {}

data "aws_dx_location" "ashburn" {
  location_code = "EqDC2"
}

resource "aws_dx_connection" "encrypted" {
  name            = "encrypted"
  bandwidth       = "10Gbps"
  location        = data.aws_dx_location.ashburn.location_code
  request_macsec  = true
  encryption_mode = var.encryption_mode

  tags = {
    Environment = var.environment
  }

  lifecycle {
    precondition {
      condition     = contains(data.aws_dx_location.ashburn.available_macsec_port_speeds, "10G")
      error_message = "${data.aws_dx_location.ashburn.location_code} has no MACsec 10G ports."
    }
    postcondition {
      condition     = self.macsec_capable
      error_message = "The connection is not MACsec capable."
    }
  }
}

resource "aws_dx_macsec_key_association" "ckn_cak" {
  connection_id = aws_dx_connection.encrypted.id
  ckn           = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
  cak           = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"
}

resource "aws_dx_macsec_key_association" "secret" {
  connection_id = aws_dx_connection.encrypted.id
  secret_arn    = "arn:aws:secretsmanager:us-east-1:${data.aws_caller_identity.current.account_id}:secret:directconnect!prod/us-east-1/directconnect/abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789-AbCdEf"
}

output "keys" {
  value = {
    ckn_cak = {
      secret_arn = aws_dx_macsec_key_association.ckn_cak.secret_arn
      state      = aws_dx_macsec_key_association.ckn_cak.state
    }
    secret = {
      ckn   = aws_dx_macsec_key_association.secret.ckn
      state = aws_dx_macsec_key_association.secret.state
    }
  }
}
