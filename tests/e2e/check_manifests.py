#!/usr/bin/env python3
"""Offline checks of tests/e2e/kind.sh, which itself needs docker, kind and a cluster.

- Every manifest the script names exists, parses, and holds the kinds expected of it
  (ServiceAccounts in the account files, one Pod in each pod file); every pod of tests/e2e/pods is
  used by the script.
- Every pod runs under a ServiceAccount that the script creates, in a namespace it creates.
- The chart renders with tests/e2e/values.yaml in the mode the script relies on: Helm-generated
  certificates (a Secret and a caBundle, no cert-manager object), image never pulled.
- Without its tools the script exits 0 with a "skipped: ... missing" message.
"""
import pathlib
import re
import subprocess
import sys
import tempfile

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tests" / "e2e" / "kind.sh"
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
    return bool(condition)


def docs_of(path):
    return [d for d in yaml.safe_load_all(path.read_text()) if d]


def main():
    text = SCRIPT.read_text()
    referenced = sorted(set(re.findall(r"((?:examples|tests/e2e)/[\w./-]+\.yaml)", text)))
    check(referenced, "kind.sh names no manifest")
    namespaces = set()
    m = re.search(r"for ns in ([\w -]+); do", text)
    if check(m, "kind.sh creates no namespaces"):
        namespaces = set(m.group(1).split())

    accounts = {}
    pods = []
    for rel in referenced:
        path = ROOT / rel
        if not check(path.is_file(), f"kind.sh names {rel}, which does not exist"):
            continue
        try:
            docs = docs_of(path)
        except yaml.YAMLError as e:
            failures.append(f"{rel} does not parse: {e}")
            continue
        kinds = {d.get("kind") for d in docs}
        if rel == "tests/e2e/values.yaml":
            continue
        if "service-accounts" in rel or "accounts" in rel:
            check(kinds == {"ServiceAccount"}, f"{rel}: kinds {kinds}, want ServiceAccount only")
            for d in docs:
                accounts[(d["metadata"]["namespace"], d["metadata"]["name"])] = d
        else:
            check(len(docs) == 1 and kinds == {"Pod"}, f"{rel}: want one Pod, got {kinds}")
            pods += [(rel, d) for d in docs if d.get("kind") == "Pod"]
    for rel, pod in pods:
        ns = pod["metadata"].get("namespace")
        check(ns in namespaces, f"{rel}: namespace {ns} is not created by kind.sh ({sorted(namespaces)})")
        sa = pod["spec"].get("serviceAccountName", "default")
        check((ns, sa) in accounts, f"{rel}: ServiceAccount {ns}/{sa} is not created by kind.sh")
        check(pod["metadata"].get("name") or pod["metadata"].get("generateName"), f"{rel}: pod without a name")
    for path in sorted((ROOT / "tests" / "e2e" / "pods").glob("*.yaml")):
        check(str(path.relative_to(ROOT)) in referenced, f"{path.relative_to(ROOT)} is not used by kind.sh")
    check("tests/e2e/values.yaml" in referenced, "kind.sh does not install with tests/e2e/values.yaml")

    # The chart in the e2e configuration.
    helm = subprocess.run(["bash", str(ROOT / "scripts" / "fetch-helm.sh")], capture_output=True, text=True)
    if check(helm.returncode == 0, f"no helm: {helm.stderr}"):
        out = subprocess.run([helm.stdout.strip(), "template", "irsa-webhook", str(ROOT / "charts" / "irsa-webhook"),
                              "--namespace", "irsa-webhook", "-f", str(ROOT / "tests" / "e2e" / "values.yaml"),
                              "--set", "image.registry=", "--set", "image.repository=irsa-webhook-e2e",
                              "--set", "image.tag=e2e-1"], capture_output=True, text=True)
        if check(out.returncode == 0, f"the chart does not render with tests/e2e/values.yaml: {out.stderr}"):
            docs = [d for d in yaml.safe_load_all(out.stdout) if d]
            kinds = [d["kind"] for d in docs]
            check("Certificate" not in kinds and "Issuer" not in kinds, "e2e values still use cert-manager")
            secret = [d for d in docs if d["kind"] == "Secret"]
            mwc = [d for d in docs if d["kind"] == "MutatingWebhookConfiguration"]
            check(len(secret) == 1 and secret[0]["type"] == "kubernetes.io/tls", "no generated TLS Secret")
            check(mwc and mwc[0]["webhooks"][0]["clientConfig"].get("caBundle"), "no caBundle in the e2e render")
            dep = [d for d in docs if d["kind"] == "Deployment"][0]
            c = dep["spec"]["template"]["spec"]["containers"][0]
            check(c["image"] == "irsa-webhook-e2e:e2e-1" and c["imagePullPolicy"] == "Never",
                  f"e2e image {c['image']} {c['imagePullPolicy']}")
            hooks = [d for d in docs if "helm.sh/hook" in (d["metadata"].get("annotations") or {})]
            check({d["kind"] for d in hooks} == {"ServiceAccount", "Pod"}, "no helm test hook for the last step")

    # Without the tools: a clear skip, status 0.
    with tempfile.TemporaryDirectory() as empty:
        run = subprocess.run(["/bin/bash", str(SCRIPT)], capture_output=True, text=True,
                             env={"PATH": empty, "HOME": empty})
        check(run.returncode == 0 and re.search(r"^kind e2e skipped: \w+ missing", run.stdout, re.M),
              f"kind.sh without tools: rc={run.returncode}, output {run.stdout!r}{run.stderr!r}")

    if failures:
        print(f"{len(failures)} check(s) failed:")
        for f in failures:
            print(" -", f)
        sys.exit(1)
    print(f"e2e manifests: ok ({len(referenced)} files, {len(pods)} pods, {len(accounts)} accounts)")


if __name__ == "__main__":
    main()
