#!/usr/bin/env bash
# `make doctor-demo`: irsa-webhook doctor on a broken account, against the test fakes of the
# Kubernetes API server and of STS (examples/doctor/), over TLS on loopback. Prints the commands
# and their real output; the README's "Why does my pod get AccessDenied?" section is this output.
#
# Usage: scripts/doctor-demo.sh BIN_DIR [--readme FILE | --check FILE]
#   --readme FILE  writes the output between the doctor-demo markers of FILE
#   --check FILE   exits 1 when FILE's section differs from the output (a test runs this)
# Ports and times change from run to run; they are printed as PORT and as a fixed stand-in.
set -euo pipefail

bin="${1:?usage: $0 BIN_DIR [--readme FILE | --check FILE]}"
mode="${2:-}"
target="${3:-}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$(mktemp -d /tmp/irsa-doctor-demo.XXXXXX)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

issuer="https://oidc.eks.eu-west-1.amazonaws.com/id/5C1DE2F0A9B8"
role="arn:aws:iam::111122223333:role/shop-api"
token="demo-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"

for name in api sts; do
  openssl req -x509 -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -days 1 \
    -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" \
    -keyout "$work/$name.key" -out "$work/$name.crt" 2>/dev/null
done

# Starts a fake in the background, in this shell (not in a $(...) subshell, so that its PID
# reaches `pids` and the cleanup stops it).
start() {
  local log="$1"
  shift
  "$@" >"$log" 2>&1 &
  pids+=("$!")
}

# The URL a fake printed once it listens.
url_of() {
  local log="$1"
  for _ in $(seq 100); do
    if grep -q '^listening on ' "$log"; then
      sed -n 's/^listening on //p' "$log" | head -n1
      return
    fi
    sleep 0.1
  done
  echo "doctor-demo: the fake of $log did not start: $(cat "$log")" >&2
  exit 1
}

start "$work/api.log" "$bin/fake-kube-api" --cert "$work/api.crt" --key "$work/api.key" \
  --token "$token" --issuer "$issuer" --manifests "$root/examples/doctor/cluster.yaml"
start "$work/sts.log" "$bin/fake-sts" --cert "$work/sts.crt" --key "$work/sts.key" \
  --provider "$issuer=sts.amazonaws.com" --role "$role=system:serviceaccount:shop-dev:api"
# Both PIDs must be known here, or the cleanup would leave the fakes running.
[ "${#pids[@]}" -eq 2 ] || { echo "doctor-demo: lost track of the fakes' PIDs" >&2; exit 1; }
api_url="$(url_of "$work/api.log")"
sts_url="$(url_of "$work/sts.log")"

cat >"$work/kubeconfig" <<KUBECONFIG
apiVersion: v1
kind: Config
current-context: demo
clusters:
- name: demo
  cluster: {server: "$api_url", certificate-authority: "$work/api.crt"}
contexts:
- name: demo
  context: {cluster: demo, user: operator}
users:
- name: operator
  user: {token: "$token"}
KUBECONFIG

normalise() {
  sed -E -e 's#127\.0\.0\.1:[0-9]+#127.0.0.1:PORT#g' \
    -e 's#[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z#2026-12-04T18:00:00Z#g' \
    -e "s#$work#/tmp/demo#g"
}

# Runs one command as the reader would type it (shown with $ in front) and prints its output.
show() {
  local shown="$1"
  shift
  echo "\$ $shown"
  # doctor exits 1 when a check fails, which is the point of the demo.
  { "$@" || true; } 2>&1 | normalise
  echo
}

demo() {
  cd "$root"
  show "irsa-webhook doctor shop/api --trust-policy=get-role-shop-api.json --try-assume" \
    env AWS_CA_BUNDLE="$work/sts.crt" "$bin/irsa-webhook" doctor shop/api \
    --kubeconfig="$work/kubeconfig" --trust-policy=examples/doctor/get-role-shop-api.json \
    --try-assume --sts-endpoint="$sts_url"
  show "irsa-webhook trust-policy shop/api --account 111122223333" \
    "$bin/irsa-webhook" trust-policy shop/api --account 111122223333 \
    --kubeconfig="$work/kubeconfig"
}

output="$(demo)"
case "$mode" in
  "")
    printf '%s\n' "$output"
    ;;
  --readme | --check)
    [ -f "$target" ] || { echo "doctor-demo: $target not found" >&2; exit 2; }
    begin='<!-- doctor-demo:begin (scripts/doctor-demo.sh writes this block) -->'
    end='<!-- doctor-demo:end -->'
    if ! grep -qF "$begin" "$target" || ! grep -qF "$end" "$target"; then
      echo "doctor-demo: $target has no doctor-demo markers" >&2
      exit 2
    fi
    block="$work/block"
    { echo "$begin"; echo '```console'; printf '%s\n' "$output"; echo '```'; echo "$end"; } >"$block"
    python3 - "$target" "$block" "$mode" "$begin" "$end" <<'PY'
import sys
path, block_path, mode, begin, end = sys.argv[1:]
text = open(path).read()
start = text.index(begin)
stop = text.index(end) + len(end)
block = open(block_path).read().rstrip("\n")
if mode == "--check":
    if text[start:stop] != block:
        print(f"doctor-demo: the doctor section of {path} differs from the real output; "
              "run: make doctor-demo-readme", file=sys.stderr)
        sys.exit(1)
    print(f"doctor-demo: {path} shows the real output")
else:
    open(path, "w").write(text[:start] + block + text[stop:])
PY
    ;;
  *)
    echo "usage: $0 BIN_DIR [--readme FILE | --check FILE]" >&2
    exit 2
    ;;
esac
