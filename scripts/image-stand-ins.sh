#!/usr/bin/env bash
# Stand-ins for the two base images the Dockerfile names, for machines that cannot pull them
# (no route to Docker Hub or gcr.io, as on the project's build machines). Each is made once from
# Debian packages and tagged with the name the Dockerfile uses, so `build --pull=never` finds it:
#   docker.io/library/debian:bookworm       a minimal bookworm root filesystem (debootstrap)
#   gcr.io/distroless/cc-debian12:nonroot   what distroless cc holds: glibc, libstdc++, libgcc_s,
#                                           the CA bundle, /etc/passwd with nonroot (65532), no
#                                           shell and no package manager
# An image that already exists (pulled, or made by an earlier run) is left alone. This is a
# workaround for offline machines; where the registries can be reached, the build pulls the real
# bases and this script is not needed.
#
# Usage: scripts/image-stand-ins.sh   (needs root for debootstrap, and the Debian mirror)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/container-engine.sh
source "$root/scripts/container-engine.sh"

mirror="${IRSA_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
build_base=docker.io/library/debian:bookworm
runtime_base=gcr.io/distroless/cc-debian12:nonroot
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

exists() { "$ENGINE" image inspect "$1" >/dev/null 2>&1; }
log() { echo "image-stand-ins: $*" >&2; }

if exists "$build_base" && exists "$runtime_base"; then
  log "both bases present"
  exit 0
fi

command -v debootstrap >/dev/null || { log "debootstrap is missing (apt-get install debootstrap)"; exit 1; }
log "debootstrap --variant=minbase bookworm from $mirror"
debootstrap --variant=minbase bookworm "$work/bookworm" "$mirror" >"$work/debootstrap.log" 2>&1 || {
  tail -20 "$work/debootstrap.log" >&2
  exit 1
}
if ! exists "$build_base"; then
  # As the published image: no package lists and no downloaded packages.
  tar -C "$work/bookworm" -c --exclude='./var/lib/apt/lists/*' \
    --exclude='./var/cache/apt/archives/*.deb' . | "$ENGINE" import - "$build_base" >/dev/null
  log "made $build_base"
fi

if ! exists "$runtime_base"; then
  # The runtime base: the C and C++ runtimes with their loader, CA certificates and the users
  # distroless defines, nothing that could run a shell.
  cp /etc/resolv.conf "$work/bookworm/etc/resolv.conf"
  chroot "$work/bookworm" apt-get update -qq >"$work/apt.log" 2>&1 || { tail -20 "$work/apt.log" >&2; exit 1; }
  chroot "$work/bookworm" apt-get install -y -qq --no-install-recommends ca-certificates \
    >"$work/apt.log" 2>&1 || { tail -20 "$work/apt.log" >&2; exit 1; }
  cc="$work/cc"
  triplet="$(chroot "$work/bookworm" dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null ||
    gcc -dumpmachine)"
  mkdir -p "$cc/etc/ssl/certs" "$cc/lib/$triplet" "$cc/tmp" "$cc/home/nonroot"
  for library in "$work/bookworm/lib/$triplet"/{libc.so.6,libm.so.6,libstdc++.so.6*,libgcc_s.so.1,libdl.so.2,libpthread.so.0,librt.so.1} \
    "$work/bookworm/lib/$triplet"/ld-linux-*.so.*; do
    [ -e "$library" ] && cp -a "$library" "$cc/lib/$triplet/"
  done
  # The loader's own path (/lib64 on amd64, /lib on arm64) as the base system has it.
  for loader in "$work/bookworm"/lib64/ld-linux-*.so.* "$work/bookworm"/lib/ld-linux-*.so.*; do
    [ -e "$loader" ] || continue
    relative="${loader#"$work/bookworm"/}"
    mkdir -p "$cc/$(dirname "$relative")"
    cp -a "$(readlink -f "$loader")" "$cc/$relative"
  done
  cp "$work/bookworm/etc/ssl/certs/ca-certificates.crt" "$cc/etc/ssl/certs/"
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' >"$cc/etc/passwd"
  printf 'root:x:0:\nnobody:x:65534:\nnonroot:x:65532:\n' >"$cc/etc/group"
  chmod 1777 "$cc/tmp"
  chown 65532:65532 "$cc/home/nonroot"
  tar -C "$cc" -c . | "$ENGINE" import --change 'USER 65532:65532' --change 'WORKDIR /home/nonroot' - "$runtime_base" >/dev/null
  log "made $runtime_base"
fi
