#!/usr/bin/env bash
# `make bench-server`: requests per second and latency percentiles of the real server for
# ../shared/bench/typical-review.json (or REVIEW), measured with wrk over HTTPS keep-alive
# connections. The server gets one worker thread pinned to one CPU, wrk runs on another, so the
# figure is what one core of the webhook does.
#
#   scripts/bench-server.sh [BINARY]
# Environment: REVIEW (body file), DURATION (default 20s), CONNECTIONS (default 32),
# SERVER_CPU / CLIENT_CPU (default 0 / 1).
set -euo pipefail
cd "$(dirname "$0")/.."
webhook="${1:-build/bin/irsa-webhook}"
review="${REVIEW:-../shared/bench/typical-review.json}"
duration="${DURATION:-20s}"
connections="${CONNECTIONS:-32}"
server_cpu="${SERVER_CPU:-0}"
client_cpu="${CLIENT_CPU:-1}"
[ -f "$review" ] || { echo "bench-server: no review body at $review" >&2; exit 2; }

work="$(mktemp -d)"
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
openssl req -x509 -nodes -days 1 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
  -subj "/CN=127.0.0.1" -keyout "$work/tls.key" -out "$work/tls.crt" 2>/dev/null
# The ServiceAccount of the review, with a role, so that every request is a full mutation.
namespace="$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["request"]; print(r["namespace"])' "$review")"
account="$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["request"]; print(r["object"]["spec"].get("serviceAccountName","default"))' "$review")"
cat > "$work/sa.yaml" <<YAML
apiVersion: v1
kind: ServiceAccount
metadata:
  name: $account
  namespace: $namespace
  annotations:
    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/bench
YAML
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
metrics_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
taskset -c "$server_cpu" "$webhook" --in-cluster=false --bind-address=127.0.0.1 \
  --port="$port" --metrics-port="$metrics_port" --tls-cert="$work/tls.crt" --tls-key="$work/tls.key" \
  --service-accounts="$work/sa.yaml" --worker-threads=1 2>"$work/server.log" &
server=$!
for _ in $(seq 100); do
  curl -sfk "https://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  sleep 0.1
done
cat > "$work/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local file = io.open("$review", "rb")
wrk.body = file:read("*a")
file:close()
response = function(status, headers, body)
  if status ~= 200 or not string.find(body, '"patch"', 1, true) then
    wrk.thread:stop()
    io.stderr:write("bench-server: unexpected answer " .. status .. "\n")
  end
end
LUA
echo "bench-server: $review, $connections connections, $duration, server on CPU $server_cpu (1 worker thread), wrk on CPU $client_cpu"
taskset -c "$client_cpu" wrk -t1 -c"$connections" -d"$duration" --latency -s "$work/post.lua" \
  "https://127.0.0.1:$port/mutate"
echo "bench-server: server resident memory after the run: $(curl -s "http://127.0.0.1:$metrics_port/metrics" | awk '/^process_resident_memory_bytes/ {printf "%.1f MiB", $2/1048576}')"
echo "bench-server: admissions answered: $(curl -s "http://127.0.0.1:$metrics_port/metrics" | awk -F' ' '/^irsa_webhook_admissions_total\{result="mutated"\}/ {print $2}')"
