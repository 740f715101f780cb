#!/usr/bin/env bash
# The release server binary for another architecture than this machine's, cross-compiled with
# Debian's cross compiler and the libraries' packages for that architecture (multiarch):
# build-ARCH/bin/irsa-webhook. The image's build stage runs it (through scripts/build-release.sh
# --arch) when asked for a platform other than its own, and so does `make check-arm64`.
#
# Usage: scripts/cross-build.sh ARCH   (arm64 or amd64; prints the binary's path last)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
arch="${1:-}"
# shellcheck source=scripts/multiarch.sh
source "$root/scripts/multiarch.sh"
if ! triplet="$(multiarch_triplet "$arch")"; then
  echo "usage: $0 arm64|amd64" >&2
  exit 2
fi
log() { echo "cross-build: $*" >&2; }

bash "$root/scripts/install-deps.sh" --arch "$arch"

# The two -dev packages that cannot be installed beside their native twins (not Multi-Arch:
# same), unpacked with their shared libraries into build-ARCH-deps/ so that their CMake package
# files find what they name; the compiler and linker read them from there.
deps="$root/build-$arch-deps"
if [ ! -d "$deps/root/usr/lib/$triplet/cmake/simdjson" ]; then
  rm -rf "$deps"
  mkdir -p "$deps/debs"
  # As root, apt fetches as its _apt user unless told not to; that user cannot write here.
  (cd "$deps/debs" && apt-get download -qq -o APT::Sandbox::User=root "libsimdjson-dev:$arch" "libsimdjson14:$arch" \
    "libyaml-cpp-dev:$arch" "libyaml-cpp0.7:$arch" >/dev/null)
  for deb in "$deps"/debs/*.deb; do dpkg-deb -x "$deb" "$deps/root"; done
fi

build="$root/build-$arch"
# A build directory configured otherwise (another toolchain file) is made anew.
grep -qx "IRSA_CROSS_TRIPLET:[A-Z]*=$triplet" "$build/CMakeCache.txt" 2>/dev/null || rm -rf "$build"
if [ ! -f "$build/build.ninja" ]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_TOOLCHAIN_FILE="$root/cmake/toolchains/debian-multiarch.cmake" \
    -DIRSA_CROSS_TRIPLET="$triplet" \
    -DCMAKE_PREFIX_PATH="$deps/root/usr" \
    -DIRSA_BUILD_TESTS=OFF -DIRSA_BUILD_BENCHMARKS=OFF -DIRSA_BUILD_LOAD_TOOLS=OFF >/dev/null
fi
cmake --build "$build" --target irsa-webhook -j "$(nproc)" >&2
binary="$build/bin/irsa-webhook"
# The ELF header's machine, so that a build directory configured for something else is caught.
machine="$(readelf -h "$binary" | sed -n 's/^ *Machine: *//p')"
case "$arch:$machine" in
  arm64:AArch64 | amd64:*X86-64) ;;
  *)
    log "$binary is built for '$machine', not $arch"
    exit 1
    ;;
esac
echo "$binary"
