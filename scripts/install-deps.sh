#!/usr/bin/env bash
# Installs everything the build and the tests need, from Debian bookworm packages only.
# Idempotent: packages already present are not fetched again, so `make` can call it every time.
set -euo pipefail

packages=(
  g++ cmake ninja-build make pkg-config git curl openssl ca-certificates
  libboost1.81-dev libssl-dev
  nlohmann-json3-dev libspdlog-dev libfmt-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libsimdjson-dev libyaml-cpp-dev libcli11-dev
  clang llvm clang-format clang-tidy
  prometheus nginx-light
)

missing=()
for pkg in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  sudo_cmd=(sudo)
fi

echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
