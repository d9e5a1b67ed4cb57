#!/usr/bin/env bash
# Builds OpenTofu and the AWS provider from the Go module proxy into a cache
# outside the checkout, keyed by version; a later run reuses what is there, so
# only a cold machine pays (about 7 minutes for tofu, 40 for the provider on two
# cores). Prints the cache directory's tool paths as shell assignments.
#
#   DXLAB_TF_CACHE  where to keep them (default: ~/.cache/dxlab/terraform)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/versions.sh"
cache="${DXLAB_TF_CACHE:-$HOME/.cache/dxlab/terraform}"
mkdir -p "$cache"

# Modules come out of the module cache read-only and with replace directives
# that `go install` refuses, so each is copied out and built where it lands.
build_module() { # module version outdir binary pkg [ldflags]
  local module=$1 version=$2 out=$3 bin=$4 pkg=$5 ldflags=${6:-}
  if [ -x "$out/$bin" ]; then
    return 0
  fi
  echo "building $module@$version (once per machine)" >&2
  local dir src
  dir=$(go mod download -json "$module@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [ -n "$dir" ] || { echo "go mod download gave no directory for $module@$version" >&2; exit 1; }
  src="$out.src"
  rm -rf "$src"
  cp -r "$dir" "$src"
  chmod -R u+w "$src"
  mkdir -p "$out"
  (cd "$src" && GOFLAGS=-mod=mod go build -trimpath -ldflags="$ldflags" -o "$out/$bin.tmp" "$pkg")
  mv "$out/$bin.tmp" "$out/$bin"
  rm -rf "$src"
}

tofu_dir="$cache/tofu-$TOFU_VERSION"
build_module "$TOFU_MODULE" "$TOFU_VERSION" "$tofu_dir" tofu ./cmd/tofu "-s -w"

provider_dir="$cache/aws-$AWS_PROVIDER_PSEUDO"
build_module "$AWS_PROVIDER_MODULE" "$AWS_PROVIDER_PSEUDO" "$provider_dir" provider . "-s -w"

# A filesystem mirror in the layout tofu expects, so `tofu init` needs no network.
mirror="$cache/mirror"
plugin="$mirror/registry.opentofu.org/hashicorp/aws/$AWS_PROVIDER_VERSION/linux_amd64"
mkdir -p "$plugin"
ln -sf "$provider_dir/provider" "$plugin/terraform-provider-aws_v$AWS_PROVIDER_VERSION"

echo "TOFU=$tofu_dir/tofu"
echo "TF_MIRROR=$mirror"
