# irsa_add_gtest_suites(target [LABEL label]): one CTest test per GoogleTest suite of target,
# each running the binary with --gtest_filter=Suite.*, instead of one per test.
#
# Why: every CTest test is a process, and a sanitizer build's process costs about 0.1 s of CPU to
# start and to stop (AddressSanitizer maps its shadow memory, LeakSanitizer scans at exit). With
# a test per process, the 1,200 tests of the ASan build spent more CPU starting than testing:
# core_tests' 336 tests take 0.3 s of CPU in one process, and 96 of them took 10.8 s one per
# process. A suite per process keeps the parallelism that matters (the slow suites are the
# process tests, several per binary) and a failure still names its test in the output CTest
# shows.
#
# Like CMake's gtest_discover_tests, the suites are listed after each build (the binary's
# --gtest_list_tests), so a new suite needs no CMake edit. A suite whose every test reports a
# skip (GTEST_SKIP, e.g. without the shared/ folder) counts as skipped; one with a failure fails.

set(IRSA_GTEST_SUITES_SCRIPT "${CMAKE_CURRENT_LIST_DIR}/GTestSuitesList.cmake")

function(irsa_add_gtest_suites target)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "LABEL" "")
  set(suites_file "${CMAKE_CURRENT_BINARY_DIR}/${target}_suites.cmake")
  add_custom_command(TARGET ${target} POST_BUILD
    COMMAND "${CMAKE_COMMAND}" "-DBINARY=$<TARGET_FILE:${target}>" "-DPREFIX=${target}"
      "-DLABEL=${arg_LABEL}" "-DOUTPUT=${suites_file}" -P "${IRSA_GTEST_SUITES_SCRIPT}"
    BYPRODUCTS "${suites_file}"
    COMMENT "Listing the test suites of ${target}"
    VERBATIM)
  # CTest reads this at start; before the first build there is nothing to read, and a test that
  # cannot run says so rather than the suites silently missing.
  set(include_file "${CMAKE_CURRENT_BINARY_DIR}/${target}_include.cmake")
  file(WRITE "${include_file}"
    "if(EXISTS [==[${suites_file}]==])\n"
    "  include([==[${suites_file}]==])\n"
    "else()\n"
    "  add_test([==[${target}_NOT_BUILT]==] [==[${target}_NOT_BUILT]==])\n"
    "endif()\n")
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES "${include_file}")
endfunction()
