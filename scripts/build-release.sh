#!/usr/bin/env bash
# Builds the release binary and stages what the container image holds, under OUT/rootfs:
#   /webhook                          the binary (where charts written for upstream start it)
#   /usr/local/bin/irsa-webhook       the same file under its own name
#   /usr/lib/<triplet>/*.so.*         every shared library it needs beyond the C and C++
#                                     runtimes (glibc, libstdc++, libgcc_s), which the runtime
#                                     image provides
#   /usr/share/doc/<package>/copyright  the licences of the libraries copied
# The Dockerfile's build stage runs this, and so does the test that checks the staged tree runs
# with nothing but the runtime image's libraries (tests/image/check-runtime.sh). With --arch
# naming another architecture than this machine's (the image's TARGETARCH), the binary is
# cross-compiled (scripts/cross-build.sh) and the libraries come from that architecture's
# multiarch directory.
#
# Usage: scripts/build-release.sh [--arch amd64|arm64] OUT
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
native_arch="$(dpkg --print-architecture)"
arch="$native_arch"
if [ "${1:-}" = --arch ]; then
  # Empty when the engine sets no TARGETARCH (a builder without multi-platform support): native.
  arch="${2:-}"
  [ -n "$arch" ] || arch="$native_arch"
  shift 2 || { echo "usage: $0 [--arch amd64|arm64] OUT" >&2; exit 2; }
fi
if [ "$#" -ne 1 ]; then
  echo "usage: $0 [--arch amd64|arm64] OUT" >&2
  exit 2
fi
out="$1"
rootfs="$out/rootfs"

if [ "$arch" = "$native_arch" ]; then
  bash "$root/scripts/build-server.sh"
  binary="$root/build/bin/irsa-webhook"
  # The multiarch directory of the platform built for (x86_64-linux-gnu, aarch64-linux-gnu, ...).
  triplet="$(gcc -dumpmachine)"
else
  binary="$(bash "$root/scripts/cross-build.sh" "$arch" | tail -n1)"
  # shellcheck source=scripts/multiarch.sh
  source "$root/scripts/multiarch.sh"
  triplet="$(multiarch_triplet "$arch")"
fi
rm -rf "$rootfs"
mkdir -p "$rootfs/usr/local/bin" "$rootfs/usr/lib/$triplet"
# binutils' strip reads every architecture it was built for; the cross one is used when present.
strip_tool="strip"
command -v "$triplet-strip" >/dev/null 2>&1 && strip_tool="$triplet-strip"
"$strip_tool" --strip-unneeded -o "$rootfs/webhook" "$binary"
cp "$rootfs/webhook" "$rootfs/usr/local/bin/irsa-webhook"

# The runtime image (distroless cc) has these; every other library the binary needs, directly or
# through another library, is copied. The ELF files' NEEDED entries are read rather than asking
# the loader (ldd), which cannot run a binary of another architecture.
is_runtime_library() {
  case "$1" in
    ld-linux-*.so.* | libc.so.* | libm.so.* | libstdc++.so.* | libgcc_s.so.*) return 0 ;;
    *) return 1 ;;
  esac
}
needed() { readelf -d "$1" | sed -n 's/.*(NEEDED).*Shared library: \[\(.*\)\]/\1/p'; }
find_library() {
  local dir
  for dir in "/usr/lib/$triplet" "/lib/$triplet"; do
    if [ -e "$dir/$1" ]; then
      echo "$dir/$1"
      return 0
    fi
  done
  return 1
}

copied=0
pending=("$binary")
declare -A seen=()
while [ "${#pending[@]}" -gt 0 ]; do
  file="${pending[0]}"
  pending=("${pending[@]:1}")
  while read -r soname; do
    [ -n "$soname" ] || continue
    is_runtime_library "$soname" && continue
    [ -z "${seen[$soname]:-}" ] || continue
    seen[$soname]=1
    path="$(find_library "$soname")" || {
      echo "build-release: $soname (needed by $(basename "$file")) is not in /usr/lib/$triplet" >&2
      exit 1
    }
    cp -L "$path" "$rootfs/usr/lib/$triplet/$soname"
    pending+=("$path")
    package="$(dpkg-query -S "$(readlink -f "$path")" 2>/dev/null | head -n1 | cut -d: -f1 || true)"
    if [ -n "$package" ] && [ -f "/usr/share/doc/$package/copyright" ]; then
      mkdir -p "$rootfs/usr/share/doc/$package"
      cp "/usr/share/doc/$package/copyright" "$rootfs/usr/share/doc/$package/copyright"
    fi
    copied=$((copied + 1))
  done < <(needed "$file")
done

echo "build-release: staged $rootfs for $arch (binary $(stat -c %s "$rootfs/webhook") bytes, $copied libraries)"
