#!/usr/bin/env python3
"""Checks of the Helm chart with a real helm (scripts/fetch-helm.sh finds or fetches it).

Subcommands, one ctest each:
  lint      helm lint --strict for the chart's defaults and every ci/*-values.yaml
  render    helm template per scenario, then assertions on the rendered objects
  schema    values.schema.json: valid draft-07, accepts values.yaml and ci/, rejects the files of
            tests/chart/bad-values/ through helm (and through Python's jsonschema as well)
  failures  value combinations the templates refuse, with the reason in the message
  deploy    deploy/ equals what scripts/generate-deploy.sh renders now, and kustomize builds it

Exit status 0 when every check passed; otherwise each failure is printed and the status is 1.
"""
import base64
import json
import os
import pathlib
import re
import subprocess
import sys
import tempfile

import jsonschema
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
CHART = ROOT / "charts" / "irsa-webhook"
BAD_VALUES = ROOT / "tests" / "chart" / "bad-values"
RELEASE = "irsa-webhook"
NAMESPACE = "irsa-webhook"

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
    return bool(condition)


def helm_binary():
    env_helm = os.environ.get("HELM")
    result = subprocess.run(["bash", str(ROOT / "scripts" / "fetch-helm.sh")], capture_output=True,
                            text=True, env={**os.environ, **({"HELM": env_helm} if env_helm else {})})
    if result.returncode != 0:
        sys.exit("chart tests: no helm: " + result.stderr.strip())
    return result.stdout.strip()


HELM = None


def helm(*args, check_rc=True):
    result = subprocess.run([HELM, *args], capture_output=True, text=True)
    if check_rc and result.returncode != 0:
        sys.exit(f"helm {' '.join(args)} failed:\n{result.stderr}")
    return result


def scenarios():
    return sorted(CHART.glob("ci/*-values.yaml"))


def load_values(*files):
    """The chart's values.yaml merged with the given files, as helm merges them."""
    def merge(base, over):
        for key, value in over.items():
            if isinstance(value, dict) and isinstance(base.get(key), dict):
                merge(base[key], value)
            else:
                base[key] = value
        return base
    values = yaml.safe_load((CHART / "values.yaml").read_text())
    for f in files:
        merge(values, yaml.safe_load(pathlib.Path(f).read_text()) or {})
    return values


def render(*extra, namespace=NAMESPACE, release=RELEASE):
    out = helm("template", release, str(CHART), "--namespace", namespace, *extra).stdout
    return [d for d in yaml.safe_load_all(out) if d]


def by_kind(docs, kind):
    return [d for d in docs if d.get("kind") == kind]


def one(docs, kind, name=None):
    found = [d for d in by_kind(docs, kind) if name is None or d["metadata"]["name"] == name]
    if not check(len(found) == 1, f"expected one {kind}{' ' + name if name else ''}, got {len(found)}"):
        return {}
    return found[0]


def is_hook(doc):
    return "helm.sh/hook" in (doc.get("metadata", {}).get("annotations") or {})


def selector_matches(selector, labels):
    """Kubernetes LabelSelector semantics (matchLabels and matchExpressions)."""
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr["key"], expr["operator"], expr.get("values") or []
        if op == "In" and labels.get(key) not in values:
            return False
        if op == "NotIn" and key in labels and labels[key] in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
    return True


def arg_map(args):
    flags = {}
    for a in args:
        m = re.match(r"^--?([^=]+)(?:=(.*))?$", a)
        if m:
            flags[m.group(1)] = m.group(2)
    return flags


def openssl(*args, stdin=None):
    return subprocess.run(["openssl", *args], input=stdin, capture_output=True, text=True)


# ---------------------------------------------------------------------------------------------
# lint


def cmd_lint():
    # The image tag defaults to appVersion, which follows project(... VERSION) of CMakeLists.txt.
    m = re.search(r"project\(irsa-webhook\s+VERSION\s+([0-9.]+)", (ROOT / "CMakeLists.txt").read_text())
    chart = yaml.safe_load((CHART / "Chart.yaml").read_text())
    check(m and chart["appVersion"] == m.group(1),
          f"Chart.yaml appVersion {chart['appVersion']} != CMakeLists.txt VERSION {m.group(1) if m else '?'}")
    for extra in [[]] + [["-f", str(f)] for f in scenarios()]:
        result = helm("lint", "--strict", str(CHART), "--namespace", NAMESPACE, *extra, check_rc=False)
        name = extra[1] if extra else "values.yaml"
        check(result.returncode == 0, f"helm lint --strict {name}:\n{result.stdout}{result.stderr}")
        check("[WARNING]" not in result.stdout, f"helm lint warns for {name}:\n{result.stdout}")


# ---------------------------------------------------------------------------------------------
# render


def fullname_of(values):
    if values["fullnameOverride"]:
        return values["fullnameOverride"]
    name = values["nameOverride"] or "irsa-webhook"
    return RELEASE if name in RELEASE else f"{RELEASE}-{name}"


def check_common(scenario, docs, values):
    tag = f"[{scenario}]"
    ns = values["namespaceOverride"] or NAMESPACE
    full = fullname_of(values)
    chart_name = values["nameOverride"] or "irsa-webhook"
    cfg = values["config"]

    for d in docs:
        check(d.get("apiVersion") and d.get("kind") and d.get("metadata", {}).get("name"),
              f"{tag} object without apiVersion/kind/name: {d}")
        check(len(d["metadata"]["name"]) <= 63, f"{tag} name longer than 63: {d['metadata']['name']}")
        if d["kind"] not in ("ClusterRole", "ClusterRoleBinding", "MutatingWebhookConfiguration") \
                and not is_hook(d) and d["kind"] != "ServiceMonitor":
            check(d["metadata"].get("namespace") == ns,
                  f"{tag} {d['kind']} {d['metadata']['name']} in namespace {d['metadata'].get('namespace')}, want {ns}")

    dep = one(docs, "Deployment", full)
    if not dep:
        return
    pod = dep["spec"]["template"]
    spec = pod["spec"]
    pod_labels = pod["metadata"]["labels"]
    check(selector_matches(dep["spec"]["selector"], pod_labels), f"{tag} Deployment selector misses its pods")
    check(set(dep["spec"]["selector"]["matchLabels"]) == {"app.kubernetes.io/name", "app.kubernetes.io/instance"},
          f"{tag} selector must use only name and instance: {dep['spec']['selector']}")
    containers = spec["containers"]
    check(len(containers) == 1, f"{tag} one container expected")
    c = containers[0]
    check(c["command"] == ["/webhook"], f"{tag} command {c['command']}")
    flags = arg_map(c["args"])
    expected = {
        "in-cluster": "false", "namespace": "$(POD_NAMESPACE)", "service-name": full,
        "port": str(cfg["ports"]["webhook"]), "metrics-port": str(cfg["ports"]["metrics"]),
        "annotation-prefix": cfg["annotationPrefix"], "aws-default-region": cfg["defaultAwsRegion"],
        "sts-regional-endpoint": str(cfg["stsRegionalEndpoint"]).lower(),
        "token-audience": cfg["tokenAudience"], "token-expiration": str(cfg["tokenExpiration"]),
        "token-mount-path": cfg["tokenMountPath"],
        "tls-cert": "/etc/webhook/certs/tls.crt", "tls-key": "/etc/webhook/certs/tls.key",
        "shutdown-delay": f"{cfg['shutdownDelaySeconds']}s",
        "shutdown-timeout": f"{cfg['shutdownTimeoutSeconds']}s",
        "log-format": cfg["logFormat"], "v": str(cfg["logLevel"]), "logtostderr": None,
    }
    for flag, value in expected.items():
        check(flag in flags and flags[flag] == value, f"{tag} arg --{flag}: got {flags.get(flag, '<absent>')!r}, want {value!r}")
    for extra in cfg["extraArgs"]:
        check(extra in c["args"], f"{tag} extraArgs {extra} not passed")
    watch = cfg["watchConfigMap"] or cfg["podIdentityWebhookMap"]["enabled"]
    check(("watch-config-map" in flags) == watch, f"{tag} --watch-config-map present={('watch-config-map' in flags)}, want {watch}")
    env = {e["name"]: e for e in c.get("env", [])}
    check(env.get("POD_NAMESPACE", {}).get("valueFrom", {}).get("fieldRef", {}).get("fieldPath") == "metadata.namespace",
          f"{tag} POD_NAMESPACE not from the downward API")
    binary = os.environ.get("IRSA_WEBHOOK_BINARY")
    if not (binary and os.access(binary, os.X_OK)):
        if scenario == "default":
            print(f"chart tests: no binary at IRSA_WEBHOOK_BINARY={binary!r}; flags not checked against --help")
    else:
        help_text = subprocess.run([binary, "--help"], capture_output=True, text=True).stdout
        for flag in flags:
            check(re.search(rf"(^|[\s,])-{{1,2}}{re.escape(flag)}\b", help_text, re.M),
                  f"{tag} --{flag} is not a flag of {binary}")

    ports = {p["name"]: p["containerPort"] for p in c["ports"]}
    check(ports == {"https": cfg["ports"]["webhook"], "metrics": cfg["ports"]["metrics"]}, f"{tag} container ports {ports}")

    # Grace period against the drain the webhook does after SIGTERM.
    grace = spec.get("terminationGracePeriodSeconds")
    check(isinstance(grace, int) and grace > cfg["shutdownDelaySeconds"] + cfg["shutdownTimeoutSeconds"],
          f"{tag} terminationGracePeriodSeconds {grace} not above delay+timeout")
    if values["terminationGracePeriodSeconds"] is not None:
        check(grace == values["terminationGracePeriodSeconds"], f"{tag} grace {grace} is not the value given")

    # Probes as configured.
    for probe in ("livenessProbe", "readinessProbe"):
        check(c.get(probe) == values[probe], f"{tag} {probe} {c.get(probe)} != values {values[probe]}")

    # The certificate volume.
    mounts = {m["name"]: m for m in c["volumeMounts"]}
    check(mounts.get("cert", {}).get("mountPath") == "/etc/webhook/certs" and mounts["cert"].get("readOnly"),
          f"{tag} cert mount {mounts.get('cert')}")
    volumes = {v["name"]: v for v in spec["volumes"]}
    secret_name = volumes.get("cert", {}).get("secret", {}).get("secretName")

    # ServiceAccount and RBAC.
    sa_name = spec["serviceAccountName"]
    if values["serviceAccount"]["create"]:
        one([d for d in docs if not is_hook(d)], "ServiceAccount", sa_name)
    check_rbac(tag, docs, full, ns, sa_name, watch, role_policy_reads_namespaces(values))
    check_doctor_rbac(tag, docs, values, full)
    check_role_policy(tag, docs, values, full, ns, pod)

    # Service and webhook configuration point at the pods.
    svc = one(docs, "Service", full)
    if svc:
        check(selector_matches({"matchLabels": svc["spec"]["selector"]}, pod_labels), f"{tag} Service selects no webhook pod")
        svc_ports = {p["name"]: p for p in svc["spec"]["ports"]}
        check(svc_ports.get("https", {}).get("targetPort") == "https", f"{tag} Service https port {svc_ports.get('https')}")
        check(svc_ports.get("metrics", {}).get("targetPort") == "metrics", f"{tag} Service metrics port")
    mwc = one(docs, "MutatingWebhookConfiguration", full)
    if mwc and svc:
        check_webhook(tag, mwc, values, full, ns, chart_name, svc, pod_labels, docs)

    check_certs(tag, docs, values, full, ns, secret_name, mwc)
    check_test_hook(tag, docs, values, mwc)
    return dep


def check_rbac(tag, docs, full, ns, sa_name, watch, reads_namespaces=False):
    if not docs or not by_kind(docs, "ClusterRole"):
        failures.append(f"{tag} no ClusterRole")
        return
    cr = one(docs, "ClusterRole", full)
    want = [{"apiGroups": [""], "resources": ["serviceaccounts"], "verbs": ["get", "list", "watch"]}]
    if reads_namespaces:
        want.append(NAMESPACES_RULE)
    check(cr.get("rules") == want, f"{tag} ClusterRole rules {cr.get('rules')}, want {want}")
    crb = one(docs, "ClusterRoleBinding", full)
    check(crb.get("roleRef", {}).get("name") == full and
          crb.get("subjects") == [{"kind": "ServiceAccount", "name": sa_name, "namespace": ns}],
          f"{tag} ClusterRoleBinding {crb}")
    roles = by_kind(docs, "Role")
    if watch:
        role = one(docs, "Role", full)
        check(role.get("metadata", {}).get("namespace") == ns, f"{tag} Role namespace")
        check(role.get("rules") == [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list", "watch"]}],
              f"{tag} Role rules {role.get('rules')}")
        rb = one(docs, "RoleBinding", full)
        check(rb.get("roleRef", {}).get("name") == full and rb.get("subjects", [{}])[0].get("name") == sa_name,
              f"{tag} RoleBinding {rb}")
    else:
        check(not roles and not by_kind(docs, "RoleBinding"), f"{tag} Role rendered without the ConfigMap watch")


# What `irsa-webhook doctor` reads, exactly; a rule more is privilege nobody asked for.
DOCTOR_RULES = [
    {"apiGroups": [""], "resources": ["serviceaccounts", "pods"], "verbs": ["get", "list"]},
    {"apiGroups": [""], "resources": ["namespaces"], "verbs": ["get"]},
    {"apiGroups": ["admissionregistration.k8s.io"], "resources": ["mutatingwebhookconfigurations"],
     "verbs": ["list"]},
    {"apiGroups": ["discovery.k8s.io"], "resources": ["endpointslices"], "verbs": ["list"]},
    {"apiGroups": [""], "resources": ["endpoints"], "verbs": ["get"]},
    {"apiGroups": ["apps"], "resources": ["deployments", "statefulsets", "daemonsets"], "verbs": ["get"]},
    {"apiGroups": [""], "resources": ["configmaps"], "resourceNames": ["pod-identity-webhook"], "verbs": ["get"]},
    {"apiGroups": [""], "resources": ["serviceaccounts/token"], "verbs": ["create"]},
    {"nonResourceURLs": ["/.well-known/openid-configuration"], "verbs": ["get"]},
]


def doctor_objects(docs):
    return [d for d in docs if d["metadata"]["name"].endswith("-doctor")]


def check_doctor_rbac(tag, docs, values, full):
    rbac = values["doctor"]["rbac"]
    found = doctor_objects(docs)
    if not rbac["create"]:
        check(not found, f"{tag} doctor objects without doctor.rbac.create: {[(d['kind'], d['metadata']['name']) for d in found]}")
        return
    name = f"{full[:56].rstrip('-')}-doctor"
    role = one(docs, "ClusterRole", name)
    check(role.get("rules") == DOCTOR_RULES, f"{tag} doctor ClusterRole rules {role.get('rules')}")
    bindings = [d for d in found if d["kind"] == "ClusterRoleBinding"]
    check({d["kind"] for d in found} <= {"ClusterRole", "ClusterRoleBinding"}, f"{tag} doctor objects {found}")
    if not rbac["subjects"]:
        check(not bindings, f"{tag} a doctor binding without doctor.rbac.subjects")
        return
    binding = one(docs, "ClusterRoleBinding", name)
    check(binding.get("roleRef") == {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": name},
          f"{tag} doctor binding roleRef {binding.get('roleRef')}")
    want = []
    for subject in rbac["subjects"]:
        if subject["kind"] == "ServiceAccount":
            want.append({"kind": "ServiceAccount", "name": subject["name"], "namespace": subject["namespace"]})
        else:
            want.append({"kind": subject["kind"], "name": subject["name"], "apiGroup": "rbac.authorization.k8s.io"})
    check(binding.get("subjects") == want, f"{tag} doctor binding subjects {binding.get('subjects')}, want {want}")


# --role-policy: where the chart mounts the policy, and what the ClusterRole adds for it.
ROLE_POLICY_DIR = "/etc/irsa-webhook/role-policy"
ROLE_POLICY_FILE = ROLE_POLICY_DIR + "/policy.yaml"
NAMESPACES_RULE = {"apiGroups": [""], "resources": ["namespaces"], "verbs": ["list", "watch"]}


def role_policy_reads_namespaces(values):
    """The webhook needs namespace labels: a rule has a namespaceSelector, or the policy is in a
    ConfigMap of the user's own, whose rules the chart cannot see."""
    rp = values["rolePolicy"]
    if not rp["enabled"]:
        return False
    if rp["existingConfigMap"]:
        return True
    return any("namespaceSelector" in rule for rule in (rp["policy"].get("rules") or []))


def role_policy_configmap_name(values, full):
    existing = values["rolePolicy"]["existingConfigMap"]
    return existing or f"{full[:51].rstrip('-')}-role-policy"


def role_policy_objects(docs):
    return [d for d in by_kind(docs, "ConfigMap") if d["metadata"]["name"].endswith("-role-policy")]


def check_role_policy(tag, docs, values, full, ns, pod):
    """Flag, volume, mount and ConfigMap of rolePolicy: all there when enabled, none otherwise."""
    rp = values["rolePolicy"]
    spec = pod["spec"]
    c = spec["containers"][0]
    flags = arg_map(c["args"])
    mounts = [m for m in c.get("volumeMounts", []) if m["name"] == "role-policy"]
    volumes = [v for v in spec.get("volumes", []) if v["name"] == "role-policy"]
    cms = role_policy_objects(docs)
    # No checksum of the policy on the pods: a change must reach them without a restart.
    check(not [k for k in (pod["metadata"].get("annotations") or {}) if k.startswith("checksum/")],
          f"{tag} a checksum annotation on the pods would restart them on a policy change")
    if not rp["enabled"]:
        check("role-policy" not in flags, f"{tag} --role-policy passed though rolePolicy is disabled")
        check(not mounts and not volumes, f"{tag} role-policy volume or mount though rolePolicy is disabled")
        check(not cms, f"{tag} role-policy ConfigMap though rolePolicy is disabled")
        return
    check(flags.get("role-policy") == ROLE_POLICY_FILE,
          f"{tag} --role-policy={flags.get('role-policy', '<absent>')}, want {ROLE_POLICY_FILE}")
    check(c["args"].count(f"--role-policy={ROLE_POLICY_FILE}") == 1, f"{tag} --role-policy not passed exactly once")
    # The directory, read-only and without subPath, so kubelet's atomic swap reaches the pod.
    check(mounts == [{"name": "role-policy", "mountPath": ROLE_POLICY_DIR, "readOnly": True}],
          f"{tag} role-policy mount {mounts}")
    name = role_policy_configmap_name(values, full)
    check(volumes == [{"name": "role-policy", "configMap": {"name": name, "items": [{"key": "policy.yaml", "path": "policy.yaml"}]}}],
          f"{tag} role-policy volume {volumes}, want ConfigMap {name} key policy.yaml")
    if rp["existingConfigMap"]:
        check(not cms, f"{tag} a role-policy ConfigMap rendered although existingConfigMap is given")
        return
    cm = one(cms, "ConfigMap", name)
    if not cm:
        return
    check(cm["metadata"].get("namespace") == ns, f"{tag} role-policy ConfigMap in {cm['metadata'].get('namespace')}")
    check(cm["metadata"].get("labels", {}).get("app.kubernetes.io/instance") == RELEASE, f"{tag} role-policy ConfigMap labels")
    check(set(cm.get("data", {})) == {"policy.yaml"}, f"{tag} role-policy ConfigMap keys {list(cm.get('data', {}))}")
    content = yaml.safe_load(cm.get("data", {}).get("policy.yaml", ""))
    check(content == rp["policy"], f"{tag} policy.yaml {content} != values' rolePolicy.policy {rp['policy']}")


def check_webhook(tag, mwc, values, full, ns, chart_name, svc, pod_labels, docs):
    wh_values = values["mutatingWebhook"]
    check(len(mwc["webhooks"]) == 1, f"{tag} one webhook expected")
    wh = mwc["webhooks"][0]
    check(wh["name"] == wh_values["name"], f"{tag} webhook name {wh['name']}")
    check(wh["admissionReviewVersions"] == ["v1", "v1beta1"], f"{tag} admissionReviewVersions {wh['admissionReviewVersions']}")
    check(wh["sideEffects"] == "None", f"{tag} sideEffects")
    check(wh["failurePolicy"] == wh_values["failurePolicy"], f"{tag} failurePolicy {wh['failurePolicy']}")
    check(wh["timeoutSeconds"] == wh_values["timeoutSeconds"], f"{tag} timeoutSeconds {wh['timeoutSeconds']}")
    check(wh["reinvocationPolicy"] == wh_values["reinvocationPolicy"], f"{tag} reinvocationPolicy")
    check(wh["rules"] == [{"operations": ["CREATE"], "apiGroups": [""], "apiVersions": ["v1"],
                           "resources": ["pods"], "scope": "Namespaced"}], f"{tag} rules {wh['rules']}")
    cc = wh["clientConfig"]["service"]
    check(cc == {"name": svc["metadata"]["name"], "namespace": ns, "port": values["service"]["port"], "path": "/mutate"},
          f"{tag} clientConfig.service {cc}")
    check(any(p["port"] == cc["port"] for p in svc["spec"]["ports"]), f"{tag} the Service has no port {cc['port']}")

    # Who is sent to the webhook, judged with the real selector semantics.
    sel = wh["objectSelector"]
    user_labels = dict(wh_values["objectSelector"]["matchLabels"])
    app_pod = {"app": "shop", **user_labels}
    check(selector_matches(sel, app_pod), f"{tag} an ordinary pod {app_pod} is not sent to the webhook")
    check(not selector_matches(sel, {**app_pod, "eks.amazonaws.com/skip-pod-identity-webhook": "true"}),
          f"{tag} a pod with the skip label is sent to the webhook")
    check(not selector_matches(sel, {**pod_labels, **user_labels}), f"{tag} the webhook's own pods are sent to it")
    for expr in wh_values["objectSelector"]["matchExpressions"]:
        check(expr in sel["matchExpressions"], f"{tag} user objectSelector expression {expr} missing")

    nssel = wh["namespaceSelector"]
    excluded = []
    if wh_values["excludeOwnNamespace"]:
        excluded.append(ns)
    if wh_values["excludeKubeSystem"]:
        excluded.append("kube-system")
    for name in excluded:
        check(not selector_matches(nssel, {"kubernetes.io/metadata.name": name}), f"{tag} namespace {name} not excluded")
    for name in ("default", "shop") + (() if excluded else (ns, "kube-system")):
        labels = {"kubernetes.io/metadata.name": name}
        user = wh_values["namespaceSelector"]
        if selector_matches(user, labels):
            check(selector_matches(nssel, labels), f"{tag} namespace {name} wrongly excluded")
    for expr in (wh_values["namespaceSelector"].get("matchExpressions") or []):
        check(expr in nssel.get("matchExpressions", []), f"{tag} user namespaceSelector expression {expr} missing")

    if wh_values["matchConditions"]:
        check(wh.get("matchConditions") == wh_values["matchConditions"], f"{tag} matchConditions not rendered")
    else:
        check("matchConditions" not in wh, f"{tag} matchConditions rendered though empty")
    for key, value in wh_values["annotations"].items():
        check((mwc["metadata"].get("annotations") or {}).get(key) == value, f"{tag} webhook annotation {key} missing")


def pem_of(b64):
    return base64.b64decode(b64).decode()


def check_certs(tag, docs, values, full, ns, secret_name, mwc):
    pki = values["pki"]
    wh = (mwc.get("webhooks") or [{}])[0]
    ca_bundle = wh.get("clientConfig", {}).get("caBundle")
    annotations = mwc.get("metadata", {}).get("annotations") or {}
    secrets = [d for d in by_kind(docs, "Secret") if not is_hook(d)]
    if pki["certManager"]["enabled"]:
        mode = "cert-manager"
    elif pki["existingSecret"]:
        mode = "existing-secret"
    elif pki["cert"] or pki["key"]:
        mode = "inline"
    else:
        mode = "helm-generated"

    if mode == "cert-manager":
        leaf = one(docs, "Certificate", full)
        check(secret_name == leaf.get("spec", {}).get("secretName"), f"{tag} pod mounts {secret_name}, Certificate writes {leaf.get('spec', {}).get('secretName')}")
        check(annotations.get("cert-manager.io/inject-ca-from") == f"{ns}/{full}", f"{tag} inject-ca-from {annotations}")
        check(ca_bundle is None, f"{tag} caBundle set although cainjector fills it")
        dns = leaf.get("spec", {}).get("dnsNames", [])
        check(f"{full}.{ns}.svc" in dns, f"{tag} dnsNames {dns} lack the .svc name")
        check(not secrets, f"{tag} cert-manager mode renders Secrets {[s['metadata']['name'] for s in secrets]}")
        issuer_ref = leaf.get("spec", {}).get("issuerRef", {})
        existing = pki["certManager"]["existingIssuer"]
        if existing["enabled"]:
            check(issuer_ref.get("kind") == existing["kind"] and issuer_ref.get("name") == existing["name"],
                  f"{tag} issuerRef {issuer_ref} is not the existing issuer")
            check(not by_kind(docs, "Issuer") and len(by_kind(docs, "Certificate")) == 1,
                  f"{tag} the chart's CA is rendered although an existing issuer is used")
        else:
            ca_issuer = one(docs, "Issuer", issuer_ref.get("name"))
            check(issuer_ref.get("kind") == "Issuer", f"{tag} leaf issuerRef {issuer_ref}")
            ca_secret = ca_issuer.get("spec", {}).get("ca", {}).get("secretName")
            ca_cert = [c for c in by_kind(docs, "Certificate") if c["spec"].get("secretName") == ca_secret]
            check(len(ca_cert) == 1 and ca_cert[0]["spec"].get("isCA") is True, f"{tag} no CA Certificate writes {ca_secret}")
            if ca_cert:
                root = one(docs, "Issuer", ca_cert[0]["spec"]["issuerRef"]["name"])
                check(root.get("spec") == {"selfSigned": {}}, f"{tag} the CA is not issued by a self-signed Issuer")
            check(ca_secret != secret_name, f"{tag} CA and serving certificate share a Secret")
        return

    check(not by_kind(docs, "Certificate") and not by_kind(docs, "Issuer"), f"{tag} cert-manager objects without cert-manager")
    check("cert-manager.io/inject-ca-from" not in annotations, f"{tag} inject-ca-from without cert-manager")
    if mode == "existing-secret":
        check(secret_name == pki["existingSecret"], f"{tag} pod mounts {secret_name}, want {pki['existingSecret']}")
        check(not secrets, f"{tag} a Secret rendered although pki.existingSecret is given")
        check(ca_bundle and pem_of(ca_bundle) == pki["caBundle"], f"{tag} caBundle is not pki.caBundle")
        return
    secret = one(secrets, "Secret", secret_name)
    if not secret:
        return
    check(secret.get("type") == "kubernetes.io/tls", f"{tag} Secret type {secret.get('type')}")
    data = secret.get("data", {})
    if mode == "inline":
        check(pem_of(data.get("tls.crt", "")) == pki["cert"] and pem_of(data.get("tls.key", "")) == pki["key"],
              f"{tag} the Secret does not hold pki.cert/pki.key")
        check(ca_bundle and pem_of(ca_bundle) == pki["caBundle"], f"{tag} caBundle is not pki.caBundle")
        return
    # helm-generated: the caBundle is the CA in the Secret, and that CA signed the serving cert,
    # whose SANs carry the Service's names and whose key is the Secret's key.
    check(ca_bundle and data.get("ca.crt") == ca_bundle, f"{tag} caBundle differs from the Secret's ca.crt")
    with tempfile.TemporaryDirectory() as tmp:
        ca_file, crt_file = pathlib.Path(tmp, "ca.crt"), pathlib.Path(tmp, "tls.crt")
        ca_file.write_text(pem_of(data.get("ca.crt", "")))
        crt_file.write_text(pem_of(data.get("tls.crt", "")))
        verify = openssl("verify", "-CAfile", str(ca_file), "-purpose", "sslserver", str(crt_file))
        check(verify.returncode == 0, f"{tag} the serving cert does not verify against the CA: {verify.stdout}{verify.stderr}")
        san = openssl("x509", "-in", str(crt_file), "-noout", "-ext", "subjectAltName").stdout
        for name in (full, f"{full}.{ns}", f"{full}.{ns}.svc"):
            check(f"DNS:{name}," in san + ",", f"{tag} SAN lacks {name}: {san.strip()}")
        pub_cert = openssl("x509", "-in", str(crt_file), "-noout", "-pubkey").stdout
        pub_key = openssl("pkey", "-pubout", stdin=pem_of(data.get("tls.key", ""))).stdout
        check(pub_cert and pub_cert == pub_key, f"{tag} tls.key does not belong to tls.crt")


def check_test_hook(tag, docs, values, mwc):
    hooks = [d for d in docs if is_hook(d)]
    if not values["test"]["enabled"]:
        check(not hooks, f"{tag} test hook rendered though disabled")
        return
    sa = [d for d in hooks if d["kind"] == "ServiceAccount"]
    pods = [d for d in hooks if d["kind"] == "Pod"]
    if not (check(len(sa) == 1 and len(pods) == 1, f"{tag} test hook: want one ServiceAccount and one Pod")):
        return
    sa, pod = sa[0], pods[0]
    sa_ann, pod_ann = sa["metadata"]["annotations"], pod["metadata"]["annotations"]
    prefix = values["config"]["annotationPrefix"]
    arn = values["test"]["roleArn"]
    check(sa_ann.get(f"{prefix}/role-arn") == arn, f"{tag} test ServiceAccount lacks {prefix}/role-arn")
    for ann in (sa_ann, pod_ann):
        check(ann.get("helm.sh/hook") == "test", f"{tag} hook kind {ann.get('helm.sh/hook')}")
        check("before-hook-creation" in ann.get("helm.sh/hook-delete-policy", ""), f"{tag} hook cannot rerun")
    check(int(sa_ann.get("helm.sh/hook-weight", 0)) < int(pod_ann.get("helm.sh/hook-weight", 0)),
          f"{tag} the test ServiceAccount is not created before the pod")
    spec = pod["spec"]
    check(spec.get("serviceAccountName") == sa["metadata"]["name"], f"{tag} test pod runs under {spec.get('serviceAccountName')}")
    check(spec.get("restartPolicy") == "Never", f"{tag} test pod restartPolicy")
    c = spec["containers"][0]
    check(c.get("command") == ["/webhook"] and c.get("args", [None])[0] == "self-check", f"{tag} test pod does not run self-check")
    flags = arg_map(c.get("args", [])[1:])
    check(flags.get("role-arn") == arn, f"{tag} self-check expects {flags.get('role-arn')}, the ServiceAccount has {arn}")
    check(flags.get("token-audience") == values["config"]["tokenAudience"], f"{tag} self-check audience")
    if mwc:
        sel = mwc["webhooks"][0]["objectSelector"]
        check(selector_matches(sel, pod["metadata"].get("labels") or {}),
              f"{tag} the webhook's objectSelector excludes the test pod; it would never be mutated")
    check(pod["metadata"]["namespace"] == sa["metadata"]["namespace"], f"{tag} test pod and account in different namespaces")


def scenario_checks(name, docs, values, dep):
    tag = f"[{name}]"
    spec = dep.get("spec", {})
    pspec = spec.get("template", {}).get("spec", {})
    c = (pspec.get("containers") or [{}])[0]
    pdbs = by_kind(docs, "PodDisruptionBudget")
    hardened = name != "jkroepke-compat"
    if hardened:
        sc, psc = c.get("securityContext", {}), pspec.get("securityContext", {})
        check(sc.get("runAsNonRoot") and sc.get("runAsUser") == 65532, f"{tag} not running as 65532 non-root: {sc}")
        check(sc.get("readOnlyRootFilesystem") is True, f"{tag} root filesystem writable")
        check(sc.get("allowPrivilegeEscalation") is False, f"{tag} privilege escalation allowed")
        check(sc.get("capabilities", {}).get("drop") == ["ALL"], f"{tag} capabilities not all dropped")
        check(psc.get("seccompProfile", {}).get("type") == "RuntimeDefault", f"{tag} seccomp not RuntimeDefault")
        res = c.get("resources", {})
        check(res.get("requests", {}).get("cpu") and res.get("requests", {}).get("memory") and res.get("limits", {}).get("memory"),
              f"{tag} requests/limits missing: {res}")

    if name == "default":
        check(spec.get("replicas") == 2, f"{tag} replicas {spec.get('replicas')}")
        check(len(pdbs) == 1 and pdbs[0]["spec"].get("minAvailable") == 1, f"{tag} PDB {pdbs}")
        if pdbs:
            check(selector_matches(pdbs[0]["spec"]["selector"], spec["template"]["metadata"]["labels"]), f"{tag} PDB selects no pod")
        keys = {t["topologyKey"]: t for t in pspec.get("topologySpreadConstraints", [])}
        check(set(keys) == {"topology.kubernetes.io/zone", "kubernetes.io/hostname"}, f"{tag} spread keys {list(keys)}")
        for t in keys.values():
            check(selector_matches(t.get("labelSelector", {}), spec["template"]["metadata"]["labels"]), f"{tag} spread selector misses the pods")
        check(pspec.get("priorityClassName") == "system-cluster-critical", f"{tag} priorityClassName {pspec.get('priorityClassName')}")
        check(c.get("livenessProbe", {}).get("httpGet") == {"path": "/healthz", "port": "https", "scheme": "HTTPS"}, f"{tag} liveness")
        check(c.get("readinessProbe", {}).get("httpGet") == {"path": "/readyz", "port": "https", "scheme": "HTTPS"}, f"{tag} readiness")
        check(c.get("image") == "ghcr.io/irsa-webhook/irsa-webhook:" + yaml.safe_load((CHART / "Chart.yaml").read_text())["appVersion"],
              f"{tag} image {c.get('image')}")
        wh = one(docs, "MutatingWebhookConfiguration")["webhooks"][0]
        check(wh["failurePolicy"] == "Ignore" and wh["reinvocationPolicy"] == "IfNeeded", f"{tag} webhook defaults")
        check(not by_kind(docs, "HorizontalPodAutoscaler") and not by_kind(docs, "NetworkPolicy")
              and not by_kind(docs, "ServiceMonitor") and not by_kind(docs, "ConfigMap"), f"{tag} optional objects on by default")
        check(pspec.get("hostNetwork") is None, f"{tag} hostNetwork set by default")
    elif name == "existing-secret":
        check(spec.get("replicas") == 3 and len(pdbs) == 1 and pdbs[0]["spec"] == {
            "selector": pdbs[0]["spec"]["selector"], "maxUnavailable": 1}, f"{tag} PDB with maxUnavailable: {pdbs}")
        check(c.get("image") == "registry.example.com/mirror/irsa-webhook@" + values["image"]["digest"], f"{tag} image {c.get('image')}")
        check("priorityClassName" not in pspec, f"{tag} empty priorityClassName rendered")
    elif name == "jkroepke-compat":
        check(spec.get("replicas") == 1 and not pdbs, f"{tag} a single replica must not get a PDB")
        check(c.get("image") == "registry.example.com/mirror/irsa-webhook:0.1.0", f"{tag} image {c.get('image')}")
        check(pspec.get("imagePullSecrets") == [{"name": "regcred"}], f"{tag} imagePullSecrets")
        cm = one(docs, "ConfigMap", "pod-identity-webhook")
        data = json.loads(cm.get("data", {}).get("config", "{}"))
        check(data == {f"{NAMESPACE}/myserviceaccount": {"RoleARN": "arn:aws:iam::111122223333:role/from-global",
                                                          "Audience": "sts.amazonaws.com"}},
              f"{tag} ConfigMap data not templated: {data}")
        sm = one(docs, "ServiceMonitor")
        check(sm.get("metadata", {}).get("namespace") == "monitoring" and
              sm["metadata"]["labels"].get("release") == "prometheus", f"{tag} ServiceMonitor metadata")
        sa = one([d for d in docs if not is_hook(d)], "ServiceAccount")
        check(sa.get("metadata", {}).get("annotations") == {"example.com/team": RELEASE}, f"{tag} SA annotation not templated")
        check(c.get("securityContext", {}).get("runAsUser") == 65534, f"{tag} the user's securityContext was not used")
    elif name == "monitoring":
        check("replicas" not in spec, f"{tag} replicas set although the HPA scales")
        hpa = one(docs, "HorizontalPodAutoscaler")
        check(hpa.get("spec", {}).get("scaleTargetRef", {}).get("name") == dep["metadata"]["name"], f"{tag} HPA target")
        check(hpa.get("spec", {}).get("minReplicas") == 3 and hpa["spec"].get("maxReplicas") == 8, f"{tag} HPA bounds")
        metrics = {m["resource"]["name"]: m["resource"]["target"]["averageUtilization"] for m in hpa.get("spec", {}).get("metrics", [])}
        check(metrics == {"cpu": 60, "memory": 80}, f"{tag} HPA metrics {metrics}")
        check(len(pdbs) == 1, f"{tag} no PDB with the HPA")
        sm = one(docs, "ServiceMonitor")
        ep = (sm.get("spec", {}).get("endpoints") or [{}])[0]
        check(ep.get("port") == "metrics" and ep.get("interval") == "15s" and ep.get("scrapeTimeout") == "10s", f"{tag} ServiceMonitor endpoint {ep}")
        check(ep.get("metricRelabelings") == values["metrics"]["serviceMonitor"]["metricRelabelings"], f"{tag} metricRelabelings")
        check(selector_matches(sm.get("spec", {}).get("selector", {}), one(docs, "Service")["metadata"]["labels"]), f"{tag} ServiceMonitor selects no Service")
        np = one(docs, "NetworkPolicy")
        check(selector_matches(np.get("spec", {}).get("podSelector", {}), spec["template"]["metadata"]["labels"]), f"{tag} NetworkPolicy selects no pod")
        ingress_ports = {p["port"] for r in np.get("spec", {}).get("ingress", []) for p in r.get("ports", [])}
        check({8443, 9999} <= ingress_ports, f"{tag} NetworkPolicy ingress ports {ingress_ports}")
        egress_ports = {p["port"] for r in np.get("spec", {}).get("egress", []) for p in r.get("ports", [])}
        check({53, 443} <= egress_ports, f"{tag} NetworkPolicy egress ports {egress_ports}")
    elif name == "hostnetwork":
        check(pspec.get("hostNetwork") is True and pspec.get("dnsPolicy") == "ClusterFirstWithHostNet", f"{tag} hostNetwork/dnsPolicy")
        check(pspec.get("terminationGracePeriodSeconds") == 40, f"{tag} grace period")
        check(pspec.get("tolerations") == values["tolerations"], f"{tag} tolerations")
    elif name == "watch-configmap":
        check(not by_kind(docs, "ConfigMap"), f"{tag} the chart must not create the ConfigMap it only watches")
        flags = arg_map(c.get("args", []))
        check(flags.get("tls-min-version") == "1.3", f"{tag} --tls-min-version {flags.get('tls-min-version')}")
    elif name == "doctor-rbac":
        check(len(doctor_objects(docs)) == 2, f"{tag} want the doctor ClusterRole and its binding")
    elif name == "role-policy":
        # The scenario must exercise what check_role_policy and check_rbac judge: the chart's own
        # ConfigMap and a namespaceSelector rule, hence the namespaces rule of the ClusterRole.
        rp = values["rolePolicy"]
        check(rp["enabled"] and not rp["existingConfigMap"] and role_policy_reads_namespaces(values),
              f"{tag} the scenario does not enable a policy with a namespaceSelector rule")
        check(NAMESPACES_RULE in one(docs, "ClusterRole", dep["metadata"]["name"]).get("rules", []),
              f"{tag} the ClusterRole cannot read namespaces for the namespaceSelector rule")
        check([d["metadata"]["name"] for d in role_policy_objects(docs)] == [f"{dep['metadata']['name']}-role-policy"],
              f"{tag} role-policy ConfigMaps {[d['metadata']['name'] for d in role_policy_objects(docs)]}")
        policy = yaml.safe_load(role_policy_objects(docs)[0]["data"]["policy.yaml"]) if role_policy_objects(docs) else {}
        accounts = [a for r in policy.get("rules", []) for a in r.get("allowedAccounts", [])]
        check(accounts and all(isinstance(a, str) for a in accounts), f"{tag} account ids not kept as strings: {accounts}")
    elif name == "helm-generated-certs":
        wh = one(docs, "MutatingWebhookConfiguration")["webhooks"][0]
        check(wh["failurePolicy"] == "Fail" and wh["timeoutSeconds"] == 5, f"{tag} webhook policy")


def cmd_render():
    names = []
    for f in scenarios():
        name = f.name[: -len("-values.yaml")]
        names.append(name)
        values = load_values(f)
        ns = values["namespaceOverride"] or NAMESPACE
        docs = render("-f", str(f), namespace=NAMESPACE)
        dep = check_common(name, docs, values)
        if dep:
            scenario_checks(name, docs, values, dep)
        del ns
    for required in ("default", "helm-generated-certs", "existing-secret", "jkroepke-compat", "monitoring",
                     "hostnetwork", "watch-configmap", "doctor-rbac", "role-policy"):
        check(required in names, f"ci/{required}-values.yaml is missing")

    # With matchConditions on an older cluster they are left out (the field is 1.28+).
    docs = render("-f", str(CHART / "ci" / "monitoring-values.yaml"), "--kube-version", "1.27.0")
    check("matchConditions" not in one(docs, "MutatingWebhookConfiguration")["webhooks"][0],
          "matchConditions rendered for Kubernetes 1.27")

    # Helm-generated certificates: one CA per render shared by Secret and caBundle (checked
    # above), and a different one on the next render (helm template cannot look the old one up).
    gen = str(CHART / "ci" / "helm-generated-certs-values.yaml")
    first = one(render("-f", gen), "Secret")["data"]["ca.crt"]
    second = one(render("-f", gen), "Secret")["data"]["ca.crt"]
    check(first != second, "two renders produced the same generated CA (not generated?)")

    # doctor's RBAC: off by default; on without subjects, the role alone (the operator binds it);
    # a long name still fits in 63 characters.
    check(not doctor_objects(render()), "doctor objects rendered by default")
    docs = render("--set", "doctor.rbac.create=true")
    check([(d["kind"], d["metadata"]["name"]) for d in doctor_objects(docs)] == [("ClusterRole", "irsa-webhook-doctor")],
          f"doctor.rbac.create alone: {[(d['kind'], d['metadata']['name']) for d in doctor_objects(docs)]}")
    check(one(docs, "ClusterRole", "irsa-webhook-doctor").get("rules") == DOCTOR_RULES, "doctor rules with create alone")
    long_name = "x" * 63
    docs = render("--set", "doctor.rbac.create=true", "--set", f"fullnameOverride={long_name}")
    check([d["metadata"]["name"] for d in doctor_objects(docs)] == ["x" * 56 + "-doctor"],
          f"doctor role name with a 63-character fullname: {[d['metadata']['name'] for d in doctor_objects(docs)]}")

    # rolePolicy beyond the ci scenario: nothing at all while disabled, even with a selector rule
    # in the values; the namespaces rule only with a selector rule (or a ConfigMap of the user's,
    # whose rules the chart cannot see); a long fullname still gives a valid ConfigMap name.
    selector_rule = {"name": "by-label", "namespaceSelector": {"matchLabels": {"team": "shop"}}, "allowedRoles": ["*"]}
    glob_rule = {"name": "shop", "namespaces": ["shop-*"], "allowedRoles": ["arn:aws:iam::*:role/{namespace}-*"]}
    role_policy_cases = [
        ("disabled, selector rule", {"rolePolicy": {"enabled": False, "policy": {"mode": "enforce", "rules": [selector_rule]}}}),
        ("enabled, globs only", {"rolePolicy": {"enabled": True, "policy": {"mode": "enforce", "rules": [glob_rule]}}}),
        ("enabled, default policy", {"rolePolicy": {"enabled": True}}),
        ("enabled, selector rule", {"rolePolicy": {"enabled": True, "policy": {"rules": [glob_rule, selector_rule]}}}),
        ("existingConfigMap", {"rolePolicy": {"enabled": True, "existingConfigMap": "team-role-policy"}}),
        ("long fullname", {"fullnameOverride": "y" * 63, "rolePolicy": {"enabled": True}}),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        for label, case in role_policy_cases:
            f = pathlib.Path(tmp, "role-policy.yaml")
            f.write_text(yaml.safe_dump(case))
            values = load_values(f)
            docs = render("-f", str(f))
            full = fullname_of(values)
            dep = one(docs, "Deployment", full)
            if not dep:
                continue
            tag = f"[rolePolicy {label}]"
            sa_name = dep["spec"]["template"]["spec"]["serviceAccountName"]
            check_role_policy(tag, docs, values, full, NAMESPACE, dep["spec"]["template"])
            check_rbac(tag, docs, full, NAMESPACE, sa_name, False, role_policy_reads_namespaces(values))
            rules = one(docs, "ClusterRole", full).get("rules", [])
            want_ns = label in ("enabled, selector rule", "existingConfigMap")
            check((NAMESPACES_RULE in rules) == want_ns, f"{tag} namespaces rule present={NAMESPACES_RULE in rules}, want {want_ns}")
            if label == "disabled, selector rule":
                check([d for d in render() if d["kind"] != "Secret"] == [d for d in docs if d["kind"] != "Secret"],
                      f"{tag} a disabled rolePolicy changes the rendering of the defaults")
            if label == "long fullname":
                check([d["metadata"]["name"] for d in role_policy_objects(docs)] == ["y" * 51 + "-role-policy"],
                      f"{tag} ConfigMap name {[d['metadata']['name'] for d in role_policy_objects(docs)]}")
    docs = render("--set", "rolePolicy.enabled=true", "--set", "rbac.create=false")
    check(not by_kind(docs, "ClusterRole"), "rolePolicy with rbac.create=false still renders a ClusterRole")

    # The README's install command renders the image it names: a repository with a registry of
    # its own gets no default registry in front.
    readme = (CHART.parent.parent / "README.md").read_text()
    command = re.search(r"helm install irsa-webhook charts/irsa-webhook[^`]*?(?=\nhelm test)", readme)
    check(command is not None, "README: no helm install command")
    sets = dict(re.findall(r"--set ([\w.]+)=(\S+)", command.group(0)))
    check("image.repository" in sets and "image.tag" in sets, f"README's command sets no image: {sets}")
    docs = render(*[a for k, v in sets.items() for a in ("--set", f"{k}={v}")])
    image = one(docs, "Deployment")["spec"]["template"]["spec"]["containers"][0]["image"]
    check(image == f"{sets['image.repository']}:{sets['image.tag']}",
          f"README's command renders image {image}, not {sets['image.repository']}:{sets['image.tag']}")
    docs = render("--set", "image.repository=team/irsa-webhook")
    image = one(docs, "Deployment")["spec"]["template"]["spec"]["containers"][0]["image"]
    check(image.startswith("ghcr.io/team/irsa-webhook:"), f"a bare repository lost the registry: {image}")
    docs = render("--set", "image.repository=localhost:5000/irsa-webhook")
    image = one(docs, "Deployment")["spec"]["template"]["spec"]["containers"][0]["image"]
    check(image.startswith("localhost:5000/irsa-webhook:"), f"a registry with a port got a prefix: {image}")

    # Without the test hook.
    docs = render("--set", "test.enabled=false")
    check(not [d for d in docs if is_hook(d)], "test.enabled=false still renders the hook")

    # NOTES.txt names the certificate mode and the way to check.
    for f, mode in ((None, "cert-manager"), (gen, "helm-generated")):
        args = ["install", RELEASE, str(CHART), "--namespace", NAMESPACE, "--dry-run=client"]
        if f:
            args += ["-f", f]
        notes = helm(*args).stdout.split("NOTES:", 1)[-1]
        check(f"Serving certificate: {mode}" in notes, f"NOTES lack the certificate mode {mode}:\n{notes}")
        check(f"helm test {RELEASE}" in notes and "kubectl get mutatingwebhookconfiguration" in notes,
              f"NOTES lack the checks:\n{notes}")
    notes = helm("install", RELEASE, str(CHART), "--namespace", NAMESPACE, "--dry-run=client",
                 "-f", str(CHART / "ci" / "role-policy-values.yaml")).stdout.split("NOTES:", 1)[-1]
    check(f"Role policy (--role-policy) from ConfigMap {RELEASE}-role-policy" in notes, f"NOTES lack the role policy:\n{notes}")
    notes = helm("install", RELEASE, str(CHART), "--namespace", NAMESPACE, "--dry-run=client").stdout
    check("--role-policy" not in notes, "NOTES name a role policy that is disabled")
    notes = helm("install", RELEASE, str(CHART), "--namespace", NAMESPACE, "--dry-run=client",
                 "--set", "replicaCount=1", "--set", "mutatingWebhook.failurePolicy=Fail").stdout
    check("WARNING: failurePolicy Fail with a single replica" in notes, "NOTES do not warn about Fail with one replica")


# ---------------------------------------------------------------------------------------------
# schema


def refused_naming_paths(what, cases, validator):
    """Each (values, path): helm refuses the values naming the path, and so does Python's jsonschema."""
    with tempfile.TemporaryDirectory() as tmp:
        for i, (bad, path) in enumerate(cases):
            f = pathlib.Path(tmp, f"{what}-{i}.yaml")
            f.write_text(yaml.safe_dump(bad))
            result = helm("template", RELEASE, str(CHART), "-f", str(f), check_rc=False)
            check(result.returncode != 0 and f"'{path}'" in result.stderr,
                  f"{what} values {bad}: want helm to refuse naming {path!r}, got rc={result.returncode}: {result.stderr}")
            check(list(validator.iter_errors(load_values(f))), f"{what} values {bad}: Python jsonschema accepts it")


def cmd_schema():
    schema = json.loads((CHART / "values.schema.json").read_text())
    check(schema.get("$schema") == "http://json-schema.org/draft-07/schema#", "schema is not draft-07")
    jsonschema.Draft7Validator.check_schema(schema)
    validator = jsonschema.Draft7Validator(schema)

    def objects_without_closure(node, path):
        if node.get("type") == "object" and "properties" in node:
            check(node.get("additionalProperties") is False, f"schema object {path or '/'} accepts unknown keys")
            for key, sub in node["properties"].items():
                objects_without_closure(sub, f"{path}/{key}")
    objects_without_closure(schema, "")

    # Every key the schema knows has a default in values.yaml, and values.yaml passes.
    values = yaml.safe_load((CHART / "values.yaml").read_text())

    def keys_present(node, vals, path):
        for key, sub in node.get("properties", {}).items():
            check(isinstance(vals, dict) and key in vals, f"schema key {path}/{key} has no default in values.yaml")
            if isinstance(vals, dict) and key in vals and sub.get("type") == "object":
                keys_present(sub, vals[key], f"{path}/{key}")
    keys_present(schema, values, "")
    for f in [CHART / "values.yaml"] + scenarios():
        errors = [e.message for e in validator.iter_errors(load_values(*( [f] if f.name != "values.yaml" else [])))]
        check(not errors, f"{f.name} does not validate: {errors}")

    # Every `# --` documented key: each top-level key of values.yaml has a "# --" comment on
    # it or on its children.
    text = (CHART / "values.yaml").read_text().splitlines()
    for i, line in enumerate(text):
        m = re.match(r"^([A-Za-z][A-Za-z0-9]*):", line)
        if m:
            block = []
            k = i - 1
            while k >= 0 and text[k].startswith("#"):
                block.append(text[k])
                k -= 1
            j = i + 1
            while j < len(text) and (text[j].startswith(" ") or not text[j].strip()):
                block.append(text[j])
                j += 1
            check(any("# --" in b for b in block), f"values.yaml: {m.group(1)} is not documented with '# --'")

    # The bad files: helm refuses each, naming the offending path; jsonschema agrees.
    bad_files = sorted(BAD_VALUES.glob("*.yaml"))
    check(len(bad_files) >= 6, f"only {len(bad_files)} bad values files")
    for f in bad_files:
        first = f.read_text().splitlines()[0]
        m = re.match(r"^# expect: (.+)$", first)
        if not check(m, f"{f.name}: first line must be '# expect: <text of helm's error>'"):
            continue
        expected = m.group(1)
        result = helm("template", RELEASE, str(CHART), "-f", str(f), check_rc=False)
        check(result.returncode != 0, f"{f.name}: helm accepted it")
        check(expected in result.stderr, f"{f.name}: helm's error lacks {expected!r}:\n{result.stderr}")
        lint = helm("lint", "--strict", str(CHART), "-f", str(f), check_rc=False)
        check(lint.returncode != 0, f"{f.name}: helm lint --strict accepted it")
        check(list(validator.iter_errors(load_values(f))), f"{f.name}: Python jsonschema accepts it")


    # doctor.rbac: wrong types, unknown subject kinds, a ServiceAccount without namespace and
    # unknown keys are refused (by helm and by jsonschema), naming the path.
    bad_doctor = [
        ({"doctor": {"rbac": {"create": "yes"}}}, "/doctor/rbac/create"),
        ({"doctor": {"rbac": {"create": True, "subjects": [{"kind": "Robot", "name": "r2"}]}}},
         "/doctor/rbac/subjects/0/kind"),
        ({"doctor": {"rbac": {"create": True, "subjects": [{"kind": "ServiceAccount", "name": "ci"}]}}},
         "/doctor/rbac/subjects/0"),
        ({"doctor": {"rbac": {"create": True, "subjects": [{"kind": "User", "name": ""}]}}},
         "/doctor/rbac/subjects/0/name"),
        ({"doctor": {"rbac": {"create": True, "bindTo": "alice"}}}, "/doctor/rbac"),
    ]
    refused_naming_paths("doctor", bad_doctor, validator)
    good = pathlib.Path(CHART, "ci", "doctor-rbac-values.yaml")
    check(not list(validator.iter_errors(load_values(good))), "ci/doctor-rbac-values.yaml does not validate")

    # rolePolicy: the shapes the files of bad-values/ do not cover, refused naming the path.
    def policy(*rules, mode="audit"):
        return {"rolePolicy": {"enabled": True, "policy": {"mode": mode, "rules": list(rules)}}}
    role = {"allowedRoles": ["*"]}
    bad_role_policy = [
        ({"rolePolicy": {"enabled": "yes"}}, "/rolePolicy/enabled"),
        ({"rolePolicy": {"enabled": True, "policy": {"rules": [], "default": "audit"}}}, "/rolePolicy/policy"),
        ({"rolePolicy": {"enabled": True, "existingConfigMap": "Team_Policy"}}, "/rolePolicy/existingConfigMap"),
        (policy({"name": "a rule", **role}), "/rolePolicy/policy/rules/0/name"),
        (policy({"name": "x" * 64, **role}), "/rolePolicy/policy/rules/0/name"),
        (policy({"name": "r", **role, "mode": "deny"}), "/rolePolicy/policy/rules/0/mode"),
        (policy({"name": "r", **role, "namespaces": "shop"}), "/rolePolicy/policy/rules/0/namespaces"),
        (policy({"name": "r", **role, "namespaces": ["Shop"]}), "/rolePolicy/policy/rules/0/namespaces/0"),
        ({"rolePolicy": {"enabled": True, "policy": {"mode": "audit", "rules": None}}}, "/rolePolicy/policy"),
        (policy({"name": "r", "allowedRoles": [""]}), "/rolePolicy/policy/rules/0/allowedRoles/0"),
        (policy({"name": "r", "allowedRoles": ["role/shop-*"]}), "/rolePolicy/policy/rules/0/allowedRoles/0"),
        (policy({"name": "r", "allowedRoles": ["arn:aws:iam::*:role/{team}-*"]}), "/rolePolicy/policy/rules/0/allowedRoles/0"),
        (policy({"name": "r", "allowedRoles": ["arn:aws:iam::*:role/{namespace-*"]}), "/rolePolicy/policy/rules/0/allowedRoles/0"),
        (policy({"name": "r", "allowedRoles": ["arn:aws:iam::*:role/ shop"]}), "/rolePolicy/policy/rules/0/allowedRoles/0"),
        (policy({"name": "r", **role, "allowedAccounts": [111122223333]}), "/rolePolicy/policy/rules/0/allowedAccounts/0"),
        (policy({"name": "r", **role, "allowedPartitions": ["AWS"]}), "/rolePolicy/policy/rules/0/allowedPartitions/0"),
        (policy({"name": "r", **role, "maxServiceAccountsPerRole": 0}), "/rolePolicy/policy/rules/0/maxServiceAccountsPerRole"),
        (policy({"name": "r", **role, "maxServiceAccountsPerRole": 1.5}), "/rolePolicy/policy/rules/0/maxServiceAccountsPerRole"),
        (policy({"name": "r", **role, "namespaceSelector": {"matchLabel": {"team": "shop"}}}),
         "/rolePolicy/policy/rules/0/namespaceSelector"),
        (policy({"name": "r", **role, "namespaceSelector": {"matchLabels": {"tier": 1}}}),
         "/rolePolicy/policy/rules/0/namespaceSelector/matchLabels/tier"),
        (policy({"name": "r", **role, "namespaceSelector": {"matchExpressions": [{"key": "team", "operator": "In"}]}}),
         "/rolePolicy/policy/rules/0/namespaceSelector/matchExpressions/0"),
        (policy({"name": "r", **role, "namespaceSelector": {"matchExpressions": [{"key": "team", "operator": "Exists", "values": ["a"]}]}}),
         "/rolePolicy/policy/rules/0/namespaceSelector/matchExpressions/0/values"),
        (policy({"name": "r", **role, "namespaceSelector": {"matchExpressions": [{"operator": "Exists"}]}}),
         "/rolePolicy/policy/rules/0/namespaceSelector/matchExpressions/0"),
    ]
    refused_naming_paths("rolePolicy", bad_role_policy, validator)
    with tempfile.TemporaryDirectory() as tmp:
        # What the webhook accepts passes: the role pattern's placeholders, the partitions.
        fine = policy({"name": "A.b_c-1", "namespaces": ["*", "shop-*"],
                       "allowedRoles": ["*", "arn:aws-cn:iam::*:role/{namespace}/{serviceAccount}-*"],
                       "allowedPartitions": ["aws", "aws-us-gov", "aws-iso-b"], "maxServiceAccountsPerRole": 1})
        f = pathlib.Path(tmp, "fine.yaml")
        f.write_text(yaml.safe_dump(fine))
        errors = [e.message for e in validator.iter_errors(load_values(f))]
        check(not errors, f"rolePolicy values {fine} refused: {errors}")
        # The example policy is a valid rolePolicy.policy, and helm renders it.
        f = pathlib.Path(tmp, "example.yaml")
        example = yaml.safe_load((ROOT / "examples" / "role-policy.yaml").read_text())
        f.write_text(yaml.safe_dump({"rolePolicy": {"enabled": True, "policy": example}}))
        errors = [e.message for e in validator.iter_errors(load_values(f))]
        check(not errors, f"examples/role-policy.yaml is not a valid rolePolicy.policy: {errors}")
        result = helm("template", RELEASE, str(CHART), "-f", str(f), check_rc=False)
        check(result.returncode == 0, f"helm refuses examples/role-policy.yaml as rolePolicy.policy: {result.stderr}")


# ---------------------------------------------------------------------------------------------
# failures


def cmd_failures():
    cases = [
        (["--set", "terminationGracePeriodSeconds=15"], "must exceed config.shutdownDelaySeconds + config.shutdownTimeoutSeconds (15)"),
        (["--set", "pki.certManager.enabled=false", "--set", "pki.existingSecret=tls"], "pki.caBundle is required with pki.existingSecret"),
        (["--set", "pki.certManager.enabled=false", "--set", "pki.cert=x"], "pki.cert and pki.key go together"),
        (["--set", "pki.certManager.enabled=false", "--set", "pki.cert=x", "--set", "pki.key=y"], "pki.caBundle is required with pki.cert and pki.key"),
        (["--set", "rolePolicy.enabled=true", "--set-json", 'rolePolicy.policy.rules=[{"name":"team","allowedRoles":["*"]},{"name":"team","allowedRoles":[]}]'],
         'rolePolicy.policy.rules: the name "team" is used by more than one rule'),
        (["--set", "rolePolicy.enabled=true", "--set", "rolePolicy.existingConfigMap=mine", "--set-json", 'rolePolicy.policy.rules=[{"name":"team","allowedRoles":["*"]}]'],
         "rolePolicy.policy and rolePolicy.existingConfigMap exclude each other"),
        (["--set", "rolePolicy.enabled=true", "--set", "rolePolicy.existingConfigMap=mine", "--set", "rolePolicy.policy.mode=enforce"],
         "rolePolicy.policy and rolePolicy.existingConfigMap exclude each other"),
    ]
    for args, message in cases:
        result = helm("template", RELEASE, str(CHART), *args, check_rc=False)
        check(result.returncode != 0 and message in result.stderr,
              f"helm template {' '.join(args)}: want a failure with {message!r}, got rc={result.returncode}: {result.stderr}")
    # The same shapes, made valid, render.
    ok = [
        ["--set", "terminationGracePeriodSeconds=16"],
        ["--set", "pki.certManager.enabled=false", "--set", "pki.existingSecret=tls", "--set",
         "mutatingWebhook.annotations.cert-manager\\.io/inject-ca-from-secret=ns/tls"],
        ["--set", "rolePolicy.enabled=true", "--set-json", 'rolePolicy.policy.rules=[{"name":"team","allowedRoles":["*"]},{"name":"other","allowedRoles":[]}]'],
        ["--set", "rolePolicy.enabled=true", "--set", "rolePolicy.existingConfigMap=mine"],
        # A duplicate name is refused only where the chart writes the policy.
        ["--set", "rolePolicy.enabled=false", "--set-json", 'rolePolicy.policy.rules=[{"name":"team","allowedRoles":["*"]},{"name":"team","allowedRoles":[]}]'],
    ]
    for args in ok:
        result = helm("template", RELEASE, str(CHART), *args, check_rc=False)
        check(result.returncode == 0, f"helm template {' '.join(args)} failed: {result.stderr}")


# ---------------------------------------------------------------------------------------------
# deploy


def cmd_deploy():
    deploy = ROOT / "deploy"
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "HELM": HELM}
        result = subprocess.run(["bash", str(ROOT / "scripts" / "generate-deploy.sh"), tmp], capture_output=True, text=True, env=env)
        if not check(result.returncode == 0, f"generate-deploy.sh failed: {result.stderr}"):
            return
        fresh = {p.name: p.read_text() for p in pathlib.Path(tmp).iterdir()}
        committed = {p.name: p.read_text() for p in deploy.iterdir() if p.suffix == ".yaml"}
        check(set(fresh) == set(committed), f"deploy/ files {sorted(committed)} != generated {sorted(fresh)}")
        for name in sorted(set(fresh) & set(committed)):
            if fresh[name] != committed[name]:
                diff = subprocess.run(["diff", "-u", str(deploy / name), str(pathlib.Path(tmp) / name)],
                                      capture_output=True, text=True).stdout
                failures.append(f"deploy/{name} drifted from the chart; run scripts/generate-deploy.sh:\n{diff[:3000]}")
    # The manifests are the chart's default objects (no hooks), without Helm's labels.
    kust = yaml.safe_load((deploy / "kustomization.yaml").read_text())
    docs = []
    for res in kust["resources"]:
        docs += [d for d in yaml.safe_load_all((deploy / res).read_text()) if d]
    chart_docs = [d for d in render("--skip-tests") if not is_hook(d)]
    want = sorted((d["kind"], d["metadata"]["name"]) for d in chart_docs) + [("Namespace", NAMESPACE)]
    have = sorted((d["kind"], d["metadata"]["name"]) for d in docs)
    check(have == sorted(want), f"deploy/ objects {have} != chart defaults {sorted(want)}")
    for d in docs:
        labels = d["metadata"].get("labels") or {}
        check("helm.sh/chart" not in labels and labels.get("app.kubernetes.io/managed-by") != "Helm",
              f"deploy/ {d['kind']} {d['metadata']['name']} keeps Helm's labels")
    kubectl = subprocess.run(["bash", "-c", "command -v kubectl"], capture_output=True, text=True).stdout.strip()
    if kubectl:
        built = subprocess.run([kubectl, "kustomize", str(deploy)], capture_output=True, text=True)
        if check(built.returncode == 0, f"kubectl kustomize deploy/ failed: {built.stderr}"):
            kinds = sorted((d["kind"], d["metadata"]["name"]) for d in yaml.safe_load_all(built.stdout) if d)
            check(kinds == have, f"kustomize output {kinds} != deploy/ files {have}")
    else:
        print("chart tests: kubectl not found; kustomize build of deploy/ not checked")
    check_own_image_example(docs, kubectl)


def image_name(image):
    """An image reference without its tag or digest: what kustomize's images[].name matches."""
    if "@" in image:
        return image.split("@", 1)[0]
    last = image.rsplit("/", 1)[-1]
    return image.rsplit(":", 1)[0] if ":" in last else image


def check_own_image_example(docs, kubectl):
    """examples/kustomize/own-image swaps the image by name; the name must be deploy/'s image."""
    example_dir = ROOT / "examples" / "kustomize" / "own-image"
    example = yaml.safe_load((example_dir / "kustomization.yaml").read_text())
    bases = [(example_dir / r).resolve() for r in example.get("resources", [])]
    check(bases == [ROOT / "deploy"], f"examples/kustomize/own-image: resources {example.get('resources')} "
          "should be the one path to deploy/")
    deployed = set()
    for d in docs:
        if d["kind"] == "Deployment":
            pod = d["spec"]["template"]["spec"]
            deployed |= {image_name(c["image"]) for c in pod.get("containers", []) + pod.get("initContainers", [])}
    entries = example.get("images") or []
    check(entries, "examples/kustomize/own-image: no images: entry")
    for entry in entries:
        check(entry.get("name") in deployed,
              f"examples/kustomize/own-image: images name {entry.get('name')!r} is not the image of "
              f"deploy/deployment.yaml ({sorted(deployed)}); kustomize would leave that image unchanged")
        check(entry.get("newName") and (entry.get("newTag") or entry.get("digest")),
              f"examples/kustomize/own-image: images entry {entry} needs newName and newTag (or digest)")
    if kubectl and entries:
        built = subprocess.run([kubectl, "kustomize", str(example_dir)], capture_output=True, text=True)
        if check(built.returncode == 0, f"kubectl kustomize examples/kustomize/own-image failed: {built.stderr}"):
            want = f"{entries[0].get('newName')}:{entries[0].get('newTag')}"
            images = sorted({c["image"] for d in yaml.safe_load_all(built.stdout) if d and d["kind"] == "Deployment"
                             for c in d["spec"]["template"]["spec"]["containers"]})
            check(images == [want], f"kustomize build of examples/kustomize/own-image has images {images}, not [{want!r}]")


def main():
    global HELM
    commands = {"lint": cmd_lint, "render": cmd_render, "schema": cmd_schema, "failures": cmd_failures,
                "deploy": cmd_deploy}
    if len(sys.argv) != 2 or sys.argv[1] not in commands:
        sys.exit(f"usage: {sys.argv[0]} {{{','.join(commands)}}}")
    HELM = helm_binary()
    commands[sys.argv[1]]()
    if failures:
        print(f"{len(failures)} check(s) failed:")
        for f in failures:
            print(" -", f)
        sys.exit(1)
    print(f"chart tests {sys.argv[1]}: ok ({HELM})")


if __name__ == "__main__":
    main()
