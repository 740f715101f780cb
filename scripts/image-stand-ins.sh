#!/usr/bin/env bash
# Stand-ins for the two base images the Dockerfile names, for machines that cannot pull them
# (no route to Docker Hub or gcr.io, as on the project's build machines), made from Debian
# packages and tagged with the names the Dockerfile uses, so that `build --pull=never` finds them:
#   docker.io/library/debian:bookworm       the build stage's base, for this machine's architecture
#                                           only (the build stage runs on the builder's platform):
#                                           a minimal bookworm root filesystem (debootstrap)
#   localhost/irsa-stand-in/cc-debian12:nonroot-ARCH
#                                           the runtime base, for each architecture asked for:
#                                           what distroless cc holds (glibc, libstdc++, libgcc_s,
#                                           the CA bundle, /etc/passwd with nonroot 65532), no
#                                           shell and no package manager; scripts/build-image.sh
#                                           names it in the build argument RUNTIME_BASE
#   gcr.io/distroless/cc-debian12:nonroot   this machine's architecture's, for a plain
#                                           `podman build --pull=never .`
# Each platform's build names its own stand-in rather than leaving the engine to pick one from a
# local manifest list, which podman 4.3 got wrong (it built the arm64 image on the amd64 one).
# What exists already (pulled, or made by an earlier run) is kept. This is a workaround for
# offline machines; where the registries can be reached, the build pulls the real bases and this
# script is not needed.
#
# Usage: scripts/image-stand-ins.sh [ARCH...]   (amd64, arm64; default this machine's. Needs root
#                                                and the Debian mirror)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/container-engine.sh
source "$root/scripts/container-engine.sh"

mirror="${IRSA_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
build_base=docker.io/library/debian:bookworm
runtime_base=gcr.io/distroless/cc-debian12:nonroot
# Where each architecture's runtime stand-in lives (scripts/build-image.sh names it in RUNTIME_BASE).
runtime_part=localhost/irsa-stand-in/cc-debian12
native="$(dpkg --print-architecture)"
arches=("$@")
[ "${#arches[@]}" -gt 0 ] || arches=("$native")
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

exists() { "$ENGINE" image inspect "$1" >/dev/null 2>&1; }
log() { echo "image-stand-ins: $*" >&2; }
# shellcheck source=scripts/multiarch.sh
source "$root/scripts/multiarch.sh"
triplet_of() {
  multiarch_triplet "$1" 2>/dev/null && return 0
  log "no stand-in for architecture '$1' (amd64 or arm64)"
  exit 2
}
for arch in "${arches[@]}"; do triplet_of "$arch" >/dev/null; done

missing=()
for arch in "${arches[@]}"; do exists "$runtime_part:nonroot-$arch" || missing+=("$arch"); done

if exists "$build_base" && [ "${#missing[@]}" -eq 0 ] && exists "$runtime_base"; then
  log "the bases are present (runtime base for ${arches[*]})"
  exit 0
fi

if ! exists "$build_base"; then
  command -v debootstrap >/dev/null || { log "debootstrap is missing (apt-get install debootstrap)"; exit 1; }
  log "debootstrap --variant=minbase bookworm from $mirror"
  debootstrap --variant=minbase bookworm "$work/bookworm" "$mirror" >"$work/debootstrap.log" 2>&1 || {
    tail -20 "$work/debootstrap.log" >&2
    exit 1
  }
  # As the published image: no package lists and no downloaded packages.
  tar -C "$work/bookworm" -c --exclude='./var/lib/apt/lists/*' \
    --exclude='./var/cache/apt/archives/*.deb' . | "$ENGINE" import - "$build_base" >/dev/null
  log "made $build_base"
fi

# One architecture's runtime base, from that architecture's packages unpacked (nothing of them
# runs, so no emulation is needed): the C and C++ runtimes with their loader, the CA bundle and
# the users distroless defines, nothing that could run a shell.
make_runtime() {
  local arch="$1" triplet unpacked cc name
  triplet="$(triplet_of "$arch")"
  unpacked="$work/debs-$arch"
  cc="$work/cc-$arch"
  name="$runtime_part:nonroot-$arch"
  if [ "$arch" != "$native" ] && ! dpkg --print-foreign-architectures | grep -qx "$arch"; then
    dpkg --add-architecture "$arch"
    apt-get update -qq
  fi
  mkdir -p "$unpacked" "$cc/etc/ssl/certs" "$cc/tmp" "$cc/home/nonroot"
  # As root, apt fetches as its _apt user unless told not to; that user cannot write here.
  (cd "$unpacked" && apt-get download -qq -o APT::Sandbox::User=root "libc6:$arch" "libstdc++6:$arch" "libgcc-s1:$arch" \
    ca-certificates >/dev/null)
  local deb
  for deb in "$unpacked"/*.deb; do dpkg-deb -x "$deb" "$unpacked/root"; done
  local file relative
  while read -r file; do
    relative="${file#"$unpacked/root/"}"
    mkdir -p "$cc/$(dirname "$relative")"
    cp -a "$file" "$cc/$relative"
  done < <(find "$unpacked/root" \( -path "*/$triplet/*" -o -path "*/lib64/*" -o -path "*/lib/ld-linux*" \) \
    \( -name 'libc.so.6' -o -name 'libm.so.6' -o -name 'libstdc++.so.6*' -o -name 'libgcc_s.so.1' \
    -o -name 'libdl.so.2' -o -name 'libpthread.so.0' -o -name 'librt.so.1' -o -name 'ld-linux-*.so.*' \) \
    ! -name '*.py') # not libstdc++'s gdb script, which lives under a path of the same shape

  # The bundle update-ca-certificates would write: every certificate the package ships, in order.
  find "$unpacked/root/usr/share/ca-certificates/mozilla" -name '*.crt' | LC_ALL=C sort |
    xargs cat >"$cc/etc/ssl/certs/ca-certificates.crt"
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' >"$cc/etc/passwd"
  printf 'root:x:0:\nnobody:x:65534:\nnonroot:x:65532:\n' >"$cc/etc/group"
  chmod 1777 "$cc/tmp"
  chown 65532:65532 "$cc/home/nonroot"
  [ -e "$cc/lib/$triplet/libc.so.6" ] || [ -e "$cc/usr/lib/$triplet/libc.so.6" ] ||
    { log "libc6:$arch held no libc.so.6 under $triplet"; exit 1; }
  local arch_option=()
  if engine_is_podman; then arch_option=(--arch "$arch"); fi
  tar -C "$cc" -c . | "$ENGINE" import "${arch_option[@]}" --change 'USER 65532:65532' \
    --change 'WORKDIR /home/nonroot' - "$name" >/dev/null
  log "made the $arch runtime base"
}

for arch in "${missing[@]}"; do make_runtime "$arch"; done
# The name the Dockerfile uses by default, for this machine's architecture, unless it is there
# already (pulled from the registry, or made before).
if ! exists "$runtime_base" && exists "$runtime_part:nonroot-$native"; then
  "$ENGINE" tag "$runtime_part:nonroot-$native" "$runtime_base"
  log "tagged the $native runtime base $runtime_base"
fi
