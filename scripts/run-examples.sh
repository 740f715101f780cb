#!/usr/bin/env bash
# `make preview`: shows what the webhook does to the example pods, using the offline preview.
# Before each patch, one summary line per pod (mode, role or credentials URI, containers mutated
# and skipped), read back from the binary's own AdmissionReview response so that it cannot drift
# from what the webhook really does.
set -euo pipefail
webhook="${1:-build/bin/irsa-webhook}"
cd "$(dirname "$0")/.."

common=(--service-account=examples/service-accounts.yaml
        --watch-container-credentials-config=examples/pod-identity-associations.json
        --aws-default-region=eu-central-1)

# argv[1]: the pod file (for its container names); stdin: the review `mutate --output=review`
# printed. The patch says which containers it touches and which credential variable it adds.
summarize='
import base64, json, re, sys
import yaml

pod = yaml.safe_load(open(sys.argv[1]))
response = json.load(sys.stdin)["response"]
patch = json.loads(base64.b64decode(response["patch"])) if response.get("patch") else []

touched, identity = set(), {}
for op in patch:
    found = re.match(r"/spec/(containers|initContainers)/(\d+)/", op["path"])
    if found:
        touched.add((found.group(1), int(found.group(2))))
    value = op.get("value")
    for var in value if isinstance(value, list) else [value]:
        if isinstance(var, dict) and "name" in var and "value" in var:
            identity.setdefault(var["name"], var["value"])

if "AWS_ROLE_ARN" in identity:
    mode = "web identity, role " + identity["AWS_ROLE_ARN"]
elif "AWS_CONTAINER_CREDENTIALS_FULL_URI" in identity:
    mode = "pod identity, credentials " + identity["AWS_CONTAINER_CREDENTIALS_FULL_URI"]
else:
    mode = "none"

spec, mutated, skipped = pod.get("spec") or {}, [], []
for field in ("containers", "initContainers"):
    for index, container in enumerate(spec.get(field) or []):
        (mutated if (field, index) in touched else skipped).append(container["name"])

metadata = pod.get("metadata") or {}
name = metadata.get("name") or metadata.get("generateName") or "(unnamed)"
print("summary: %s/%s: %s; mutated: %s; skipped: %s" % (
    metadata.get("namespace", "default"), name, mode,
    ", ".join(mutated) or "none", ", ".join(skipped) or "none"))
'

for pod in examples/checkout-pod.yaml examples/report-builder-pod.yaml examples/web-pod.yaml; do
  # The review run's stderr would repeat the patch run's; it is shown only if the run fails.
  errors=$(mktemp)
  if ! review=$("$webhook" mutate --pod="$pod" "${common[@]}" --output=review 2>"$errors"); then
    cat "$errors" >&2
    rm -f "$errors"
    exit 1
  fi
  rm -f "$errors"
  python3 -c "$summarize" "$pod" <<<"$review"
  echo "### $webhook mutate --pod=$pod ${common[*]} --output=patch"
  "$webhook" mutate --pod="$pod" "${common[@]}" --output=patch
  echo
done
echo "### the checkout pod after mutation (--output=pod)"
"$webhook" mutate --pod=examples/checkout-pod.yaml "${common[@]}" --output=pod
