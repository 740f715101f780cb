#!/usr/bin/env bash
# Instructions the whole server spends per typical admission, counted by callgrind: TLS records,
# the HTTP request, the review, the response and the audit line, everything but the handshakes.
# The webhook runs under callgrind (one worker thread, 100 ServiceAccounts from a file) and
# irsa-loadgen sends it the typical review over two keep-alive connections for a short and a
# long window; callgrind's counters are zeroed before each window and dumped after it, and the
# server's own admission counter says how many requests each window held. The difference of
# the two windows divided by the difference in requests is one steady-state request: the
# connections' handshakes, the same in both windows, cancel out.
#
#   scripts/server-instructions.sh [BUILD_BIN_DIR]
#
# With IRSA_SERVER_CALLGRIND_OUT=FILE the long window's callgrind profile is kept there, for
# callgrind_annotate to say where the instructions went.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${1:-$root/build/bin}"
typical="${IRSA_BENCH_TYPICAL_REVIEW:-$root/../shared/bench/typical-review.json}"
log() { echo "server-instructions: $*" >&2; }

for tool in valgrind callgrind_control openssl curl python3; do
  command -v "$tool" >/dev/null || { log "$tool is missing (scripts/install-deps.sh)"; exit 1; }
done
for program in irsa-webhook irsa-loadgen irsa-corpus; do
  [ -x "$bin/$program" ] || { log "$bin/$program is missing (make build)"; exit 1; }
done
[ -f "$typical" ] || { log "the typical review $typical is missing (set IRSA_BENCH_TYPICAL_REVIEW)"; exit 1; }

# shellcheck source=scripts/loopback-bench.sh
source "$root/scripts/loopback-bench.sh"
make_tls_and_corpus "$bin/irsa-corpus" "$typical"
port="$(free_port)"
metrics_port="$(free_port)"

# The webhook re-executes itself to set this glibc tunable when it is missing; set here, it runs
# as it would in production without a second exec, which valgrind cannot follow.
GLIBC_TUNABLES=glibc.malloc.tcache_count=2 valgrind --tool=callgrind \
  --callgrind-out-file="$work/callgrind.out" \
  "$bin/irsa-webhook" --in-cluster=false --bind-address=127.0.0.1 --port="$port" \
  --metrics-port="$metrics_port" --tls-cert="$work/tls/tls.crt" --tls-key="$work/tls/tls.key" \
  --service-accounts="$work/corpus/service-accounts.yaml" --worker-threads=1 \
  >"$work/server.log" 2>&1 &
server=$!

# Under callgrind the server starts some fifty times slower than natively.
for _ in $(seq 1 240); do
  if curl -sf --cacert "$work/tls/tls.crt" "https://127.0.0.1:$port/readyz" >/dev/null 2>&1; then
    break
  fi
  kill -0 "$server" 2>/dev/null || { cat "$work/server.log" >&2; log "the webhook exited"; exit 1; }
  sleep 0.5
done
curl -sf --cacert "$work/tls/tls.crt" "https://127.0.0.1:$port/readyz" >/dev/null ||
  { log "the webhook did not become ready"; exit 1; }

admissions() {
  curl -sf "http://127.0.0.1:$metrics_port/metrics" |
    awk '/^irsa_webhook_admissions_total/ { sum += $NF } END { printf "%d\n", sum }'
}

# Instructions and requests of one window of SECONDS of load.
window() {
  local seconds="$1" keep="${2:-}" before after dumps
  before="$(admissions)"
  callgrind_control -z "$server" >/dev/null 2>&1
  if ! "$bin/irsa-loadgen" "https://127.0.0.1:$port/mutate" --corpus "$typical" \
    --cacert "$work/tls/tls.crt" -c 2 -d "${seconds}s" --warmup 0s --timeout 30s --quiet \
    >"$work/loadgen.log" 2>&1; then
    cat "$work/loadgen.log" >&2
    log "irsa-loadgen failed"
    exit 1
  fi
  callgrind_control -d "$server" >/dev/null 2>&1
  after="$(admissions)"
  # Each window's dump is removed once read, so the one there is the one just written.
  dumps=("$work"/callgrind.out.*)
  echo "$(grep -E '^(summary|totals):' "${dumps[0]}" | head -n1 | awk '{print $2}') $((after - before))"
  if [ -n "$keep" ]; then cp "${dumps[0]}" "$keep"; fi
  rm -f "${dumps[@]}"
}

read -r short_instructions short_requests < <(window 3)
read -r long_instructions long_requests < <(window 9 "${IRSA_SERVER_CALLGRIND_OUT:-}")
if [ "$long_requests" -le "$short_requests" ]; then
  log "the long window held no more requests than the short one ($long_requests, $short_requests)"
  exit 1
fi
per_request=$(((long_instructions - short_instructions) / (long_requests - short_requests)))
echo "requests: $short_requests and $long_requests"
echo "instructions per typical admission: $per_request"
