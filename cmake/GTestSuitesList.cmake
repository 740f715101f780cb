# Run after a GoogleTest binary is built (cmake -P, from irsa_add_gtest_suites in GTestSuites.cmake):
# lists its suites and writes OUTPUT, which CTest includes: one test per suite.
#   -DBINARY=path -DPREFIX=test-name-prefix -DLABEL=label-or-empty -DOUTPUT=file
foreach(required BINARY PREFIX OUTPUT)
  if(NOT DEFINED ${required})
    message(FATAL_ERROR "GTestSuitesList.cmake needs -D${required}=...")
  endif()
endforeach()

execute_process(COMMAND "${BINARY}" --gtest_list_tests
  OUTPUT_VARIABLE listing ERROR_VARIABLE errors RESULT_VARIABLE status TIMEOUT 60)
if(NOT status EQUAL 0)
  file(REMOVE "${OUTPUT}")
  message(FATAL_ERROR "${BINARY} --gtest_list_tests failed (${status}):\n${listing}${errors}")
endif()

# A suite's line has no leading space and ends in a dot, perhaps followed by the type of a typed
# suite ("Suite/0.  # TypeParam = int"); its tests are the indented lines under it.
# Each suite's number of tests becomes its COST, which CTest starts the largest first by: a fresh
# build has no timings of its own yet, and a long suite started last would run alone at the end.
string(REPLACE "\n" ";" lines "${listing}")
set(suites "")
foreach(line IN LISTS lines)
  if(line MATCHES "^([A-Za-z0-9_/]+)\\.(  #.*)?$")
    set(suite "${CMAKE_MATCH_1}")
    list(APPEND suites "${suite}")
    string(MAKE_C_IDENTIFIER "${suite}" key)
    set(count_${key} 0)
  elseif(line MATCHES "^  [^ ]" AND DEFINED suite)
    math(EXPR count_${key} "${count_${key}} + 1")
  endif()
endforeach()
if(suites STREQUAL "")
  file(REMOVE "${OUTPUT}")
  message(FATAL_ERROR "${BINARY} lists no test suite:\n${listing}")
endif()

# Skipped: every test of the suite skipped and nothing after GoogleTest's list of them (a failure
# would be listed after it, and a sanitizer's report would follow it). CTest takes a match as a
# skip whatever the exit status, hence the anchor.
set(all_skipped "\\[  PASSED  \\] 0 tests\\.\n\\[  SKIPPED \\] [0-9]+ tests?, listed below:\n(\\[  SKIPPED \\] [^\n]*\n?)+$")
string(REPLACE "\\" "\\\\" all_skipped_text "${all_skipped}")
string(REPLACE "\n" "\\n" all_skipped_text "${all_skipped_text}")

set(content "# Written by GTestSuitesList.cmake from ${BINARY} --gtest_list_tests\n")
foreach(suite IN LISTS suites)
  set(name "${PREFIX}.${suite}")
  string(MAKE_C_IDENTIFIER "${suite}" key)
  string(APPEND content
    "add_test([==[${name}]==] [==[${BINARY}]==] [==[--gtest_filter=${suite}.*]==])\n"
    "set_tests_properties([==[${name}]==] PROPERTIES COST ${count_${key}}\n"
    "  SKIP_REGULAR_EXPRESSION \"${all_skipped_text}\"")
  if(LABEL)
    string(APPEND content " LABELS [==[${LABEL}]==]")
  endif()
  string(APPEND content ")\n")
endforeach()
file(WRITE "${OUTPUT}" "${content}")
