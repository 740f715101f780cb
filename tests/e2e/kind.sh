#!/usr/bin/env bash
# End-to-end test of the chart and the image on a kind cluster.
#
# Creates a kind cluster, builds the image from the repository's Dockerfile and loads it into
# kind, installs charts/irsa-webhook with Helm-generated certificates (tests/e2e/values.yaml; no
# cert-manager to download), creates the example ServiceAccounts, and checks what the webhook
# does to the example pods with `kubectl create --dry-run=server`: the request goes through
# admission, nothing is stored and no image is pulled. Ends with `helm test`.
#
# Needs docker (with a daemon), kind, kubectl, helm and jq; exits 0 with "skipped: ..." when one
# is missing. Settings (environment):
#   KIND_CLUSTER_NAME  cluster name (irsa-webhook-e2e)
#   KIND_NODE_IMAGE    node image (kindest/node:v1.32.2)
#   IMAGE, TAG         image name and tag to build (irsa-webhook-e2e, e2e-<time>; never latest)
#   REUSE_CLUSTER=1    use an existing cluster of that name instead of creating one
#   SKIP_BUILD=1       do not build; IMAGE:TAG must already exist locally
#   SKIP_CLEANUP=1     keep the cluster afterwards
#   ARTIFACTS          where `kind export logs` writes on failure (build/e2e-artifacts)
set -euo pipefail

here="${BASH_SOURCE[0]%/*}"
[ "$here" = "${BASH_SOURCE[0]}" ] && here=.
root="$(cd "$here/../.." && pwd)"

skip() {
  echo "kind e2e skipped: $*"
  exit 0
}

for tool in docker kind kubectl jq; do
  command -v "$tool" >/dev/null 2>&1 || skip "$tool missing"
done
helm="${HELM:-$(command -v helm || true)}"
cached_helm="${IRSA_HELM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/irsa-webhook/helm}/helm"
if [ -z "$helm" ] && [ -x "$cached_helm" ]; then
  helm="$cached_helm"
fi
[ -n "$helm" ] || skip "helm missing (scripts/fetch-helm.sh can fetch one)"
docker info >/dev/null 2>&1 || skip "docker has no daemon to talk to"

cluster="${KIND_CLUSTER_NAME:-irsa-webhook-e2e}"
node_image="${KIND_NODE_IMAGE:-kindest/node:v1.32.2}"
image="${IMAGE:-irsa-webhook-e2e}"
tag="${TAG:-e2e-$(date +%s)}"
artifacts="${ARTIFACTS:-$root/build/e2e-artifacts}"
release=irsa-webhook
namespace=irsa-webhook
context="kind-$cluster"
kc=(kubectl --context "$context")
mount_path=/var/run/secrets/eks.amazonaws.com/serviceaccount

log() { echo "kind e2e: $*" >&2; }

diagnose() {
  log "failed; cluster state follows"
  "${kc[@]}" get events -A --sort-by=.lastTimestamp 2>&1 | tail -n 40 || true
  "${kc[@]}" -n "$namespace" describe deployment "$release" 2>&1 || true
  "${kc[@]}" -n "$namespace" logs -l app.kubernetes.io/name=irsa-webhook --tail=100 --prefix 2>&1 || true
  "${kc[@]}" get mutatingwebhookconfiguration "$release" -o yaml 2>&1 || true
  mkdir -p "$artifacts"
  if kind export logs "$artifacts" --name "$cluster" >/dev/null 2>&1; then
    log "kind logs in $artifacts"
  fi
}

created_cluster=0
finish() {
  local status=$?
  if [ "$status" -ne 0 ]; then
    diagnose
  fi
  if [ "$created_cluster" -eq 1 ] && [ -z "${SKIP_CLEANUP:-}" ]; then
    kind delete cluster --name "$cluster" >/dev/null 2>&1 || true
  fi
  exit "$status"
}
trap finish EXIT

failures=0
pass() { log "ok: $*"; }
fail() {
  log "FAIL: $*"
  failures=$((failures + 1))
}

# --- cluster, image, chart ----------------------------------------------------------------------
if [ -n "${REUSE_CLUSTER:-}" ] && kind get clusters 2>/dev/null | grep -qx "$cluster"; then
  log "reusing cluster $cluster"
else
  log "creating cluster $cluster ($node_image)"
  kind create cluster --name "$cluster" --image "$node_image" --wait 120s
  created_cluster=1
fi

if [ -z "${SKIP_BUILD:-}" ]; then
  [ -f "$root/Dockerfile" ] || { log "no Dockerfile at $root"; exit 1; }
  log "building $image:$tag"
  docker build -t "$image:$tag" "$root"
fi
kind load docker-image "$image:$tag" --name "$cluster"

log "installing the chart"
"$helm" upgrade --install "$release" "$root/charts/irsa-webhook" --kube-context "$context" \
  --namespace "$namespace" --create-namespace -f "$root/tests/e2e/values.yaml" \
  --set image.registry= --set "image.repository=$image" --set "image.tag=$tag" \
  --wait --timeout 5m
"${kc[@]}" -n "$namespace" rollout status "deployment/$release" --timeout 120s
ca_bundle="$("${kc[@]}" get mutatingwebhookconfiguration "$release" -o jsonpath='{.webhooks[0].clientConfig.caBundle}')"
[ -n "$ca_bundle" ] || { log "the webhook configuration has no caBundle"; exit 1; }

# --- accounts -----------------------------------------------------------------------------------
for ns in shop analytics; do
  "${kc[@]}" create namespace "$ns" --dry-run=client -o yaml | "${kc[@]}" apply -f - >/dev/null
done
"${kc[@]}" apply -f "$root/examples/service-accounts.yaml" -f "$root/tests/e2e/accounts.yaml" >/dev/null

# The pod as admission leaves it (JSON), without storing it.
admit() {
  "${kc[@]}" create --dry-run=server -o json -f "$1"
}

# jq expression on the admitted pod; true/false.
holds() {
  local pod="$1" expr="$2"
  [ "$(jq -r "$expr" <<<"$pod")" = true ]
}

env_of() { # container-kind container-name variable
  printf '[.spec.%s[]? | select(.name == "%s") | .env[]? | select(.name == "%s") | .value] | first // ""' "$1" "$2" "$3"
}

# The webhook may not have the accounts in its cache yet: wait until the first pod is mutated.
checkout=""
for _ in $(seq 1 30); do
  if checkout="$(admit "$root/examples/checkout-pod.yaml")" &&
    holds "$checkout" '[.spec.volumes[]? | select(.name == "aws-iam-token")] | length == 1'; then
    break
  fi
  sleep 2
done

# --- checkout-api: role, regional STS and lifetime from the account, skip-containers ------------
role_arn=arn:aws:iam::111122223333:role/checkout-api
check_value() { # description pod expression want
  local got
  got="$(jq -r "$3" <<<"$2")"
  if [ "$got" = "$4" ]; then pass "$1"; else fail "$1: got '$got', want '$4'"; fi
}
check_value "checkout: AWS_ROLE_ARN" "$checkout" "$(env_of containers api AWS_ROLE_ARN)" "$role_arn"
check_value "checkout: AWS_WEB_IDENTITY_TOKEN_FILE" "$checkout" \
  "$(env_of containers api AWS_WEB_IDENTITY_TOKEN_FILE)" "$mount_path/token"
check_value "checkout: AWS_STS_REGIONAL_ENDPOINTS from the account annotation" "$checkout" \
  "$(env_of containers api AWS_STS_REGIONAL_ENDPOINTS)" regional
check_value "checkout: AWS_REGION from --aws-default-region" "$checkout" "$(env_of containers api AWS_REGION)" eu-west-1
check_value "checkout: AWS_DEFAULT_REGION" "$checkout" "$(env_of containers api AWS_DEFAULT_REGION)" eu-west-1
check_value "checkout: the pod's own env kept" "$checkout" "$(env_of containers api LISTEN_ADDR)" ":8080"
check_value "checkout: read-only token mount" "$checkout" \
  '[.spec.containers[] | select(.name == "api") | .volumeMounts[]? | select(.name == "aws-iam-token") | "\(.mountPath) \(.readOnly)"] | first' \
  "$mount_path true"
check_value "checkout: projected token (audience, lifetime from the account, path)" "$checkout" \
  '.spec.volumes[] | select(.name == "aws-iam-token") | .projected.sources[0].serviceAccountToken | "\(.audience) \(.expirationSeconds) \(.path)"' \
  "sts.amazonaws.com 43200 token"
check_value "checkout: skip-containers leaves log-shipper alone" "$checkout" \
  '[.spec.containers[] | select(.name == "log-shipper") | (.env // []), (.volumeMounts // []) | length] | add' 0

# --- the e2e pods ---------------------------------------------------------------------------------
pod="$(admit "$root/tests/e2e/pods/init-containers.yaml")"
check_value "init containers: AWS_ROLE_ARN on the init container" "$pod" \
  "$(env_of initContainers migrate AWS_ROLE_ARN)" "$role_arn"
check_value "init containers: token mount on the init container" "$pod" \
  '[.spec.initContainers[0].volumeMounts[]? | select(.name == "aws-iam-token")] | length' 1
check_value "init containers: AWS_ROLE_ARN on the app container" "$pod" \
  "$(env_of containers app AWS_ROLE_ARN)" "$role_arn"

pod="$(admit "$root/tests/e2e/pods/custom-audience.yaml")"
check_value "audience annotation: token audience" "$pod" \
  '.spec.volumes[] | select(.name == "aws-iam-token") | .projected.sources[0].serviceAccountToken.audience' \
  irsa-e2e.example.com
check_value "audience annotation: role" "$pod" "$(env_of containers app AWS_ROLE_ARN)" \
  arn:aws:iam::111122223333:role/custom-audience

pod="$(admit "$root/tests/e2e/pods/user-region.yaml")"
check_value "user-set AWS_REGION kept" "$pod" "$(env_of containers app AWS_REGION)" us-west-2
check_value "no AWS_DEFAULT_REGION beside a user-set region" "$pod" "$(env_of containers app AWS_DEFAULT_REGION)" ""
check_value "user-region pod still gets its role" "$pod" "$(env_of containers app AWS_ROLE_ARN)" "$role_arn"

unchanged='([.spec.volumes[]? | select(.name == "aws-iam-token")] | length == 0) and ([.spec.containers[].env[]? | select(.name | startswith("AWS_"))] | length == 0)'
for manifest in tests/e2e/pods/skip-label.yaml examples/web-pod.yaml examples/report-builder-pod.yaml; do
  pod="$(admit "$root/$manifest")"
  if holds "$pod" "$unchanged"; then pass "$manifest left unchanged"; else fail "$manifest was mutated"; fi
done

# The webhook's own pods are excluded too.
own="$("${kc[@]}" -n "$namespace" get pods -l app.kubernetes.io/name=irsa-webhook -o json)"
check_value "the webhook's own pods carry no token volume" "$own" \
  '[.items[].spec.volumes[]? | select(.name == "aws-iam-token")] | length' 0

# --- helm test ----------------------------------------------------------------------------------
if "$helm" test "$release" --kube-context "$context" --namespace "$namespace" --logs --timeout 3m; then
  pass "helm test"
else
  fail "helm test"
fi

if [ "$failures" -ne 0 ]; then
  log "$failures check(s) failed"
  exit 1
fi
log "all checks passed"
