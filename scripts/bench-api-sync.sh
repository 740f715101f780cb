#!/usr/bin/env bash
# `make bench-api-sync`: the initial sync of many ServiceAccounts from an API server, end to end.
# The fake API server (build/bin/fake-kube-api) serves ACCOUNTS accounts (every 20th with a role)
# over TLS on one CPU; the real webhook, pinned with one worker thread to the other, lists them
# in pages of 500 through a token kubeconfig. Reported: how long the LIST took (from the
# webhook's "listed" log line), the time from start to /readyz, and the webhook's resident
# memory once synced, against the same webhook synced with no accounts at all.
#
#   scripts/bench-api-sync.sh [BINARY]
# Environment: ACCOUNTS (default 100000), RUNS (default 3), SERVER_CPU / API_CPU (default 0 / 1).
set -euo pipefail
cd "$(dirname "$0")/.."
webhook="${1:-build/bin/irsa-webhook}"
fake="$(dirname "$webhook")/fake-kube-api"
accounts="${ACCOUNTS:-100000}"
runs="${RUNS:-3}"
server_cpu="${SERVER_CPU:-0}"
api_cpu="${API_CPU:-1}"
[ -x "$fake" ] || { echo "bench-api-sync: $fake is missing (build the tests)" >&2; exit 2; }

work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
openssl req -x509 -nodes -days 1 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
  -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" \
  -keyout "$work/tls.key" -out "$work/tls.crt" 2>/dev/null

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }

# Starts the fake with $1 accounts and a webhook against it; prints "list_ms ready_ms rss_kib".
measure() {
  local count="$1" api_port port metrics_port api webhook_pid started ready_ms list_ms rss
  api_port=$(free_port); port=$(free_port); metrics_port=$(free_port)
  taskset -c "$api_cpu" "$fake" --cert "$work/tls.crt" --key "$work/tls.key" --port "$api_port" \
    --token bench --service-accounts "$count" --annotated-every 20 >"$work/fake.log" 2>&1 &
  api=$!; pids+=("$api")
  for _ in $(seq 200); do grep -q listening "$work/fake.log" 2>/dev/null && break; sleep 0.05; done
  cat > "$work/kubeconfig" <<YAML
apiVersion: v1
kind: Config
current-context: bench
clusters:
- name: fake
  cluster: {server: "https://127.0.0.1:$api_port", certificate-authority: "$work/tls.crt"}
contexts:
- name: bench
  context: {cluster: fake, user: bench}
users:
- name: bench
  user: {token: bench}
YAML
  started=$(date +%s%N)
  taskset -c "$server_cpu" "$webhook" --in-cluster=false --bind-address=127.0.0.1 \
    --port="$port" --metrics-port="$metrics_port" --tls-cert="$work/tls.crt" \
    --tls-key="$work/tls.key" --kubeconfig="$work/kubeconfig" --worker-threads=1 \
    2>"$work/webhook.log" &
  webhook_pid=$!; pids+=("$webhook_pid")
  for _ in $(seq 2000); do
    curl -sf --cacert "$work/tls.crt" "https://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
    sleep 0.005
  done
  ready_ms=$(( ($(date +%s%N) - started) / 1000000 ))
  list_ms=$(sed -n 's/.*listed resource=serviceaccounts.*elapsed_ms=\([0-9]*\).*/\1/p' "$work/webhook.log" | head -1)
  sleep 1  # let freed pages settle before reading the resident size
  rss=$(rss_kib "$webhook_pid")
  kill "$webhook_pid" "$api"; wait "$webhook_pid" 2>/dev/null || true; wait "$api" 2>/dev/null || true
  echo "${list_ms:-?} $ready_ms $rss"
}

read -r _ base_ready base_rss < <(measure 0)
echo "bench-api-sync: webhook on CPU $server_cpu (1 worker), fake API server on CPU $api_cpu"
echo "  0 accounts: ready after ${base_ready} ms, resident ${base_rss} KiB"
for run in $(seq "$runs"); do
  read -r list_ms ready_ms rss < <(measure "$accounts")
  echo "  $accounts accounts, run $run: LIST ${list_ms} ms, ready after ${ready_ms} ms," \
    "resident ${rss} KiB (+$(( (rss - base_rss) / 1024 )) MiB over 0 accounts)"
done
