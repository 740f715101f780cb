#!/usr/bin/env bash
# The container engine the image targets use, and the options every build and run needs on this
# kind of machine, kept in this one place. Sourced, not run:
#
#   source scripts/container-engine.sh   # sets ENGINE and the arrays below, or fails saying why
#   "$ENGINE" "${ENGINE_RUN_OPTIONS[@]}" run ...
#
# ENGINE: $CONTAINER_ENGINE when set, else podman, else docker. Sourcing returns 1 when there is
# none (the caller's `set -e` then stops it).
# With podman, ENGINE_GLOBAL_OPTIONS picks the runc runtime and ENGINE_LIMITS sets the descriptor
# and process limits explicitly: crun, podman's default runtime, cannot set limits inside some
# sandboxes (a nested container, a CI runner), and runc can. On an ordinary machine both are
# harmless; IRSA_PODMAN_RUNTIME= (empty) keeps podman's own default runtime.

ENGINE="${CONTAINER_ENGINE:-}"
if [ -z "$ENGINE" ]; then
  if command -v podman >/dev/null 2>&1; then
    ENGINE=podman
  elif command -v docker >/dev/null 2>&1; then
    ENGINE=docker
  else
    echo "container-engine: neither podman nor docker is installed (scripts/install-deps.sh --image installs podman)" >&2
    return 1
  fi
fi

# Podman and docker differ in a few options (manifest lists, --arch, --runtime, limits).
engine_is_podman() { [ "$(basename "$ENGINE")" = podman ]; }

ENGINE_GLOBAL_OPTIONS=()
ENGINE_LIMITS=()
if engine_is_podman; then
  runtime="${IRSA_PODMAN_RUNTIME-runc}"
  if [ -n "$runtime" ]; then ENGINE_GLOBAL_OPTIONS+=(--runtime "$runtime"); fi
  # No higher than this shell's own hard limits, which a container cannot exceed.
  nofile="$(ulimit -Hn)"
  nproc="$(ulimit -Hu)"
  [ "$nofile" = unlimited ] || [ "$nofile" -gt 65536 ] && nofile=65536
  [ "$nproc" = unlimited ] || [ "$nproc" -gt 4096 ] && nproc=4096
  ENGINE_LIMITS+=(--ulimit "nofile=$nofile:$nofile" --ulimit "nproc=$nproc:$nproc")
fi
export ENGINE

# Whether IMAGE is present here as an image built for ARCH (amd64, arm64). A local manifest list
# of that name does not count: podman 4.3 builds FROM one on the list's image of another platform.
engine_image_has_arch() {
  "$ENGINE" image inspect "$1" >/dev/null 2>&1 &&
    [ "$("$ENGINE" image inspect --format '{{.Architecture}}' "$1" 2>/dev/null)" = "$2" ]
}
