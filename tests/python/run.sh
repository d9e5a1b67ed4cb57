#!/usr/bin/env bash
# Runs the Python end-to-end suite (boto3, botocore and AWS CLI v1 against a
# live dxlab). Set DXLAB_BIN to test a prebuilt binary; otherwise the suite
# builds ./cmd/dxlab itself.
set -euo pipefail

if ! command -v python3 >/dev/null 2>&1 || ! python3 -c 'import boto3' >/dev/null 2>&1; then
	echo "python suite skipped: boto3 not available"
	exit 0
fi

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
status=0
python3 -m unittest -v tests/python/test_dxlab.py || status=$?
exit "$status"
