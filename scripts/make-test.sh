#!/usr/bin/env bash
# `make test` (and CI, through .ci/run): every test, each compiled once, in three builds:
#   release  the programs and the tests of the scripts, the chart and the image
#            (script_tests.cmake); not the benchmarks, which no test runs (`make build` and the
#            bench targets build them)
#   asan     the layers' GoogleTest suites, the fakes', and the load tools with their tests
#            (load_tool_tests.cmake), under AddressSanitizer + UBSan (clang)
#   tsan     the suites marked TSAN in tests/layer_tests.cmake under ThreadSanitizer (clang)
# then checks that no process a test started is still running, and prints the three counts. Each
# build after the first compiles while the previous build's tests run.
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

# What each build holds, and the CMake options that make it so.
holds_of() {
  case "$1" in
    release) echo "programs, script and chart tests" ;;
    asan) echo "AddressSanitizer + UBSan: the layers' tests, the load tools'" ;;
    tsan) echo "ThreadSanitizer: the suites marked TSAN" ;;
  esac
}
options_of() {
  case "$1" in
    release)
      echo -DIRSA_BUILD_TESTS=ON -DIRSA_BUILD_LAYER_TESTS=OFF -DIRSA_BUILD_LOAD_TOOLS=OFF \
        -DIRSA_BUILD_BENCHMARKS=OFF
      ;;
  esac
}

build() {
  # shellcheck disable=SC2046  # the options are words on purpose
  cmake --preset "$1" $(options_of "$1") >/dev/null
  # Clang's memory in transparent huge pages (where the kernel offers them on request): fewer
  # page faults, which cost the most on virtual machines; 10% less time per clang compile there.
  # For the compilers only: the tests' processes keep the default.
  GLIBC_TUNABLES="${GLIBC_TUNABLES:+$GLIBC_TUNABLES:}glibc.malloc.hugetlb=1" \
    cmake --build --preset "$1" -j "$jobs"
}

for name in "${phases[@]}"; do
  case "$name" in
    release | asan | tsan) ;;
    *)
      echo "make-test: unknown phase '$name' (release, asan or tsan)" >&2
      exit 2
      ;;
  esac
done

# Each build after the first compiles while the tests of the one before run, at the lowest
# priority: the tests mostly wait, and the compiler takes the time they leave, without taking it
# from them. Its output is shown once the tests are done.
phase "${phases[0]} build ($(holds_of "${phases[0]}"))"
build "${phases[0]}"
for index in "${!phases[@]}"; do
  name="${phases[$index]}"
  next="${phases[$((index + 1))]:-}"
  next_log=""
  if [ -n "$next" ]; then
    next_log="$(mktemp)"
    (nice -n 19 bash -c "$(declare -f options_of build); jobs=$jobs; build $next") \
      >"$next_log" 2>&1 &
    next_build=$!
  fi
  phase "$name tests"
  tests_status=0
  run_ctest "$name" || tests_status=$?
  if [ -n "$next" ]; then
    build_status=0
    wait "$next_build" || build_status=$?
    phase "$next build ($(holds_of "$next"), compiled during the $name tests)"
    cat "$next_log"
    rm -f "$next_log"
    [ "$build_status" -eq 0 ] || exit "$build_status"
  fi
  [ "$tests_status" -eq 0 ] || exit "$tests_status"
done
