# Sourced by the scripts that run a server on loopback under irsa-loadgen (server-instructions.sh,
# pgo-profile.sh): a work folder that goes, with the server in $server stopped, when the script
# exits; free ports; and a certificate for 127.0.0.1 with the load corpus beside it.
# shellcheck shell=bash

work="$(mktemp -d)"
server=""
cleanup() {
  if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# $work/tls/tls.crt and tls.key for 127.0.0.1, and the corpus of irsa-corpus ($1: its binary) made
# from the typical review $2 with 100 ServiceAccounts in $work/corpus.
make_tls_and_corpus() {
  mkdir "$work/tls"
  openssl req -x509 -nodes -days 1 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
    -subj "/CN=irsa-webhook" -addext "subjectAltName=IP:127.0.0.1" \
    -keyout "$work/tls/tls.key" -out "$work/tls/tls.crt" 2>/dev/null
  "$1" --out "$work/corpus" --typical "$2" --accounts 100 >/dev/null
}
