#!/usr/bin/env bash
# `make run`: the webhook server on https://127.0.0.1:8443 with the example ServiceAccounts, Pod
# Identity associations and role policy (audit mode), a self-signed certificate made on first use, and the curl commands
# that talk to it. Ctrl-C stops it (gracefully; a second Ctrl-C at once).
#
#   scripts/run-server.sh [BINARY] [PORT] [METRICS_PORT]
# IRSA_RUN_DIR chooses where the certificate goes (default: .run/, ignored by git).
set -euo pipefail
cd "$(dirname "$0")/.."
webhook="${1:-build/bin/irsa-webhook}"
port="${2:-8443}"
metrics_port="${3:-9999}"
run_dir="${IRSA_RUN_DIR:-.run}"

mkdir -p "$run_dir"
cert="$run_dir/tls.crt"
key="$run_dir/tls.key"
# A new certificate when there is none or the old one expires within a day.
if ! openssl x509 -in "$cert" -noout -checkend 86400 >/dev/null 2>&1; then
  openssl req -x509 -nodes -days 30 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
    -subj "/CN=localhost" -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
    -keyout "$key" -out "$cert" 2>/dev/null
  echo "run-server: made a self-signed certificate in $cert"
fi

cat <<MESSAGE
run-server: starting irsa-webhook on https://127.0.0.1:$port (metrics on http://127.0.0.1:$metrics_port)
Send it the example AdmissionReviews:
  curl --cacert $cert -H 'Content-Type: application/json' --data-binary @examples/reviews/checkout.json https://127.0.0.1:$port/mutate
  curl --cacert $cert -H 'Content-Type: application/json' --data-binary @examples/reviews/report-builder.json https://127.0.0.1:$port/mutate
  curl --cacert $cert -H 'Content-Type: application/json' --data-binary @examples/reviews/web.json https://127.0.0.1:$port/mutate
Decode the patch of a response:
  curl -s --cacert $cert -H 'Content-Type: application/json' --data-binary @examples/reviews/checkout.json https://127.0.0.1:$port/mutate | jq -r .response.patch | base64 -d | jq .
The checkout pod breaks a rule of examples/role-policy.yaml (audit mode): it is admitted with a
warning that names the rule:
  curl -s --cacert $cert -H 'Content-Type: application/json' --data-binary @examples/reviews/checkout.json https://127.0.0.1:$port/mutate | jq .response.warnings
The policy in force: curl http://127.0.0.1:$metrics_port/debug/alpha/policy
Readiness and metrics:
  curl --cacert $cert https://127.0.0.1:$port/readyz
  curl http://127.0.0.1:$metrics_port/metrics
Edit examples/service-accounts.yaml or examples/role-policy.yaml while it runs: the change is
served within a second.
MESSAGE

exec "$webhook" \
  --in-cluster=false \
  --bind-address=127.0.0.1 \
  --port="$port" \
  --metrics-port="$metrics_port" \
  --tls-cert="$cert" \
  --tls-key="$key" \
  --service-accounts=examples/service-accounts.yaml \
  --watch-container-credentials-config=examples/pod-identity-associations.json \
  --role-policy=examples/role-policy.yaml \
  --aws-default-region=eu-central-1 \
  --enable-debugging-handlers
