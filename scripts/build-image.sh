#!/usr/bin/env bash
# `make image`: the container image from the Dockerfile, with podman or docker (whichever
# scripts/container-engine.sh finds). When a base image is neither present nor pullable (a machine
# without access to the registries), scripts/image-stand-ins.sh makes it from Debian packages and
# the build runs with --pull=never; otherwise the engine pulls the real bases as usual.
#
# Usage: scripts/build-image.sh [TAG]   (default irsa-webhook:dev)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=scripts/container-engine.sh
source "$root/scripts/container-engine.sh"
tag="${1:-irsa-webhook:dev}"
bases=(docker.io/library/debian:bookworm gcr.io/distroless/cc-debian12:nonroot)

log() { echo "build-image: $*" >&2; }
present() { "$ENGINE" image inspect "$1" >/dev/null 2>&1; }

pull_policy=()
missing=0
for base in "${bases[@]}"; do
  present "$base" && continue
  if ! timeout 120 "$ENGINE" pull -q "$base" >/dev/null 2>&1; then missing=1; fi
done
if [ "$missing" -eq 1 ]; then
  log "a base image cannot be pulled here; making stand-ins from Debian packages"
  bash "$root/scripts/image-stand-ins.sh"
  pull_policy=(--pull=never)
fi

started=$(date +%s)
"$ENGINE" "${ENGINE_GLOBAL_OPTIONS[@]}" build "${pull_policy[@]}" "${ENGINE_LIMITS[@]}" \
  -t "$tag" -f Dockerfile .
log "built $tag in $(($(date +%s) - started)) s ($("$ENGINE" image inspect --format '{{.Size}}' "$tag") bytes)"
