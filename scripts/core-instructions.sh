#!/usr/bin/env bash
# Instructions per typical review, by callgrind: each case runs at two counts, and the
# difference divided by the difference in count is one steady-state review (start-up, reading
# the file and the first reviews' warm-up cancel out). Cases: plain (no role policy), policy (a
# three-rule policy that admits the pod), audit (the pod breaks its rule: admitted with a warning).
#
#   scripts/core-instructions.sh [BUILD_BIN_DIR]
set -euo pipefail
bin="${1:-build/bin}/core_instructions"
command -v valgrind >/dev/null || { echo "core-instructions: valgrind is missing (scripts/install-deps.sh)" >&2; exit 1; }
[ -x "$bin" ] || { echo "core-instructions: $bin is missing (make build)" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Instructions spent inside run_reviews for one case and count.
instructions() {
  valgrind --tool=callgrind --callgrind-out-file="$work/out" --toggle-collect='*run_reviews*' \
    "$bin" "$1" "$2" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
  grep -E '^summary:|^totals:' "$work/out" | head -1 | awk '{print $2}'
}

low=200
high=1200
printf '%-8s %s\n' case instructions/review
for case in plain policy audit; do
  a="$(instructions "$case" "$low")"
  b="$(instructions "$case" "$high")"
  printf '%-8s %d\n' "$case" $(( (b - a) / (high - low) ))
done
