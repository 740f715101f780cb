#!/usr/bin/env bash
# `make check-arm64`: the arm64 (Graviton) server binary is right, not only built. It is
# cross-compiled with Debian's cross compiler (scripts/cross-build.sh), then run
# under qemu-user (qemu-aarch64-static, called directly, so no binfmt_misc registration is
# needed) through the 24 upstream fixtures: the conformance suite's command-line cases run it in
# place of the native binary and must give the pods upstream's patches give. The example pods'
# previews must also be byte for byte the native binary's.
#
# Usage: scripts/check-arm64.sh   (installs the cross toolchain, the :arm64 packages and qemu first)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
log() { echo "check-arm64: $*"; }

bash scripts/install-deps.sh --arch arm64 --qemu
qemu="$(command -v qemu-aarch64-static || command -v qemu-aarch64 || true)"
[ -n "$qemu" ] || { log "no qemu-aarch64 (apt-get install qemu-user-static)"; exit 1; }

# The arm64 binary, cross-compiled as the image's build stage does it.
arm64="$(bash scripts/cross-build.sh arm64 | tail -n1)"

# The native binary and the conformance suite, in a build directory of their own (make test's
# release build carries no layer tests).
if [ ! -f build-conformance/build.ninja ]; then
  cmake --preset release -B build-conformance -DIRSA_BUILD_BENCHMARKS=OFF \
    -DIRSA_BUILD_LOAD_TOOLS=OFF >/dev/null
fi
cmake --build build-conformance --target irsa-webhook conformance_tests -j "$(nproc)"
native="$root/build-conformance/bin/irsa-webhook"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
printf '#!/bin/sh\nexec %s %s "$@"\n' "$qemu" "$arm64" >"$work/irsa-webhook-arm64"
chmod +x "$work/irsa-webhook-arm64"
log "arm64 under qemu: $("$work/irsa-webhook-arm64" --version)"

IRSA_WEBHOOK_UNDER_TEST="$work/irsa-webhook-arm64" build-conformance/bin/conformance_tests \
  --gtest_filter='*CommandLineGivesTheSamePodAsUpstream*' --gtest_brief=1

# The example pods, previewed by both binaries with a fixed token jitter: the same bytes.
compared=0
for pod in examples/*-pod.yaml; do
  args=(mutate "--pod=$pod" --service-account=examples/service-accounts.yaml
    --watch-container-credentials-config=examples/pod-identity-associations.json
    --token-jitter=min --output=pod)
  "$native" "${args[@]}" >"$work/native.yaml" 2>/dev/null
  "$work/irsa-webhook-arm64" "${args[@]}" >"$work/arm64.yaml" 2>/dev/null
  cmp -s "$work/native.yaml" "$work/arm64.yaml" || { log "$pod: the arm64 preview differs"; diff "$work/native.yaml" "$work/arm64.yaml" >&2; exit 1; }
  compared=$((compared + 1))
done
log "the 24 upstream fixtures give upstream's pods under arm64, and $compared example previews are byte for byte the native binary's"
