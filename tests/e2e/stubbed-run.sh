#!/usr/bin/env bash
# Runs tests/e2e/kind.sh offline with stand-ins for docker, kind, helm and kubectl (tests/e2e/stubs),
# where the API server's dry-run admission is played by the built binary's `irsa-webhook mutate`.
# It checks the script's own logic (its jq assertions, its flow, its exit status), not the
# cluster: the objectSelector is emulated and helm test does nothing here.
#   1. with the e2e values' region: every check passes and the script exits 0;
#   2. without it: the region checks fail and the script exits non-zero.
# Usage: IRSA_WEBHOOK_BINARY=build/bin/irsa-webhook tests/e2e/stubbed-run.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
binary="${IRSA_WEBHOOK_BINARY:-$root/build/bin/irsa-webhook}"
[ -x "$binary" ] || { echo "stubbed-run: no binary at $binary" >&2; exit 1; }
command -v jq >/dev/null 2>&1 || { echo "stubbed-run: jq is missing" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
run() {
  env PATH="$root/tests/e2e/stubs:$PATH" HELM="$root/tests/e2e/stubs/helm" SKIP_BUILD=1 \
    ARTIFACTS="$work/artifacts" E2E_ROOT="$root" IRSA_WEBHOOK_BINARY="$binary" "$@" \
    bash "$root/tests/e2e/kind.sh" >"$work/out" 2>&1
}

status=0
if run E2E_STUB_REGION=eu-west-1 && grep -q "all checks passed" "$work/out"; then
  echo "stubbed-run: every kind.sh check passes on the webhook's real mutation"
else
  echo "stubbed-run: kind.sh failed against the real mutation:" >&2
  cat "$work/out" >&2
  status=1
fi

if run E2E_STUB_REGION=; then
  echo "stubbed-run: kind.sh passed although no region was injected" >&2
  status=1
elif grep -q "FAIL: checkout: AWS_REGION" "$work/out"; then
  echo "stubbed-run: a wrong mutation makes kind.sh fail, naming the check"
else
  echo "stubbed-run: kind.sh failed without the region, but not on the region check:" >&2
  cat "$work/out" >&2
  status=1
fi
exit "$status"
