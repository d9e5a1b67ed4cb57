# The tools the Terraform suite runs, pinned in one place. Sourced by build.sh and run.sh.
# OpenTofu's released module; the AWS provider's main branch as the Go module proxy serves it
# (released provider versions are not served there), installed as the provider version below.
TOFU_MODULE=github.com/opentofu/opentofu
TOFU_VERSION=v1.10.10
AWS_PROVIDER_MODULE=github.com/hashicorp/terraform-provider-aws
AWS_PROVIDER_PSEUDO=v1.60.1-0.20260602190131-5f2286d6d836
AWS_PROVIDER_VERSION=6.48.0
