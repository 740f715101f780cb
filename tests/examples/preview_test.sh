#!/usr/bin/env bash
# `make preview` (scripts/run-examples.sh) against the built binary: one summary line per example
# pod, each right before that pod's patch, saying what the binary really did. The expectations
# follow examples/; change both together.
set -euo pipefail
webhook="${1:?usage: preview_test.sh IRSA_WEBHOOK_BINARY}"
root="$(cd "$(dirname "$0")/../.." && pwd)"

if ! output=$(bash "$root/scripts/run-examples.sh" "$webhook" 2>&1); then
  echo "FAIL: scripts/run-examples.sh failed:" >&2
  echo "$output" >&2
  exit 1
fi

expected=(
  "summary: shop/checkout-api-: web identity, role arn:aws:iam::111122223333:role/checkout-api; mutated: api; skipped: log-shipper"
  "summary: analytics/report-builder: pod identity, credentials http://169.254.170.23/v1/credentials; mutated: builder, fetch-templates; skipped: none"
  "summary: shop/web: none; mutated: none; skipped: nginx"
)
pods=(checkout-pod report-builder-pod web-pod)

failed=0
mapfile -t summaries < <(grep '^summary: ' <<<"$output" || true)
if [[ ${#summaries[@]} -ne 3 ]]; then
  echo "FAIL: expected 3 summary lines, got ${#summaries[@]}" >&2
  failed=1
fi
for i in 0 1 2; do
  if [[ "${summaries[$i]:-}" != "${expected[$i]}" ]]; then
    printf 'FAIL: summary %d\n  want: %s\n  got:  %s\n' "$((i + 1))" "${expected[$i]}" \
      "${summaries[$i]:-<none>}" >&2
    failed=1
  fi
  # The line right after the summary is the header of the same pod's patch.
  next=$(grep -A1 -F -x -- "${expected[$i]}" <<<"$output" | sed -n 2p || true)
  if [[ "$next" != "### "*"--pod=examples/${pods[$i]}.yaml "* ]]; then
    echo "FAIL: summary $((i + 1)) is not followed by the ${pods[$i]} patch: $next" >&2
    failed=1
  fi
done

if [[ $failed -ne 0 ]]; then
  echo "--- output of scripts/run-examples.sh:" >&2
  echo "$output" >&2
  exit 1
fi
echo "ok: three summary lines, each before its pod's patch"
