#!/usr/bin/env bash
# How much text the compiler reads: every translation unit of a build directory's
# compile_commands.json is run through the preprocessor (its own command with -E) and its lines
# counted. Prints the sum for the product (src/, bench/loadgen/) and for the tests (tests/), then
# the ten largest translation units.
#
#   scripts/preprocessed-lines.sh [build-dir] [--all]     (default: build; --all lists every TU)
set -euo pipefail

build_dir=${1:-build}
list_all=${2:-}
commands="$build_dir/compile_commands.json"
[[ -f $commands ]] || { echo "no $commands: configure the build first" >&2; exit 1; }

python3 - "$commands" "$list_all" <<'PY'
import json, os, shlex, subprocess, sys

def preprocessed_lines(entry):
    args = entry.get("arguments") or shlex.split(entry["command"])
    # Drop the output and the compile-only flag; preprocess to stdout instead.
    kept, skip = [], False
    for arg in args:
        if skip:
            skip = False
            continue
        if arg == "-o":
            skip = True
            continue
        if arg in ("-c", "-MD", "-MMD") or arg.startswith(("-MF", "-MT", "-MQ")):
            if arg in ("-MF", "-MT", "-MQ"):
                skip = True
            continue
        kept.append(arg)
    out = subprocess.run(kept + ["-E", "-o", "-"], cwd=entry["directory"], capture_output=True,
                         check=True).stdout
    return out.count(b"\n")

entries = json.load(open(sys.argv[1]))
sums = {"product": 0, "tests": 0}
sizes = []
for entry in entries:
    path = os.path.normpath(os.path.join(entry["directory"], entry["file"]))
    parts = path.split(os.sep)
    if "tests" in parts:
        group = "tests"
    elif "src" in parts or ("bench" in parts and "loadgen" in parts):
        group = "product"
    else:
        continue  # fuzz targets, benchmarks, the corpus tool: outside both figures
    lines = preprocessed_lines(entry)
    sums[group] += lines
    sizes.append((lines, group, path))

print(f"product (src/, bench/loadgen/): {sums['product']:>12,} lines")
print(f"tests   (tests/):               {sums['tests']:>12,} lines")
shown = sorted(sizes, reverse=True)
if sys.argv[2] != "--all":
    shown = shown[:10]
print("largest translation units:")
for lines, group, path in shown:
    print(f"  {lines:>10,}  {group:<7}  {path}")
PY
