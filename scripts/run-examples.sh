#!/usr/bin/env bash
# `make run`: shows what the webhook does to the example pods, using the offline preview.
set -euo pipefail
webhook="${1:-build/bin/irsa-webhook}"
cd "$(dirname "$0")/.."

common=(--service-account=examples/service-accounts.yaml
        --watch-container-credentials-config=examples/pod-identity-associations.json
        --aws-default-region=eu-central-1)

for pod in examples/checkout-pod.yaml examples/report-builder-pod.yaml examples/web-pod.yaml; do
  echo "### $webhook mutate --pod=$pod ${common[*]} --output=patch"
  "$webhook" mutate --pod="$pod" "${common[@]}" --output=patch
  echo
done
echo "### the checkout pod after mutation (--output=pod)"
"$webhook" mutate --pod=examples/checkout-pod.yaml "${common[@]}" --output=pod
