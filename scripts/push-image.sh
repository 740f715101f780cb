#!/usr/bin/env bash
# `make image-push IMAGE=registry/name:tag`: pushes what `make image` built under that name to the
# registry it names, with the engine's own login (`podman login REGISTRY` first): a manifest list
# with every image it holds (make image PLATFORMS=...), or the one image. DESTINATION, in the
# engine's transport syntax, sends it elsewhere than the registry (the image test pushes to an
# OCI layout folder, oci:DIR, and reads back what was sent).
#
# Usage: scripts/push-image.sh REGISTRY/NAME:TAG [DESTINATION]   (default docker://REGISTRY/NAME:TAG)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/container-engine.sh
source "$root/scripts/container-engine.sh"
log() { echo "push-image: $*" >&2; }

tag="${1:-}"
if [ -z "$tag" ]; then
  echo "usage: $0 REGISTRY/NAME:TAG   (make image-push IMAGE=...)" >&2
  exit 2
fi
# A name without a registry would go to whatever registry the engine searches first: refused
# (unless DESTINATION says where), so that nothing is pushed somewhere nobody meant.
first="${tag%%/*}"
if [ -z "${2:-}" ] && { [ "$first" = "$tag" ] ||
  { [[ "$first" != *.* ]] && [[ "$first" != *:* ]] && [ "$first" != localhost ]; }; }; then
  log "'$tag' names no registry; give the full name, e.g. ghcr.io/OWNER/irsa-webhook:0.1.0"
  exit 2
fi

destination="${2:-docker://$tag}"
if engine_is_podman && "$ENGINE" manifest exists "$tag" 2>/dev/null; then
  "$ENGINE" manifest push --all "$tag" "$destination"
  log "pushed the manifest list $tag to $destination with its $("$ENGINE" manifest inspect "$tag" | grep -c '"digest"') images"
elif "$ENGINE" image inspect "$tag" >/dev/null 2>&1; then
  if engine_is_podman; then
    "$ENGINE" push "$tag" "$destination"
  elif [ -z "${2:-}" ]; then
    "$ENGINE" push "$tag"
  else
    log "only podman pushes to another destination than the registry"
    exit 2
  fi
  log "pushed $tag to $destination"
else
  log "no image or manifest list named $tag here; build it first (make image IMAGE=$tag)"
  exit 1
fi
