#!/usr/bin/env bash
# `make image-test`: the container image, built (scripts/build-image.sh) and run with podman or
# docker as a cluster would run it: read-only root filesystem, the image's own user, the serving
# pair and the example ServiceAccounts mounted read-only. It must answer /readyz and mutate the
# example review over TLS, run as 65532, hold no shell, and stop with exit 0 on SIGTERM within
# the shutdown timeout. Prints the image's size and the server's resident memory.
# With PLATFORMS (make image PLATFORMS=linux/amd64,linux/arm64), each platform's image of the
# manifest list goes through the same checks; one of another architecture runs under qemu-user
# through binfmt_misc, which the test registers when it can (root, qemu-user-static installed) and
# otherwise reports as not run.
#
# Usage: [PLATFORMS=...] tests/image/image-test.sh [TAG]   (default irsa-webhook:dev; built unless
#                                                           IRSA_IMAGE_PREBUILT=1)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=scripts/container-engine.sh
source "$root/scripts/container-engine.sh"
tag="${1:-irsa-webhook:dev}"
name="irsa-image-test-$$"
native="$(dpkg --print-architecture)"
work="$(mktemp -d /tmp/irsa-image-test.XXXXXX)"
engine() { "$ENGINE" "${ENGINE_GLOBAL_OPTIONS[@]}" "$@"; }
cleanup() {
  engine rm -f "$name" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "image-test: FAIL: $*" >&2
  engine logs "$name" 2>&1 | tail -20 >&2 || true
  exit 1
}
log() { echo "image-test: $*"; }

# The checks, on one image (IMAGE) of one architecture.
check_image() {
  local tag="$1" arch_option=()
  # The architecture the image is for, so that podman does not warn that it is not this machine's.
  [ -z "${2:-}" ] || ! engine_is_podman || arch_option=(--arch "$2")
  engine rm -f "$name" >/dev/null 2>&1 || true
  engine image inspect "$tag" >/dev/null 2>&1 || fail "no image $tag"
  # A serving pair for 127.0.0.1 that the image's user can read.
  openssl req -x509 -nodes -days 1 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
    -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
    -keyout "$work/tls.key" -out "$work/tls.crt" 2>/dev/null
  chmod 0755 "$work"
  chmod 0644 "$work/tls.key" "$work/tls.crt"
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
  metrics_port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"

  # The host's network: the test needs no network of its own, and a sandbox may not offer one.
  engine run "${arch_option[@]}" -d --name "$name" --network host --read-only "${ENGINE_LIMITS[@]}" \
    -v "$work:/config:ro" -v "$root/examples:/examples:ro" "$tag" \
    --in-cluster=false --bind-address=127.0.0.1 --port="$port" --metrics-port="$metrics_port" \
    --tls-cert=/config/tls.crt --tls-key=/config/tls.key \
    --service-accounts=/examples/service-accounts.yaml \
    --watch-container-credentials-config=/examples/pod-identity-associations.json \
    --shutdown-timeout=10s >/dev/null || fail "the container did not start"

  ready=0
  for _ in $(seq 1 100); do
    if curl -sf --cacert "$work/tls.crt" "https://127.0.0.1:$port/readyz" >/dev/null 2>&1; then
      ready=1
      break
    fi
    sleep 0.1
  done
  [ "$ready" -eq 1 ] || fail "/readyz did not answer 200 within 10 s"
  log "/readyz: 200"

  # The example review, mutated as the e2e checks it: the role, the token file, the volume.
  answer="$(curl -sf --cacert "$work/tls.crt" -H 'Content-Type: application/json' \
    --data-binary @"$root/examples/reviews/checkout.json" "https://127.0.0.1:$port/mutate")" ||
    fail "/mutate failed"
  [ "$(jq -r .response.allowed <<<"$answer")" = true ] || fail "the review was not allowed: $answer"
  patch="$(jq -r .response.patch <<<"$answer" | base64 -d)"
  jq -e 'any(.[]; .path == "/spec/volumes/0" and .value.name == "aws-iam-token")' <<<"$patch" >/dev/null ||
    fail "no token volume in the patch"
  grep -q 'arn:aws:iam::111122223333:role/checkout-api' <<<"$patch" || fail "no role in the patch"
  grep -q '/var/run/secrets/eks.amazonaws.com/serviceaccount/token' <<<"$patch" ||
    fail "no token file in the patch"
  log "/mutate: the example review is mutated (role, token file, volume)"

  pid="$(engine inspect --format '{{.State.Pid}}' "$name")"
  [ "$(stat -c %u "/proc/$pid")" = 65532 ] || fail "the server runs as uid $(stat -c %u "/proc/$pid"), not 65532"
  [ "$(engine inspect --format '{{.HostConfig.ReadonlyRootfs}}' "$name")" = true ] ||
    fail "the root filesystem is not read-only"
  if engine run "${arch_option[@]}" --rm --entrypoint /bin/sh "$tag" -c true >/dev/null 2>&1; then
    fail "the image has a shell"
  fi
  log "runs as 65532 on a read-only root filesystem; no /bin/sh in the image"
  rss_kib="$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status")"

  started=$(date +%s%N)
  engine stop -t 15 "$name" >/dev/null
  stopped_ms=$((($(date +%s%N) - started) / 1000000))
  code="$(engine inspect --format '{{.State.ExitCode}}' "$name")"
  [ "$code" = 0 ] || fail "exit status $code after SIGTERM"
  [ "$stopped_ms" -lt 11000 ] || fail "it took $stopped_ms ms to stop (shutdown timeout 10 s)"
  size="$(engine image inspect --format '{{.Size}}' "$tag")"
  log "SIGTERM: exit 0 after $stopped_ms ms"
  log "image $tag: $((size / 1000000)) MB; resident memory serving: $((rss_kib / 1024)) MiB"
}

# Whether binaries of ARCH run here: this machine's own, or registered with binfmt_misc (done here
# from qemu-user-static's own registration file when possible, with the F flag, so that the
# interpreter works inside containers too).
runs_here() {
  local arch="$1" qemu_name conf
  [ "$arch" != "$native" ] || return 0
  case "$arch" in
    arm64) qemu_name=qemu-aarch64 ;;
    amd64) qemu_name=qemu-x86_64 ;;
    *) return 1 ;;
  esac
  [ -f "/proc/sys/fs/binfmt_misc/$qemu_name" ] && return 0
  conf="/usr/lib/binfmt.d/$qemu_name.conf"
  [ -f "$conf" ] && [ "$(id -u)" -eq 0 ] || return 1
  [ -f /proc/sys/fs/binfmt_misc/register ] ||
    mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc 2>/dev/null || return 1
  grep -v '^#' "$conf" | head -n1 >/proc/sys/fs/binfmt_misc/register 2>/dev/null || return 1
  [ -f "/proc/sys/fs/binfmt_misc/$qemu_name" ]
}

platforms="${PLATFORMS:-}"
if [ "${IRSA_IMAGE_PREBUILT:-0}" != 1 ]; then PLATFORMS="$platforms" bash "$root/scripts/build-image.sh" "$tag"; fi
if [ -z "$platforms" ]; then
  check_image "$tag"
  exit 0
fi
IFS=, read -r -a requested <<<"$platforms"
not_run=()
for platform in "${requested[@]}"; do
  arch="${platform#linux/}"
  image="$tag"
  [ "${#requested[@]}" -eq 1 ] || image="$(bash "$root/scripts/build-image.sh" --name-of "$tag" "$arch")"
  if ! runs_here "$arch"; then
    log "$platform: built ($image) but not run: $arch programs do not run here (no binfmt_misc registration for qemu-user)"
    not_run+=("$platform")
    continue
  fi
  [ "$(engine image inspect --format '{{.Architecture}}' "$image")" = "$arch" ] ||
    fail "$image is not an $arch image"
  log "$platform: $image"
  check_image "$image" "$arch"
done
[ "${#not_run[@]}" -eq 0 ] || log "not run: ${not_run[*]}"

# What `make image-push` sends, pushed to an OCI layout folder instead of a registry: an index
# naming one image per platform asked for.
if [ "${#requested[@]}" -gt 1 ]; then
  bash "$root/scripts/push-image.sh" "$tag" "oci:$work/pushed" >/dev/null 2>&1 ||
    fail "make image-push could not push the list to an OCI layout"
  pushed="$(python3 - "$work/pushed" <<'PY'
import json, os, sys
layout = sys.argv[1]
index = json.load(open(os.path.join(layout, "index.json")))
# podman writes the list itself as the layout's one entry; its blob names the platforms.
entry = index["manifests"][0]
algorithm, digest = entry["digest"].split(":")
inner = json.load(open(os.path.join(layout, "blobs", algorithm, digest)))
print(",".join(sorted("%s/%s" % (m["platform"]["os"], m["platform"]["architecture"]) for m in inner["manifests"])))
PY
)"
  want="$(tr ',' '\n' <<<"$platforms" | sort | paste -sd, -)"
  [ "$pushed" = "$want" ] || fail "the pushed list names $pushed, not $want"
  log "make image-push sends a manifest list of $pushed (pushed to an OCI layout here)"
fi
