#!/usr/bin/env bash
# The image scripts refuse what they cannot do, before any engine is called, with a message naming
# what is wrong: a platform the image is not built for, a push to a name without a registry, an
# architecture there is no cross compiler for. No container engine is needed (the engine is
# /bin/false, so a script that got as far as calling it fails differently).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export CONTAINER_ENGINE=/bin/false
failures=0

# expect STATUS PATTERN COMMAND...: the command exits STATUS and says PATTERN on stderr.
expect() {
  local want_status="$1" pattern="$2" status=0 err
  shift 2
  err="$("$@" 2>&1 >/dev/null)" || status=$?
  if [ "$status" -ne "$want_status" ] || ! grep -q -- "$pattern" <<<"$err"; then
    echo "FAIL: $* exited $status (want $want_status) saying: $err" >&2
    failures=$((failures + 1))
  else
    echo "ok: $* -> $status: $(head -n1 <<<"$err")"
  fi
}

expect 2 "'linux/s390x' is not a platform" env PLATFORMS=linux/amd64,linux/s390x \
  bash "$root/scripts/build-image.sh" example.com/irsa-webhook:1
expect 2 "'windows/amd64' is not a platform" env PLATFORMS=windows/amd64 \
  bash "$root/scripts/build-image.sh" example.com/irsa-webhook:1
expect 2 "needs podman" env PLATFORMS=linux/amd64,linux/arm64 \
  bash "$root/scripts/build-image.sh" example.com/irsa-webhook:1
expect 2 "names no registry" bash "$root/scripts/push-image.sh" irsa-webhook:dev
expect 2 "names no registry" bash "$root/scripts/push-image.sh" team/irsa-webhook:dev
expect 2 "usage" bash "$root/scripts/push-image.sh"
# A name with a registry gets past the check to the engine (here /bin/false: no such image).
expect 1 "no image or manifest list named ghcr.io/team/irsa-webhook:1" \
  bash "$root/scripts/push-image.sh" ghcr.io/team/irsa-webhook:1
expect 1 "no image or manifest list named localhost:5000/irsa-webhook:1" \
  bash "$root/scripts/push-image.sh" localhost:5000/irsa-webhook:1
[ "$(bash "$root/scripts/build-image.sh" --name-of example.com/irsa-webhook:1 arm64)" = example.com/irsa-webhook:1-arm64 ] ||
  { echo "FAIL: --name-of with a tag" >&2; failures=$((failures + 1)); }
[ "$(bash "$root/scripts/build-image.sh" --name-of localhost:5000/irsa-webhook amd64)" = localhost:5000/irsa-webhook:latest-amd64 ] ||
  { echo "FAIL: --name-of without a tag" >&2; failures=$((failures + 1)); }
expect 2 "takes arm64 or amd64" bash "$root/scripts/install-deps.sh" --arch s390x
expect 2 "own architecture" bash "$root/scripts/install-deps.sh" --arch "$(dpkg --print-architecture)"
expect 2 "usage" bash "$root/scripts/cross-build.sh" riscv64
expect 2 "usage" bash "$root/scripts/build-release.sh" --arch arm64

[ "$failures" -eq 0 ] || { echo "$failures check(s) failed" >&2; exit 1; }
