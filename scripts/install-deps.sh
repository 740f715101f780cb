#!/usr/bin/env bash
# Installs everything the build and the tests need, from Debian bookworm packages only.
# Idempotent: packages already present are not fetched again, so `make` can call it every time.
set -euo pipefail

# What building the server binary needs: `make run` and the image's build stage (through
# scripts/build-server.sh) install these and nothing more.
packages=(
  g++ cmake ninja-build make pkg-config git curl openssl ca-certificates
  libboost1.81-dev libssl-dev
  nlohmann-json3-dev libspdlog-dev libfmt-dev
  libsimdjson-dev libyaml-cpp-dev libcli11-dev libpugixml-dev
)
# --build-only stops there; the tests, benchmarks and tools want the rest, helm included.
# --image: what the image targets need instead (make image, make image-test): a container
# engine (podman, with runc), debootstrap for base images that cannot be pulled, and the tools
# the image test drives it with (qemu-user-static runs another architecture's image). Nothing
# else, so the test machines do not carry podman.
# --arch ARCH (arm64 or amd64, the other one than this machine's): what cross-compiling the server
# for ARCH needs (scripts/cross-build.sh): Debian's cross compiler and the libraries' ARCH packages
# beside the native ones (multiarch; the architecture is added to dpkg first). --qemu with it adds
# qemu-user-static, to run what was built (scripts/check-arm64.sh).
build_only=0
image=0
cross=""
qemu=0
usage() {
  echo "usage: $0 [--build-only | --image | --arch arm64|amd64 [--qemu]]" >&2
  exit 2
}
while [ "$#" -gt 0 ]; do
  case "$1" in
    --build-only) build_only=1 ;;
    --image) image=1 ;;
    --arch)
      cross="${2:-}"
      shift
      case "$cross" in arm64 | amd64) ;; *) echo "$0: --arch takes arm64 or amd64, not '$cross'" >&2; exit 2 ;; esac
      ;;
    --qemu) qemu=1 ;;
    *) usage ;;
  esac
  shift
done
if [ "$qemu" -eq 1 ] && [ -z "$cross" ]; then usage; fi
if [ -n "$cross" ] && [ "$cross" = "$(dpkg --print-architecture)" ]; then
  echo "$0: --arch $cross is this machine's own architecture; the plain build needs no cross compiler" >&2
  exit 2
fi
if [ "$image" -eq 1 ]; then
  packages=(podman runc debootstrap curl openssl jq ca-certificates python3 qemu-user-static)
  build_only=1
fi
if [ -n "$cross" ]; then
  case "$cross" in
    arm64) packages+=(g++-aarch64-linux-gnu) ;;
    amd64) packages+=(g++-x86-64-linux-gnu) ;;
  esac
  [ "$qemu" -eq 0 ] || packages+=(qemu-user-static file)
  # Only packages that can sit beside their native twin (Multi-Arch: same). libsimdjson-dev and
  # libyaml-cpp-dev cannot: installing their foreign build would remove the native one, so only
  # their shared libraries are installed here and scripts/cross-build.sh unpacks the two -dev
  # packages into a folder of its own.
  for library in libboost1.81-dev libssl-dev libspdlog-dev libfmt-dev libpugixml-dev \
    libsimdjson14 libyaml-cpp0.7; do
    packages+=("$library:$cross")
  done
  build_only=1
  if ! dpkg --print-foreign-architectures | grep -qx "$cross"; then
    if [ "$(id -u)" -eq 0 ]; then
      dpkg --add-architecture "$cross"
    else
      sudo dpkg --add-architecture "$cross"
    fi
  fi
fi
if [ "$build_only" -eq 0 ]; then
  packages+=(
    libgtest-dev libgmock-dev libbenchmark-dev
    jq clang llvm clang-format clang-tidy
    # The sanitizers' runtime for clang (the ASan build of `make test`, `make fuzz`): clang only
    # recommends it, and recommendations are not installed here.
    libclang-rt-14-dev
    # The linker of the clang builds (CMakeLists.txt): a third of GNU ld's time per test binary.
    lld
    prometheus nginx-light valgrind
    yamllint shellcheck unzip
  )
  # What the chart tests need may already come from elsewhere (npm with NodeSource's nodejs, the
  # Python modules from pip): the Debian package is wanted only when the tool itself is missing.
  command -v npm >/dev/null 2>&1 || packages+=(npm)
  python3 -c 'import yaml' 2>/dev/null || packages+=(python3-yaml)
  python3 -c 'import jsonschema' 2>/dev/null || packages+=(python3-jsonschema)
fi

missing=()
for pkg in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

# helm for the chart tests: not packaged in Debian, so fetched once into a cache (see the script).
fetch_helm() {
  [ "$build_only" -eq 1 ] || bash "$(dirname "$0")/fetch-helm.sh" >/dev/null
}

if [ "${#missing[@]}" -eq 0 ]; then
  fetch_helm
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
fetch_helm
