#!/usr/bin/env bash
# Records the profile that release builds of irsa_core are compiled with
# (cmake/ProfileGuided.cmake): builds irsa-webhook with an instrumented core in build-pgo-gen/,
# serves the load corpus with it (tiny, typical and large pods, three of four with a role, in the
# weights bench-load uses), and keeps what it counted in pgo/<processor>/ with what the build it
# serves must match: the compiler (BUILD) and the hashes of every file compiled into the core,
# its sources and the system headers they include (SOURCES). About 3 minutes on 2 cores. Run it
# after any change to src/core/ or include/irsa/core/ (a build of other sources than the
# recorded ones compiles without the profile) and commit pgo/ with the change.
#
#   scripts/pgo-profile.sh [RELEASE_BIN_DIR]    (make pgo-profile)
#
# The load tools come from the release tree (make build), uninstrumented: the client's use of the
# shared network code must not count as the server's.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${1:-$root/build/bin}"
typical="${IRSA_BENCH_TYPICAL_REVIEW:-$root/../shared/bench/typical-review.json}"
seconds="${IRSA_PGO_SECONDS:-20}"
gen="$root/build-pgo-gen"
out="$root/pgo/$(uname -m)"
log() { echo "pgo-profile: $*" >&2; }

for tool in cmake ninja g++ openssl curl python3; do
  command -v "$tool" >/dev/null || { log "$tool is missing (scripts/install-deps.sh)"; exit 1; }
done
for program in irsa-loadgen irsa-corpus; do
  [ -x "$bin/$program" ] || { log "$bin/$program is missing (make build)"; exit 1; }
done
[ -f "$typical" ] || { log "the typical review $typical is missing (set IRSA_BENCH_TYPICAL_REVIEW)"; exit 1; }

# shellcheck source=scripts/loopback-bench.sh
source "$root/scripts/loopback-bench.sh"

# A fixed profile folder inside the tree keeps the compile flags, and so an incremental rebuild,
# the same from one run to the next.
log "building the instrumented server in $gen"
cmake -S "$root" -B "$gen" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER=g++ \
  -DIRSA_PGO=generate -DIRSA_PGO_DIR="$gen/profile" -DIRSA_BUILD_TESTS=OFF \
  -DIRSA_BUILD_BENCHMARKS=OFF -DIRSA_BUILD_LOAD_TOOLS=OFF >/dev/null
cmake --build "$gen" --target irsa-webhook -j "$(nproc)"
rm -rf "$gen/profile"

make_tls_and_corpus "$bin/irsa-corpus" "$typical"
port="$(free_port)"
metrics_port="$(free_port)"

"$gen/bin/irsa-webhook" --in-cluster=false --bind-address=127.0.0.1 --port="$port" \
  --metrics-port="$metrics_port" --tls-cert="$work/tls/tls.crt" --tls-key="$work/tls/tls.key" \
  --service-accounts="$work/corpus/service-accounts.yaml" >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 120); do
  curl -sf --cacert "$work/tls/tls.crt" "https://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || { tail -n 20 "$work/server.log" >&2; log "the server exited"; exit 1; }
  sleep 0.5
done
curl -sf --cacert "$work/tls/tls.crt" "https://127.0.0.1:$port/readyz" >/dev/null ||
  { log "the server did not become ready"; exit 1; }

log "serving the mixed corpus for ${seconds}s"
if ! "$bin/irsa-loadgen" "https://127.0.0.1:$port/mutate" --corpus "$work/corpus/mixed" \
  --order weighted --cacert "$work/tls/tls.crt" -c 32 -d "${seconds}s" --warmup 0s --quiet \
  >"$work/loadgen.log" 2>&1; then
  tail -n 20 "$work/loadgen.log" >&2
  log "irsa-loadgen failed"
  exit 1
fi

# The counts are written when the server exits, which it does on SIGTERM once it has drained.
kill -TERM "$server"
if ! wait "$server"; then
  tail -n 20 "$work/server.log" >&2
  log "the server did not exit cleanly, so its profile may be incomplete"
  exit 1
fi
server=""
shopt -s nullglob
recorded=("$gen/profile"/*.gcda)
[ "${#recorded[@]}" -gt 0 ] || { log "the server wrote no profile to $gen/profile"; exit 1; }

mkdir -p "$out"
rm -f "$out"/*.gcda
cp "${recorded[@]}" "$out/"
cp "$gen/pgo-build-id.txt" "$out/BUILD"
cp "$gen/pgo-sources.txt" "$out/SOURCES"
log "recorded ${#recorded[@]} profile files in $out ($(du -sh "$out" | cut -f1)); commit them with the change"
