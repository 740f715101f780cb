#!/usr/bin/env bash
# The image without a Docker daemon: runs scripts/build-release.sh (what the Dockerfile's build
# stage runs), then starts the staged tree in a chroot that holds only what the runtime image
# (distroless cc) provides: glibc, libstdc++ and libgcc_s. The binary must resolve every shared
# library there, run as user 65532, preview a mutation, and serve HTTPS.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work="$(mktemp -d /tmp/irsa-image-check.XXXXXX)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

fail() {
  echo "check-runtime: FAIL: $*" >&2
  exit 1
}

# chroot needs root; without it a user namespace stands in, where user 65532 does not exist.
as_root=()
if [ "$(id -u)" -ne 0 ]; then
  unshare -r true 2>/dev/null || { echo "check-runtime: skipped: neither root nor user namespaces"; exit 0; }
  as_root=("$(command -v unshare)" -r)
fi
chroot_bin="$(command -v chroot)"
in_image() { "${as_root[@]}" "$chroot_bin" "$@"; }
as_user=()
[ "$(id -u)" -eq 0 ] && as_user=(--userspec=65532:65532)

# 1. The Dockerfile runs that script and ships its tree on the runtime image named here.
dockerfile="$root/Dockerfile"
grep -Eq '^RUN bash scripts/build-release\.sh --arch "\$\{TARGETARCH\}" /out$' "$dockerfile" ||
  fail "the Dockerfile does not run scripts/build-release.sh --arch \"\${TARGETARCH}\" /out"
# shellcheck disable=SC2016  # the Dockerfile's own variable, matched as written
grep -Eq '^FROM --platform=\$BUILDPLATFORM .* AS build$' "$dockerfile" ||
  fail "the build stage does not run on the builder's platform (FROM --platform=\$BUILDPLATFORM)"
grep -Eq '^ARG RUNTIME_BASE=gcr\.io/distroless/cc-debian12:nonroot$' "$dockerfile" ||
  fail "the runtime base is not distroless cc by default"
# shellcheck disable=SC2016  # as above
grep -Eq '^FROM --platform=\$TARGETPLATFORM \$\{RUNTIME_BASE\}$' "$dockerfile" ||
  fail "the runtime stage is not built FROM \${RUNTIME_BASE} for the target's platform"
grep -Eq '^COPY --from=build /out/rootfs/ /$' "$dockerfile" || fail "the Dockerfile does not copy the staged tree"
grep -Eq '^USER 65532:65532$' "$dockerfile" || fail "the image does not run as 65532"
grep -Eq '^ENTRYPOINT \["/webhook"\]$' "$dockerfile" || fail "the entry point is not /webhook"

# 2. The staged tree, plus the runtime image's own libraries from this machine.
bash "$root/scripts/build-release.sh" "$work/out" >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; fail "build-release.sh failed"; }
image="$work/out/rootfs"
[ -x "$image/webhook" ] || fail "no /webhook in the staged tree"
cmp -s "$image/webhook" "$image/usr/local/bin/irsa-webhook" || fail "/usr/local/bin/irsa-webhook differs from /webhook"
triplet="$(gcc -dumpmachine)"
mkdir -p "$image/lib/$triplet" "$image/tmp" "$image/etc"
# The loader the binary names (/lib64/ld-linux-x86-64.so.2, /lib/ld-linux-aarch64.so.1, ...) must
# be the platform's own.
interpreter="$(readelf -l "$image/webhook" | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')"
case "$interpreter" in
  /lib64/ld-linux-*.so.* | /lib/ld-linux-*.so.*) ;;
  *) fail "unexpected interpreter $interpreter" ;;
esac
mkdir -p "$image$(dirname "$interpreter")"
cp -L "$interpreter" "$image$interpreter"
for lib in libc.so.6 libm.so.6 libstdc++.so.6 libgcc_s.so.1; do
  cp -L "/lib/$triplet/$lib" "$image/lib/$triplet/"
done
echo "65532:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin" >"$image/etc/passwd"

# The loader lists what it resolves and fails on the first library it cannot find.
resolves() { in_image "$image" "$interpreter" --list /webhook >"$work/resolved" 2>&1 && ! grep -q "not found" "$work/resolved"; }
resolves || fail "libraries missing from the image: $(tr -s ' \t\n' ' ' <"$work/resolved")"
# The check can fail: without one of the copied libraries the loader says so.
mv "$image/usr/lib/$triplet/libyaml-cpp.so.0.7" "$work/"
if resolves || ! grep -q "libyaml-cpp.so.0.7" "$work/resolved"; then
  fail "a missing library went unnoticed"
fi
mv "$work/libyaml-cpp.so.0.7" "$image/usr/lib/$triplet/"
resolves || fail "the library put back does not resolve"

# 3. It runs: the version, a mutation preview, the self-check's verdict, and the HTTPS server.
version="$(sed -n 's/^ *VERSION \([0-9][0-9.]*\)$/\1/p' "$root/CMakeLists.txt" | head -n1)"
[ -n "$version" ] || fail "no version in CMakeLists.txt"
got="$(in_image "${as_user[@]}" "$image" /webhook --version)"
[ "$got" = "irsa-webhook $version" ] || fail "/webhook --version said '$got'"
got="$(in_image "${as_user[@]}" "$image" /usr/local/bin/irsa-webhook --version)"
[ "$got" = "irsa-webhook $version" ] || fail "/usr/local/bin/irsa-webhook --version said '$got'"

cp "$root/examples/checkout-pod.yaml" "$root/examples/service-accounts.yaml" "$image/tmp/"
patch="$(in_image "${as_user[@]}" "$image" /webhook mutate --pod /tmp/checkout-pod.yaml --service-account /tmp/service-accounts.yaml)"
grep -q '"AWS_ROLE_ARN"' <<<"$patch" || fail "mutate inside the image gave no AWS_ROLE_ARN: $patch"

# An empty environment: the image has no env binary, so it is emptied before chroot starts.
set +e
verdict="$(env -i "${as_root[@]}" "$chroot_bin" "${as_user[@]}" "$image" /webhook self-check 2>&1)"
status=$?
set -e
[ "$status" -eq 1 ] || fail "self-check outside a mutated pod exited $status: $verdict"
grep -q "AWS_ROLE_ARN is not set" <<<"$verdict" || fail "self-check said: $verdict"

openssl req -x509 -nodes -days 1 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
  -subj /CN=irsa-webhook -addext subjectAltName=IP:127.0.0.1 \
  -keyout "$image/tmp/tls.key" -out "$image/tmp/tls.crt" 2>/dev/null
chmod 0644 "$image/tmp/tls.key"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
metrics_port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
# exec all the way down (subshell, unshare, chroot, the server), so that $! is the server's own
# PID: backgrounding the in_image function would leave a shell there, and killing that shell
# would orphan the server.
(exec "${as_root[@]}" "$chroot_bin" "${as_user[@]}" "$image" /webhook --in-cluster=false \
  --bind-address=127.0.0.1 --port="$port" --metrics-port="$metrics_port" \
  --tls-cert=/tmp/tls.crt --tls-key=/tmp/tls.key \
  --service-accounts=/tmp/service-accounts.yaml) >"$work/server.log" 2>&1 &
server_pid=$!
healthy=""
for _ in $(seq 1 100); do
  if healthy="$(curl -sS --cacert "$image/tmp/tls.crt" "https://127.0.0.1:$port/healthz" 2>/dev/null)"; then
    break
  fi
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; fail "the server inside the image exited"; }
  sleep 0.1
done
[ "$healthy" = "ok" ] || { cat "$work/server.log" >&2; fail "/healthz over HTTPS said '$healthy'"; }
kill -TERM "$server_pid"
wait "$server_pid" || true
pgrep -f "^/webhook --in-cluster=false --bind-address=127.0.0.1 --port=$port " >/dev/null &&
  fail "the server inside the image still runs after SIGTERM to $server_pid"
server_pid=""

echo "check-runtime: the staged image tree runs with only glibc, libstdc++ and libgcc_s beside it ($(find "$image/usr/lib/$triplet" -type f | wc -l) libraries copied, binary $(stat -c %s "$image/webhook") bytes)"
