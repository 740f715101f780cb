# Shared precompiled headers for clang builds (the ASan and TSan builds of `make test`).
#
# Each target is one unity file, and nearly each of them parses the same standard library, Asio,
# Beast and nlohmann/json headers first: about 5 of the 19 s clang took for irsa_kube's file at
# -O0 (-ftime-trace), and as long again for the templates those headers instantiate. Here they are
# parsed and instantiated once per build, into one header for the programs and libraries and one
# that adds GoogleTest for the tests, and every target loads the one it needs. The ASan build took
# 257 s of CPU with them and 302 s without (2026-12-08, GNU ld in both).
#
# Clang only: GCC compiled these builds more slowly with a precompiled header (issue 4; measured
# again on 2026-12-08 for the release build: 189.5 s of CPU with it, 190.2 s without), so the
# release build (GCC) goes on parsing each target's own includes, and a file of src/ that misses
# one of these headers fails there (unless a file before it in its unity batch includes it). The
# headers listed must not depend on a target's own definitions (spdlog's and simdjson's do, so
# they stay out); definitions a target adds on its own command line are accepted by clang beside
# the header's.

set(irsa_pch_default OFF)
if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  set(irsa_pch_default ON)
endif()
option(IRSA_PRECOMPILED_HEADERS "Share precompiled third-party headers between targets (clang)"
  ${irsa_pch_default})

set(IRSA_COMMON_HEADERS
  <algorithm> <array> <atomic> <charconv> <chrono> <cstddef> <cstdint> <filesystem> <fstream>
  <functional> <map> <memory> <mutex> <optional> <set> <sstream> <stdexcept> <string>
  <string_view> <thread> <unordered_map> <utility> <vector>
  <nlohmann/json.hpp>
  <boost/asio/as_tuple.hpp> <boost/asio/awaitable.hpp> <boost/asio/co_spawn.hpp>
  <boost/asio/detached.hpp> <boost/asio/io_context.hpp> <boost/asio/ip/tcp.hpp>
  <boost/asio/post.hpp> <boost/asio/steady_timer.hpp> <boost/asio/strand.hpp>
  <boost/asio/use_awaitable.hpp>
  <boost/beast/core/flat_buffer.hpp> <boost/beast/http/read.hpp>
  <boost/beast/http/string_body.hpp> <boost/beast/http/write.hpp>)

# Every target defined in DIR and the directories below it.
function(irsa_targets_below dir out)
  get_property(targets DIRECTORY ${dir} PROPERTY BUILDSYSTEM_TARGETS)
  get_property(subdirs DIRECTORY ${dir} PROPERTY SUBDIRECTORIES)
  foreach(subdir IN LISTS subdirs)
    irsa_targets_below(${subdir} below)
    list(APPEND targets ${below})
  endforeach()
  set(${out} ${targets} PARENT_SCOPE)
endfunction()

# Called once, after every target exists.
function(irsa_share_precompiled_headers)
  # The fuzz build instruments its libraries for libFuzzer target by target, and clang refuses a
  # header made without that; it is built for `make fuzz` alone, so it goes without.
  if(NOT IRSA_PRECOMPILED_HEADERS OR IRSA_FUZZ)
    return()
  endif()
  irsa_targets_below(${PROJECT_SOURCE_DIR} targets)

  # The hosts: a file with nothing of its own, compiled with the flags every target has.
  set(host_source ${PROJECT_SOURCE_DIR}/cmake/precompiled_host.cpp)
  add_library(irsa_pch_common OBJECT ${host_source})
  target_link_libraries(irsa_pch_common PRIVATE nlohmann_json::nlohmann_json Boost::headers)
  target_precompile_headers(irsa_pch_common PRIVATE ${IRSA_COMMON_HEADERS})
  set(hosts irsa_pch_common)
  if(IRSA_BUILD_TESTS)
    # GoogleTest's imported targets belong to tests/; this directory needs its own.
    find_package(GTest REQUIRED)
    add_library(irsa_pch_tests OBJECT ${host_source})
    target_link_libraries(irsa_pch_tests PRIVATE nlohmann_json::nlohmann_json Boost::headers
      GTest::gtest)
    target_precompile_headers(irsa_pch_tests PRIVATE ${IRSA_COMMON_HEADERS} <gtest/gtest.h>)
    list(APPEND hosts irsa_pch_tests)
  endif()
  foreach(host IN LISTS hosts)
    irsa_set_warnings(${host})
    set_target_properties(${host} PROPERTIES UNITY_BUILD OFF)
  endforeach()

  foreach(target IN LISTS targets)
    get_target_property(type ${target} TYPE)
    if(NOT type MATCHES "^(STATIC_LIBRARY|EXECUTABLE|OBJECT_LIBRARY)$")
      continue()
    endif()
    # Set by irsa_test_defaults (tests/CMakeLists.txt), which every target linking GoogleTest calls.
    get_target_property(tests ${target} IRSA_GOOGLETEST)
    if(tests)
      target_precompile_headers(${target} REUSE_FROM irsa_pch_tests)
    else()
      target_precompile_headers(${target} REUSE_FROM irsa_pch_common)
    endif()
  endforeach()
endfunction()
