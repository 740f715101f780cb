#!/usr/bin/env bash
# The version a release tag stands for, checked against the three places that state it: the
# project(... VERSION) of the top-level CMakeLists.txt (what `irsa-webhook --version` prints), and
# `version` and `appVersion` of charts/irsa-webhook/Chart.yaml (the chart's package and the image
# tag it deploys by default). The release workflow runs this first, so a tag that disagrees with
# any of them stops the release before anything is built or pushed.
#
#   scripts/release-version.sh v0.1.0    prints 0.1.0, or says which file disagrees and exits 1
#
# Plain bash and sed, no YAML library: the release runner has only what its image ships.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

tag="${1:-}"
if [ -z "$tag" ] || [ "$#" -ne 1 ]; then
  echo "usage: $0 vX.Y.Z" >&2
  exit 2
fi
case "$tag" in
  v[0-9]*) version="${tag#v}" ;;
  *)
    echo "release-version: the tag \"$tag\" is not v<version> (for example v0.1.0)" >&2
    exit 1
    ;;
esac

# project( may spread over several lines; its VERSION is the first one after it.
cmake_version="$(sed -n '/^project(/,/)/p' "$root/CMakeLists.txt" |
  sed -n 's/^.*VERSION[[:space:]]\{1,\}\([0-9][0-9A-Za-z.+-]*\).*$/\1/p' | head -n 1)"
# Top-level keys only (no indentation), with the quotes YAML allows around a string removed.
chart_key() {
  sed -n "s/^$1:[[:space:]]*[\"']\{0,1\}\([^\"' #]*\)[\"']\{0,1\}[[:space:]]*\(#.*\)\{0,1\}$/\1/p" \
    "$root/charts/irsa-webhook/Chart.yaml" | head -n 1
}
chart_version="$(chart_key version)"
app_version="$(chart_key appVersion)"

status=0
check() {
  local what="$1" found="$2"
  if [ -z "$found" ]; then
    echo "release-version: no $what found" >&2
    status=1
  elif [ "$found" != "$version" ]; then
    echo "release-version: the tag $tag says $version, but $what is $found" >&2
    status=1
  fi
}
check "project(... VERSION) in CMakeLists.txt" "$cmake_version"
check "version in charts/irsa-webhook/Chart.yaml" "$chart_version"
check "appVersion in charts/irsa-webhook/Chart.yaml" "$app_version"
if [ "$status" -ne 0 ]; then
  echo "release-version: set all three to the tag's version (or tag the version they state)" >&2
  exit 1
fi
echo "$version"
