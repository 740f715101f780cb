#!/usr/bin/env python3
"""Holds .github/workflows/release.yml to what a release must do, read from the files it serves.

The image it pushes is the one the chart's defaults render (image.registry and image.repository
of charts/irsa-webhook/values.yaml, combined as templates/_helpers.tpl does), tagged with the
version; it builds with `make image ... PLATFORMS=` naming linux/amd64 and linux/arm64 and pushes
with `make image-push` to that same name; its first step checks the tag with
scripts/release-version.sh (workflow-check.sh runs that script against CMakeLists.txt and
Chart.yaml); the registry login takes the token on stdin; an SPDX SBOM is made per architecture;
the chart goes to an OCI repository of the same registry; permissions are contents and packages
write and nothing else; actions are pinned to a major version at least.

Usage: check_workflow.py [WORKFLOW]   (default .github/workflows/release.yml)
Prints each failure and exits 1, or prints one line and exits 0.
"""
import pathlib
import re
import shlex
import sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
VERSION = "9.8.7"  # stands for the version step's output while commands are expanded

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
    return bool(condition)


def chart_default_image_name():
    """registry/repository as the chart's "irsa-webhook.image" helper builds it from values.yaml."""
    image = yaml.safe_load((ROOT / "charts" / "irsa-webhook" / "values.yaml").read_text())["image"]
    repository, registry = image["repository"], image.get("registry") or ""
    first = repository.split("/", 1)[0]
    own_registry = "/" in repository and ("." in first or ":" in first or first == "localhost")
    if registry and not own_registry:
        return f"{registry}/{repository}", registry
    return repository, first if own_registry else "docker.io"


def expand(text, env):
    """${{ ... }} expressions and $VAR / ${VAR} of the step's and the workflow's env, substituted."""
    def expression(match):
        expr = match.group(1).strip()
        if expr.startswith("env."):
            return str(env.get(expr[4:], ""))
        if expr == "steps.version.outputs.version":
            return VERSION
        return "<" + expr + ">"

    # Shell variables first: their values (step env) may hold expressions themselves.
    text = re.sub(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?", lambda m: str(env.get(m.group(1), m.group(0))), text)
    return re.sub(r"\$\{\{(.*?)\}\}", expression, text)


def commands(run):
    """The shell lines of a run: block, continuation lines joined, comments dropped."""
    joined = re.sub(r"\\\n\s*", " ", run)
    return [line.strip() for line in joined.splitlines() if line.strip() and not line.strip().startswith("#")]


def make_call(line, target):
    """The arguments of `make TARGET ...` in a shell line, or None."""
    try:
        words = shlex.split(line)
    except ValueError:
        return None
    if len(words) >= 2 and words[0] == "make" and words[1] == target:
        return dict(w.split("=", 1) for w in words[2:] if "=" in w)
    return None


def main():
    path = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / ".github" / "workflows" / "release.yml"
    workflow = yaml.safe_load(path.read_text())
    image_name, registry = chart_default_image_name()
    want_image = f"{image_name}:{VERSION}"

    # PyYAML reads the key `on` as the boolean true (YAML 1.1); GitHub reads it as "on".
    trigger = workflow.get("on", workflow.get(True)) or {}
    tags = ((trigger.get("push") or {}).get("tags") or []) if isinstance(trigger, dict) else []
    check(tags == ["v*"], f"the workflow should run on pushed tags v* alone, not {tags}")
    check(workflow.get("permissions") == {"contents": "write", "packages": "write"},
          f"permissions should be exactly contents: write and packages: write, not {workflow.get('permissions')}")

    jobs = workflow.get("jobs") or {}
    check(len(jobs) == 1, f"one job expected (the steps depend on one another's files), found {sorted(jobs)}")
    job = next(iter(jobs.values()), {})
    check(job.get("runs-on") == "ubuntu-24.04", f"runs-on should be ubuntu-24.04, not {job.get('runs-on')!r}")
    check("permissions" not in job, "the job should not widen the workflow's permissions")
    steps = job.get("steps") or []

    found = {}  # what -> index of the step it was found in
    for index, step in enumerate(steps):
        env = {**(workflow.get("env") or {}), **(job.get("env") or {}), **(step.get("env") or {})}
        uses = step.get("uses")
        if uses:
            check(re.fullmatch(r"[\w.-]+/[\w./-]+@(v\d+(\.\d+){0,2}|[0-9a-f]{40})", uses),
                  f"step {index} uses {uses!r}: pin it to a major version (@vN) or a commit")
        if uses and uses.split("@")[0] == "anchore/sbom-action":
            with_ = step.get("with") or {}
            check(expand(str(with_.get("image", "")), env) == want_image,
                  f"SBOM step {index} scans {expand(str(with_.get('image', '')), env)!r}, not {want_image!r}")
            check(with_.get("format") == "spdx-json", f"SBOM step {index} should write spdx-json")
            found.setdefault("sbom " + str(env.get("SYFT_PLATFORM")), index)
        for line in commands(step.get("run") or ""):
            expanded = expand(line, env)
            if "scripts/release-version.sh" in line:
                check(re.search(r"release-version\.sh\"?\s+\"?(\$GITHUB_REF_NAME|\$\{\{\s*github\.ref_name\s*\}\})", line),
                      f"step {index} should give scripts/release-version.sh the tag (GITHUB_REF_NAME)")
                check(step.get("id") == "version", f"the version check (step {index}) should have id: version")
                found.setdefault("version", index)
            build = make_call(expanded, "image")
            if build is not None:
                check(build.get("IMAGE") == want_image,
                      f"`make image` builds {build.get('IMAGE')!r}, not the chart's default {want_image!r}")
                platforms = build.get("PLATFORMS", "").split(",")
                check("linux/amd64" in platforms and "linux/arm64" in platforms,
                      f"`make image` PLATFORMS={build.get('PLATFORMS', '')!r} should name linux/amd64 and linux/arm64")
                found.setdefault("build", index)
            push = make_call(expanded, "image-push")
            if push is not None:
                check(push.get("IMAGE") == want_image,
                      f"`make image-push` pushes {push.get('IMAGE')!r}, not the chart's default {want_image!r}")
                found.setdefault("push", index)
            if re.search(r"\bpodman login\b", line):
                words = shlex.split(expanded)
                at = next((i for i in range(len(words) - 1) if words[i:i + 2] == ["podman", "login"]), -1)
                target = words[at + 2] if 0 <= at and at + 2 < len(words) else ""
                check(target == registry, f"step {index} logs podman in to {target!r}, not to {registry}")
                check("--password-stdin" in line, f"step {index}: podman login should read the token on stdin")
                found.setdefault("login", index)
            if re.search(r"\bhelm\"? push\b", line):
                target = shlex.split(expanded)[-1]
                check(target.startswith(f"oci://{registry}/"), f"the chart is pushed to {target!r}, not oci://{registry}/...")
                found.setdefault("chart", index)
            check(not re.search(r"(-p|--password)[ =]\S*(TOKEN|secrets\.)", line),
                  f"step {index} puts a token on a command line: {line!r}")

    for what, message in [("version", "no step runs scripts/release-version.sh on the tag"),
                          ("build", "no step runs `make image`"),
                          ("push", "no step runs `make image-push`"),
                          ("login", "no step runs `podman login`"),
                          ("sbom linux/amd64", "no SBOM step with SYFT_PLATFORM linux/amd64"),
                          ("sbom linux/arm64", "no SBOM step with SYFT_PLATFORM linux/arm64"),
                          ("chart", "no step runs `helm push`")]:
        check(what in found, message)
    order = ["version", "build", "push", "sbom linux/amd64"]
    if all(w in found for w in order):
        check([found[w] for w in order] == sorted(found[w] for w in order),
              f"the steps should run in the order {order}, found {[(w, found[w]) for w in order]}")
    if "login" in found and "push" in found:
        check(found["login"] < found["push"], "podman login should come before `make image-push`")

    if failures:
        print(f"{len(failures)} check(s) of {path.name} failed:", file=sys.stderr)
        for failure in failures:
            print(" - " + failure, file=sys.stderr)
        return 1
    print(f"release workflow: builds and pushes {image_name}:<version> for linux/amd64 and linux/arm64")
    return 0


if __name__ == "__main__":
    sys.exit(main())
