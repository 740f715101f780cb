#!/usr/bin/env bash
# Debian's names for the architectures the image is built for, in one place. Sourced, not run:
#
#   source scripts/multiarch.sh
#   triplet="$(multiarch_triplet arm64)"   # aarch64-linux-gnu: /usr/lib/<triplet>, <triplet>-g++
#
# multiarch_triplet fails, saying so, for an architecture other than amd64 and arm64.
multiarch_triplet() {
  case "$1" in
    amd64) echo x86_64-linux-gnu ;;
    arm64) echo aarch64-linux-gnu ;;
    *)
      echo "multiarch: '$1' is not an architecture this project builds for (amd64, arm64)" >&2
      return 2
      ;;
  esac
}
