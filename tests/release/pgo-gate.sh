#!/usr/bin/env bash
# When a release build compiles irsa_core with the recorded profile (cmake/ProfileGuided.cmake):
# only for the core sources and the build the profile was recorded from. Configures a copy of the
# tree (no compiling) against a profile folder made here, so the answer does not depend on
# whether pgo/ is current, and checks the flags CMake gives the core's files:
#   1. sources and build as recorded: the profile is used;
#   2. one core file edited: the next build configures again, and compiles without it;
#   3. a BUILD file naming another compiler: without it;
#   4. an edit outside the core: still with it;
#   5. a system header the core includes, recorded with other contents (a library update): without
#      it; and SOURCES lists such headers at all.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fail() { echo "pgo-gate: $*" >&2; exit 1; }

copy="$work/tree"
mkdir "$copy"
cp -r "$root/CMakeLists.txt" "$root/cmake" "$root/src" "$root/include" "$root/fuzz" "$copy/"
options=(-G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER=g++ -DIRSA_BUILD_TESTS=OFF
  -DIRSA_BUILD_BENCHMARKS=OFF -DIRSA_BUILD_LOAD_TOOLS=OFF)

# BUILD and SOURCES as the generate mode writes them for pgo-profile.sh.
cmake -S "$copy" -B "$work/generate" "${options[@]}" -DIRSA_PGO=generate \
  -DIRSA_PGO_DIR="$work/unused" >/dev/null
profile="$work/profile"
mkdir "$profile"
cp "$work/generate/pgo-build-id.txt" "$profile/BUILD"
cp "$work/generate/pgo-sources.txt" "$profile/SOURCES"
: >"$profile/src#CMakeFiles#irsa_core.dir#core#planner.cpp.gcda"

# Whether the core's planner.cpp, and the server's files, are compiled with the profile.
uses_profile() {
  python3 - "$1/compile_commands.json" "$2" <<'EOF'
import json, sys
commands, wanted = json.load(open(sys.argv[1])), sys.argv[2]
for entry in commands:
    if entry["file"].endswith(wanted):
        sys.exit(0 if "-fprofile-use=" in entry["command"] else 1)
sys.exit(2)
EOF
}

use="$work/use"
log="$work/configure.log"
cmake -S "$copy" -B "$use" "${options[@]}" -DIRSA_PGO_DIR="$profile" >"$log"
grep -q "Profile-guided optimisation of irsa_core: on" "$log" || { cat "$log" >&2; fail "1: not on"; }
uses_profile "$use" src/core/planner.cpp || fail "1: the core is compiled without the profile"
if uses_profile "$use" src/server/listener.cpp; then fail "1: the server is compiled with it"; fi

# 4 before 2: an edit outside the core changes nothing.
echo "// edited" >>"$copy/src/server/listener.cpp"
cmake --build "$use" --target help >"$log" 2>&1
if grep -q "Profile-guided optimisation of irsa_core: off" "$log"; then
  fail "4: an edit outside the core turned the profile off"
fi
uses_profile "$use" src/core/planner.cpp || fail "4: the core lost the profile"

echo "// edited" >>"$copy/src/core/planner.cpp"
# Any build re-runs configure first, since the core's files are among its dependencies.
cmake --build "$use" --target help >"$log" 2>&1
grep -q "Profile-guided optimisation of irsa_core: off (the core changed" "$log" ||
  { cat "$log" >&2; fail "2: an edit of the core did not turn the profile off"; }
if uses_profile "$use" src/core/planner.cpp; then fail "2: still compiled with the profile"; fi

# Undo the edit, then record a different nlohmann/json header: the library the core's policy
# parsing includes, as an update would change it.
sed -i '$d' "$copy/src/core/planner.cpp"
cp "$profile/SOURCES" "$work/SOURCES.recorded"
grep -q '  /usr/include/nlohmann/json.hpp$' "$profile/SOURCES" ||
  fail "5: SOURCES does not list the system headers the core includes"
sed -i 's|^[0-9a-f]*  /usr/include/nlohmann/json.hpp$|0000  /usr/include/nlohmann/json.hpp|' \
  "$profile/SOURCES"
cmake -S "$copy" -B "$use" >"$log"
grep -q "Profile-guided optimisation of irsa_core: off (headers the core includes differ" "$log" ||
  { cat "$log" >&2; fail "5: a changed system header was not noticed"; }
if uses_profile "$use" src/core/planner.cpp; then fail "5: still compiled with the profile"; fi
cp "$work/SOURCES.recorded" "$profile/SOURCES"

# Record another compiler.
sed -i '1s/.*/compiler GNU 0.0.0/' "$profile/BUILD"
cmake -S "$copy" -B "$use" >"$log"
grep -q "Profile-guided optimisation of irsa_core: off (recorded with another compiler" "$log" ||
  { cat "$log" >&2; fail "3: another compiler's profile was not refused"; }
if uses_profile "$use" src/core/planner.cpp; then fail "3: still compiled with the profile"; fi
echo "pgo-gate: the profile is used for the recorded core and build only"
