#!/usr/bin/env bash
# Finds the processes that carry MARKER (NAME=VALUE) in their environment, i.e. processes that a
# test run started and that are still alive after it, prints them, stops them, and fails. The
# marker is inherited by everything a test starts, however deep, unless that child empties its
# environment on purpose (the image test's `env -i` self-check, which it waits for).
#
# Usage: scripts/leftover-processes.sh MARKER
set -euo pipefail
if [ "$#" -ne 1 ] || [[ "$1" != *=* ]]; then
  echo "usage: $0 NAME=VALUE" >&2
  exit 2
fi
marker="$1"

leftovers=()
for environ in /proc/[0-9]*/environ; do
  pid="${environ#/proc/}"
  pid="${pid%/environ}"
  [ "$pid" != "$$" ] || continue
  # Unreadable (another user's, or gone meanwhile): not ours.
  if { tr '\0' '\n' <"$environ"; } 2>/dev/null | grep -qxF -- "$marker"; then
    leftovers+=("$pid")
  fi
done

if [ "${#leftovers[@]}" -eq 0 ]; then
  echo "leftover-processes: none"
  exit 0
fi
echo "leftover-processes: ${#leftovers[@]} process(es) started by the tests are still running:" >&2
for pid in "${leftovers[@]}"; do
  echo "  pid $pid: $({ tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null | cut -c1-200)" >&2
done
kill -TERM "${leftovers[@]}" 2>/dev/null || true
sleep 1
kill -KILL "${leftovers[@]}" 2>/dev/null || true
echo "leftover-processes: stopped them; the test that started them must stop them itself" >&2
exit 1
