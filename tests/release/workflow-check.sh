#!/usr/bin/env bash
# The release workflow without GitHub: yamllint on .github/workflows/ (with the repository's
# .yamllint), tests/release/check_workflow.py on release.yml (it pushes the image the chart's
# defaults name, built and pushed with `make image` / `make image-push`), and the tag check the
# workflow starts with, scripts/release-version.sh, run against this tree and against copies with
# CMakeLists.txt or Chart.yaml out of step, where it must refuse the tag.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

status=0
fail() {
  echo "FAIL: $*" >&2
  status=1
}

if ! command -v yamllint >/dev/null 2>&1; then
  echo "workflow-check: yamllint is missing (scripts/install-deps.sh installs it)" >&2
  exit 1
fi
workflows=(.github/workflows/*.yml)
if ! yamllint --strict -c .yamllint "${workflows[@]}"; then
  fail "yamllint found problems in .github/workflows/"
fi

if ! python3 tests/release/check_workflow.py .github/workflows/release.yml; then
  fail "tests/release/check_workflow.py: release.yml does not do what a release must (above)"
fi

# The version as CMakeLists.txt states it, read here without the script under test.
version="$(grep -m 1 -oE 'VERSION[[:space:]]+[0-9]+\.[0-9]+\.[0-9]+' CMakeLists.txt | awk '{print $2}')"
[ -n "$version" ] || fail "no x.y.z VERSION found in CMakeLists.txt"

if ! printed="$(bash scripts/release-version.sh "v$version" 2>&1)"; then
  fail "scripts/release-version.sh refuses v$version, the version of CMakeLists.txt: $printed"
elif [ "$printed" != "$version" ]; then
  fail "scripts/release-version.sh v$version printed \"$printed\", not $version"
fi
for tag in "v$version.1" "$version" "v"; do
  if bash scripts/release-version.sh "$tag" >/dev/null 2>&1; then
    fail "scripts/release-version.sh accepts the tag \"$tag\" for version $version"
  fi
done

# A copy of the three files the script reads, each put out of step in turn: the tag must then
# be refused, and the message must name the file that disagrees.
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
refused_for() {
  local what="$1" file="$2" expression="$3"
  rm -rf "$work/tree"
  mkdir -p "$work/tree/scripts" "$work/tree/charts/irsa-webhook"
  cp scripts/release-version.sh "$work/tree/scripts/"
  cp CMakeLists.txt "$work/tree/"
  cp charts/irsa-webhook/Chart.yaml "$work/tree/charts/irsa-webhook/"
  sed -i -E "$expression" "$work/tree/$file"
  if cmp -s "$file" "$work/tree/$file"; then
    fail "the test's edit of $file ($expression) changed nothing; update the test"
    return
  fi
  local out
  if out="$(bash "$work/tree/scripts/release-version.sh" "v$version" 2>&1)"; then
    fail "scripts/release-version.sh accepts v$version although $what is not $version"
  elif ! grep -q "$what" <<<"$out"; then
    fail "scripts/release-version.sh refused v$version without naming $what: $out"
  fi
}
refused_for "project(... VERSION) in CMakeLists.txt" CMakeLists.txt \
  "s/^([[:space:]]*VERSION[[:space:]]+)[0-9]+\.[0-9]+\.[0-9]+/\19.9.9/"
refused_for "version in charts/irsa-webhook/Chart.yaml" charts/irsa-webhook/Chart.yaml \
  "s/^version:.*/version: 9.9.9/"
refused_for "appVersion in charts/irsa-webhook/Chart.yaml" charts/irsa-webhook/Chart.yaml \
  "s/^appVersion:.*/appVersion: \"9.9.9\"/"

if [ "$status" -eq 0 ]; then
  echo "workflow-check: ${#workflows[@]} workflow(s) lint clean; release.yml checked; tag check refuses mismatches"
fi
exit "$status"
