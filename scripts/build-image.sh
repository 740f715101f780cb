#!/usr/bin/env bash
# `make image`: the container image from the Dockerfile, with podman or docker (whichever
# scripts/container-engine.sh finds).
#   PLATFORMS unset     one image for this machine's platform, tagged TAG
#   PLATFORMS=a,b,...   (linux/amd64, linux/arm64) with podman, a manifest list named TAG holding
#                       one image per platform, as registries serve multi-arch images, each also
#                       tagged TAG-ARCH here (irsa-webhook:dev-arm64) to run it; `make
#                       image-push` pushes the list with its images. The Dockerfile cross-compiles
#                       in a build stage of this machine's platform, so no emulation is needed.
# When a base image is neither present for a platform nor pullable (a machine without access to
# the registries), scripts/image-stand-ins.sh makes it from Debian packages and the build runs
# with --pull=never; otherwise the engine pulls the real bases as usual.
#
# Usage: [PLATFORMS=linux/amd64,linux/arm64] scripts/build-image.sh [TAG]   (default irsa-webhook:dev)
#        scripts/build-image.sh --name-of TAG ARCH   (prints the name of TAG's ARCH image)
set -euo pipefail

# TAG-ARCH: the tag part gets the suffix (a name without a tag is :latest, as engines read it).
name_of() {
  local tag="$1" arch="$2"
  [[ "${tag##*/}" == *:* ]] || tag="$tag:latest"
  echo "$tag-$arch"
}
if [ "${1:-}" = --name-of ]; then
  name_of "$2" "$3"
  exit 0
fi
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=scripts/container-engine.sh
source "$root/scripts/container-engine.sh"
tag="${1:-irsa-webhook:dev}"
platforms="${PLATFORMS:-}"
build_base=docker.io/library/debian:bookworm
runtime_base=gcr.io/distroless/cc-debian12:nonroot
native="$(dpkg --print-architecture)"

log() { echo "build-image: $*" >&2; }
engine() { "$ENGINE" "${ENGINE_GLOBAL_OPTIONS[@]}" "$@"; }

# The architectures asked for, checked before anything is built.
arches=()
if [ -n "$platforms" ]; then
  IFS=, read -r -a requested <<<"$platforms"
  for platform in "${requested[@]}"; do
    case "$platform" in
      linux/amd64 | linux/arm64) arches+=("${platform#linux/}") ;;
      *)
        log "PLATFORMS: '$platform' is not a platform this image is built for (linux/amd64, linux/arm64)"
        exit 2
        ;;
    esac
  done
  if [ "${#arches[@]}" -gt 1 ] && ! engine_is_podman; then
    log "a multi-platform image needs podman here: docker keeps no manifest list in its local store (docker buildx build --platform $platforms --push -t $tag . builds and pushes one)"
    exit 2
  fi
else
  arches=("$native")
fi

# Each base for each architecture it is needed in: present, or pulled, or else made.
build_options=()
stand_ins=0
engine_image_has_arch "$build_base" "$native" ||
  timeout 120 "$ENGINE" pull -q "$build_base" >/dev/null 2>&1 || stand_ins=1
for arch in "${arches[@]}"; do
  engine_image_has_arch "$runtime_base" "$arch" ||
    timeout 120 "$ENGINE" pull -q --platform "linux/$arch" "$runtime_base" >/dev/null 2>&1 || stand_ins=1
done
if [ "$stand_ins" -eq 1 ]; then
  log "a base image cannot be pulled here; making stand-ins from Debian packages"
  bash "$root/scripts/image-stand-ins.sh" "${arches[@]}"
  build_options=(--pull=never)
fi

# The build stage's platform (FROM --platform=$BUILDPLATFORM): BuildKit and newer podman set it
# themselves, podman before 4.4 does not, and would then build that stage for the target's
# platform (under emulation, or not at all with --pull=never). Given here for all.
build_options+=(--build-arg "BUILDPLATFORM=linux/$native")

# build_one ARCH NAME [OPTION...]: one image, on the architecture's stand-in runtime base if
# stand-ins are in use (image-stand-ins.sh says why each architecture's has a name of its own).
build_one() {
  local arch="$1" name="$2"
  shift 2
  local options=("${build_options[@]}")
  [ "$stand_ins" -eq 0 ] ||
    options+=(--build-arg "RUNTIME_BASE=localhost/irsa-stand-in/cc-debian12:nonroot-$arch")
  engine build "${options[@]}" "${ENGINE_LIMITS[@]}" "$@" -t "$name" -f Dockerfile .
}

started=$(date +%s)
if [ -z "$platforms" ]; then
  build_one "$native" "$tag"
  log "built $tag in $(($(date +%s) - started)) s ($("$ENGINE" image inspect --format '{{.Size}}' "$tag") bytes)"
  exit 0
fi
if [ "${#arches[@]}" -eq 1 ]; then
  build_one "${arches[0]}" "$tag" --platform "$platforms"
  log "built $tag for $platforms in $(($(date +%s) - started)) s"
  exit 0
fi
# One build per platform, each tagged TAG-ARCH, then the list of them named TAG (rebuilt, so that
# no image of an earlier build stays in it).
for arch in "${arches[@]}"; do
  build_one "$arch" "$(name_of "$tag" "$arch")" --platform "linux/$arch"
done
"$ENGINE" manifest rm "$tag" >/dev/null 2>&1 || "$ENGINE" rmi "$tag" >/dev/null 2>&1 || true
"$ENGINE" manifest create "$tag" >/dev/null
for arch in "${arches[@]}"; do
  # By ID: the storage transport reads a short name as docker.io's, not as the local one.
  id="$("$ENGINE" image inspect --format '{{.Id}}' "$(name_of "$tag" "$arch")")"
  "$ENGINE" manifest add "$tag" "containers-storage:$id" >/dev/null
done
log "built the manifest list $tag in $(($(date +%s) - started)) s:"
for arch in "${arches[@]}"; do
  image="$(name_of "$tag" "$arch")"
  log "  linux/$arch: $image ($("$ENGINE" image inspect --format '{{.Architecture}} {{.Size}}' "$image") bytes)"
done
