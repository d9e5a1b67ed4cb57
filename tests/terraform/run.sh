#!/usr/bin/env bash
# Runs the Terraform acceptance suite: the real AWS provider, through
# OpenTofu, against dxlab. Builds both tools once (build.sh caches them
# outside the checkout, keyed by version; a cold machine pays about 45
# minutes, a warm one nothing), then runs the Go harness, which starts a
# fresh dxlab for each configuration.
#
#   bash tests/terraform/run.sh                    # every configuration
#   bash tests/terraform/run.sh -run 'TestTerraform/macsec'
#
# Extra arguments go to `go test`.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/versions.sh"

tools="$(bash "$here/build.sh")"
TOFU="$(sed -n 's/^TOFU=//p' <<<"$tools")"
TF_MIRROR="$(sed -n 's/^TF_MIRROR=//p' <<<"$tools")"
if [ -z "$TOFU" ] || [ -z "$TF_MIRROR" ]; then
	echo "build.sh did not say where the tools are:" >&2
	echo "$tools" >&2
	exit 1
fi
echo "OpenTofu $TOFU_VERSION: $TOFU"
echo "AWS provider $AWS_PROVIDER_VERSION ($AWS_PROVIDER_PSEUDO): $TF_MIRROR"

export DXLAB_TOFU="$TOFU" DXLAB_TF_MIRROR="$TF_MIRROR"
cd "$here/../.."
go test -count=1 -v -timeout 30m ./tests/terraform/ "$@"
