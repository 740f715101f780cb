#!/usr/bin/env bash
# Builds the release server binary, build/bin/irsa-webhook, and nothing else: `make run`, `make
# preview` and the image's build stage need no tests, benchmarks or load tools, so a fresh build
# directory is configured without them (and without their libraries installed). A build
# directory that exists is used as it is configured, so that this never undoes what `make test`
# set up (its tests run this script too, through scripts/build-release.sh).
#
# Usage: scripts/build-server.sh   (from anywhere)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

bash "$root/scripts/install-deps.sh" --build-only
if [ ! -f "$root/build/CMakeCache.txt" ]; then
  cmake --preset release -S "$root" \
    -DIRSA_BUILD_TESTS=OFF -DIRSA_BUILD_BENCHMARKS=OFF -DIRSA_BUILD_LOAD_TOOLS=OFF >/dev/null
fi
cmake --build "$root/build" --target irsa-webhook -j "$(nproc)"
