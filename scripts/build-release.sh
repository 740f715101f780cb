#!/usr/bin/env bash
# Builds the release binary and stages what the container image holds, under OUT/rootfs:
#   /webhook                          the binary (where charts written for upstream start it)
#   /usr/local/bin/irsa-webhook       the same file under its own name
#   /usr/lib/<triplet>/*.so.*         every shared library it needs beyond the C and C++
#                                     runtimes (glibc, libstdc++, libgcc_s), which the runtime
#                                     image provides
#   /usr/share/doc/<package>/copyright  the licences of the libraries copied
# The Dockerfile's build stage runs this, and so does the test that checks the staged tree runs
# with nothing but the runtime image's libraries (tests/image/check-runtime.sh).
#
# Usage: scripts/build-release.sh OUT
set -euo pipefail

if [ "$#" -ne 1 ]; then
  echo "usage: $0 OUT" >&2
  exit 2
fi
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$1"
rootfs="$out/rootfs"

bash "$root/scripts/build-server.sh"

binary="$root/build/bin/irsa-webhook"
# The multiarch directory of the platform built for (x86_64-linux-gnu, aarch64-linux-gnu, ...).
triplet="$(gcc -dumpmachine)"
rm -rf "$rootfs"
mkdir -p "$rootfs/usr/local/bin" "$rootfs/usr/lib/$triplet"
strip --strip-unneeded -o "$rootfs/webhook" "$binary"
cp "$rootfs/webhook" "$rootfs/usr/local/bin/irsa-webhook"

# The runtime image (distroless cc) has these; everything else ldd lists is copied.
is_runtime_library() {
  case "$1" in
    linux-vdso.so.* | ld-linux-*.so.* | libc.so.* | libm.so.* | libstdc++.so.* | libgcc_s.so.*)
      return 0 ;;
    *) return 1 ;;
  esac
}

copied=0
while read -r soname _ path _; do
  is_runtime_library "$soname" && continue
  if [ -z "${path:-}" ] || [ "$path" = "not" ]; then
    echo "build-release: $soname is not found on this machine" >&2
    exit 1
  fi
  cp -L "$path" "$rootfs/usr/lib/$triplet/$soname"
  package="$(dpkg-query -S "$(readlink -f "$path")" 2>/dev/null | head -n1 | cut -d: -f1 || true)"
  if [ -n "$package" ] && [ -f "/usr/share/doc/$package/copyright" ]; then
    mkdir -p "$rootfs/usr/share/doc/$package"
    cp "/usr/share/doc/$package/copyright" "$rootfs/usr/share/doc/$package/copyright"
  fi
  copied=$((copied + 1))
done < <(ldd "$binary" | awk 'NF >= 2 && $2 == "=>" {print $1, $2, $3, $4}')

echo "build-release: staged $rootfs (binary $(stat -c %s "$rootfs/webhook") bytes, $copied libraries)"
