#!/usr/bin/env bash
# yamllint on the plain YAML of the chart, deploy/, the kustomize examples and the tests (the
# repository's .yamllint leaves the Helm templates out; tests/release/workflow-check.sh lints the
# workflows), and shellcheck on every shell script of scripts/ and tests/.
set -euo pipefail
cd "$(dirname "$0")/../.."

status=0
for tool in yamllint shellcheck; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "static-checks: $tool is missing (scripts/install-deps.sh installs it)" >&2
    status=1
  fi
done
[ "$status" -eq 0 ] || exit 1

yaml_files=(
  .yamllint
  charts/irsa-webhook/Chart.yaml
  charts/irsa-webhook/values.yaml
  charts/irsa-webhook/ci/*.yaml
  deploy/*.yaml
  examples/kustomize/*/kustomization.yaml
  tests/chart/bad-values/*.yaml
)
while IFS= read -r f; do yaml_files+=("$f"); done < <(find tests/e2e -name '*.yaml' | sort)
if ! yamllint --strict -c .yamllint "${yaml_files[@]}"; then
  status=1
fi

shell_files=()
while IFS= read -r f; do shell_files+=("$f"); done < <(find scripts tests -name '*.sh' | sort)
if ! shellcheck -x "${shell_files[@]}"; then
  status=1
fi

if [ "$status" -eq 0 ]; then
  echo "static-checks: yamllint (${#yaml_files[@]} files) and shellcheck (${#shell_files[@]} scripts) clean"
fi
exit "$status"
