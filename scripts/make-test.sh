#!/usr/bin/env bash
# `make test` (and CI, through .ci/run): every test, each compiled once, in three builds:
#   release  the programs, the load tools and the tests of the scripts, the chart and the image
#            (script_tests.cmake, load_tool_tests.cmake)
#   asan     the layers' GoogleTest suites and the fakes' tests under AddressSanitizer + UBSan
#   tsan     the suites marked TSAN in tests/layer_tests.cmake under ThreadSanitizer
# then checks that no process a test started is still running, and prints the three counts.
#
# Usage: scripts/make-test.sh [release] [asan] [tsan]   (default: all three)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
jobs="${JOBS:-$(nproc)}"
# Tests run two per core: most of their time goes to waiting on sockets, timers and the
# processes they start, not to computing.
test_jobs=$((jobs * 2))
phases=("$@")
[ "${#phases[@]}" -gt 0 ] || phases=(release asan tsan)

# Every process the tests start inherits this marker, so the check at the end finds those that
# outlived their test whoever started them (a test, a script it ran, a daemon that script left).
run_marker="IRSA_TEST_RUN=$$-$(date +%s%N)"
counts=()
started=$(date +%s)

phase() {
  echo
  echo "==> make test: $1 ($(($(date +%s) - started)) s in)"
}

# ctest through a preset, with the marker; keeps the "N tests" figure for the summary.
run_ctest() {
  local preset="$1" log
  log="$(mktemp)"
  local status=0
  env "$run_marker" ctest --preset "$preset" -j "$test_jobs" 2>&1 | tee "$log" || status=$?
  counts+=("$preset: $(grep -Eo '[0-9]+ tests? failed out of [0-9]+' "$log" | tail -n1 || echo 'no summary')")
  rm -f "$log"
  return "$status"
}

# Whether the tests passed or not: the left-behind check, then the counts so far.
finish() {
  local status=$?
  trap - EXIT
  phase "processes left behind by the tests"
  bash "$root/scripts/leftover-processes.sh" "$run_marker" || status=1
  phase "summary"
  local line
  for line in "${counts[@]}"; do
    echo "  $line"
  done
  if [ "$status" -eq 0 ]; then
    echo "  make test passed in $(($(date +%s) - started)) s"
  else
    echo "  make test FAILED after $(($(date +%s) - started)) s"
  fi
  exit "$status"
}
trap finish EXIT

# One build and its tests: build_and_test PRESET "what the build holds" [cmake -D...].
build_and_test() {
  local preset="$1" holds="$2"
  shift 2
  phase "$preset build ($holds)"
  cmake --preset "$preset" "$@" >/dev/null
  cmake --build --preset "$preset" -j "$jobs"
  phase "$preset tests"
  run_ctest "$preset"
}

for name in "${phases[@]}"; do
  case "$name" in
    release)
      build_and_test release "programs, load tools, script and chart tests" \
        -DIRSA_BUILD_TESTS=ON -DIRSA_BUILD_LAYER_TESTS=OFF -DIRSA_BUILD_LOAD_TOOLS=ON \
        -DIRSA_BUILD_BENCHMARKS=ON
      ;;
    asan)
      build_and_test asan "AddressSanitizer + UBSan: the layers' tests"
      ;;
    tsan)
      build_and_test tsan "ThreadSanitizer: the suites marked TSAN"
      ;;
    *)
      echo "make-test: unknown phase '$name' (release, asan or tsan)" >&2
      exit 2
      ;;
  esac
done
