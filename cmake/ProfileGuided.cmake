# Profile-guided optimisation (GCC) of irsa_core, the review that every admission runs.
#
# A compiler that knows which branches a real review takes lays the hot paths out straight,
# inlines the short appends of the patch and response writers and keeps cold code out of the way
# (docs/performance.md, "A recorded profile"). The profile is recorded by `make pgo-profile`
# (scripts/pgo-profile.sh: a server whose core is instrumented, under the load corpus) and kept in
# pgo/<processor>/, so that a build needs no training run.
#
#   IRSA_PGO=use       (default) compile irsa_core with the profile when this build is the one it
#                      was recorded for (below); otherwise as without one, and configure says why.
#   IRSA_PGO=generate  an instrumented irsa_core that writes a profile to IRSA_PGO_DIR on exit.
#   IRSA_PGO=off       no profile.
#
# Only the core: it has no coroutines. The server's and the network layer's files are full of
# Asio coroutines, and GCC 12 crashed (internal compiler error) compiling them, in unity batches
# and one by one, with the one setting that makes a profile portable between checkouts:
# --param=profile-func-internal-id=1 names each function's counts by its place in its file, where
# GCC's default mixes the source file's absolute path into the name of every function with
# internal linkage (lambdas included), so that a profile recorded in one checkout misses them all
# in another. The counts of each object file are named by its path inside the build tree
# (-fprofile-prefix-path). The source path also enters a checksum of line numbers, whose mismatch
# GCC only warns about (-Wcoverage-mismatch), using the counts all the same.
set(IRSA_PGO "use" CACHE STRING "Profile-guided optimisation of irsa_core: use, generate or off")
set_property(CACHE IRSA_PGO PROPERTY STRINGS use generate off)
set(IRSA_PGO_DIR "${PROJECT_SOURCE_DIR}/pgo/${CMAKE_SYSTEM_PROCESSOR}" CACHE PATH
    "Where the profile is read from (IRSA_PGO=use) or written to (IRSA_PGO=generate)")

# Every program linked with an instrumented library needs GCC's profiling runtime.
if(IRSA_PGO STREQUAL "generate")
  add_link_options(-fprofile-generate)
endif()

# The compiler that compiles the core: its version line names the distribution's build of it
# (Debian's revision included), and the machine it compiles for.
function(irsa_pgo_build_id out)
  execute_process(COMMAND ${CMAKE_CXX_COMPILER} --version OUTPUT_VARIABLE version ERROR_QUIET)
  string(REGEX REPLACE "\n.*" "" version "${version}")
  execute_process(COMMAND ${CMAKE_CXX_COMPILER} -dumpmachine OUTPUT_VARIABLE machine ERROR_QUIET
                  OUTPUT_STRIP_TRAILING_WHITESPACE)
  set(${out} "compiler ${CMAKE_CXX_COMPILER_ID} ${CMAKE_CXX_COMPILER_VERSION}\n${version}\n${machine}\n"
      PARENT_SCOPE)
endfunction()

# "<sha256>  <path>" of every file the compiler reads to compile `target`, sorted: its sources and
# the project's headers by their path in the tree, the system's headers (the standard library,
# glibc, nlohmann/json, simdjson) by their absolute path. The compiler lists them itself (-M), so
# a library update that leaves the headers the core includes as they were keeps the profile, and
# one that changes any of them does not. Empty, with `error` set, when the compiler cannot list
# them.
function(irsa_pgo_input_hashes target out error)
  get_target_property(sources ${target} SOURCES)
  get_target_property(source_dir ${target} SOURCE_DIR)
  list(TRANSFORM sources PREPEND "${source_dir}/")
  separate_arguments(flags UNIX_COMMAND "${CMAKE_CXX_FLAGS} ${CMAKE_CXX_FLAGS_RELEASE}")
  execute_process(
    COMMAND ${CMAKE_CXX_COMPILER} ${flags} ${CMAKE_CXX20_STANDARD_COMPILE_OPTION}
            "-I${PROJECT_SOURCE_DIR}/include" -M ${sources}
    OUTPUT_VARIABLE rules ERROR_VARIABLE messages RESULT_VARIABLE result)
  set(${out} "" PARENT_SCOPE)
  if(NOT result EQUAL 0)
    set(${error} "the compiler could not list the core's includes: ${messages}" PARENT_SCOPE)
    return()
  endif()
  # Make rules: "object.o: source header \<newline> header ...". Paths with spaces would be
  # escaped; the check below refuses them rather than hashing the wrong file.
  string(REPLACE "\\\n" " " rules "${rules}")
  string(REGEX REPLACE "[^ \n]+:( |\n)" " " rules "${rules}")
  string(REGEX REPLACE "[ \n]+" ";" paths "${rules}")
  list(FILTER paths EXCLUDE REGEX "^$")
  list(REMOVE_DUPLICATES paths)
  file(REAL_PATH "${PROJECT_SOURCE_DIR}" project_dir)
  set(inputs "")
  foreach(path IN LISTS paths)
    file(REAL_PATH "${path}" real BASE_DIRECTORY "${CMAKE_BINARY_DIR}")
    if(NOT EXISTS "${real}" OR IS_DIRECTORY "${real}")
      set(${error} "the compiler listed ${path}, which is not a file" PARENT_SCOPE)
      return()
    endif()
    file(RELATIVE_PATH relative "${project_dir}" "${real}")
    if(NOT relative MATCHES "^\\.\\./")
      set(real "${relative}")
    endif()
    list(APPEND inputs "${real}")
  endforeach()
  # In the order of their paths, so that a diff of SOURCES reads as a list of files.
  list(REMOVE_DUPLICATES inputs)
  list(SORT inputs)
  set(lines "")
  foreach(input IN LISTS inputs)
    if(IS_ABSOLUTE "${input}")
      file(SHA256 "${input}" hash)
    else()
      file(SHA256 "${project_dir}/${input}" hash)
    endif()
    list(APPEND lines "${hash}  ${input}")
  endforeach()
  set(${out} "${lines}" PARENT_SCOPE)
  set(${error} "" PARENT_SCOPE)
endfunction()

# Sets up `target` (irsa_core) for the profile.
#
# The profile is used only for exactly the sources and build it was recorded from. GCC 12 drops a
# changed function's counts, but then warns "Missing counts for called function" at each call
# into it from code that kept its counts, and that warning has no option to turn it off or to keep
# it from being an error under -Werror: a profile one edit old broke the build. So an edit of the
# core turns the profile off at the next build (configure runs again and says so), which compiles
# as without one until `make pgo-profile` records it again.
function(irsa_profile_guided target)
  file(REAL_PATH "${CMAKE_BINARY_DIR}" build_dir)
  set(portable --param=profile-func-internal-id=1 -fprofile-prefix-path=${build_dir})
  if(IRSA_PGO STREQUAL "off")
    return()
  elseif(IRSA_PGO STREQUAL "generate")
    if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
      message(FATAL_ERROR "IRSA_PGO=generate needs GCC")
    endif()
    # Atomic counters: the server's worker threads review at once.
    target_compile_options(${target} PRIVATE -fprofile-generate=${IRSA_PGO_DIR} ${portable}
                                             -fprofile-update=atomic)
    # What a profile recorded from this build is valid for, computed by the same functions that
    # check it (below), for pgo-profile.sh to keep beside the counts as BUILD and SOURCES.
    irsa_pgo_build_id(build_id)
    file(WRITE "${CMAKE_BINARY_DIR}/pgo-build-id.txt" "${build_id}")
    irsa_pgo_input_hashes(${target} hashes error)
    if(error)
      message(FATAL_ERROR "IRSA_PGO=generate: ${error}")
    endif()
    list(JOIN hashes "\n" hashes)
    file(WRITE "${CMAKE_BINARY_DIR}/pgo-sources.txt" "${hashes}\n")
    return()
  elseif(NOT IRSA_PGO STREQUAL "use")
    message(FATAL_ERROR "IRSA_PGO is ${IRSA_PGO}; expected use, generate or off")
  endif()

  set(skip "")
  file(GLOB profile_files "${IRSA_PGO_DIR}/*.gcda")
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    set(skip "the profile is GCC's and this is ${CMAKE_CXX_COMPILER_ID}")
  elseif(NOT CMAKE_BUILD_TYPE STREQUAL "Release")
    set(skip "not a release build")
  elseif(NOT IRSA_SANITIZERS STREQUAL "")
    set(skip "a sanitizer build")
  elseif(NOT profile_files OR NOT EXISTS "${IRSA_PGO_DIR}/BUILD"
         OR NOT EXISTS "${IRSA_PGO_DIR}/SOURCES")
    set(skip "no profile in ${IRSA_PGO_DIR}")
  else()
    # Whether this is still the build the profile was recorded for is asked again when any of
    # these files changes.
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${profile_files}
                 "${IRSA_PGO_DIR}/BUILD" "${IRSA_PGO_DIR}/SOURCES")
    irsa_pgo_build_id(build_id)
    file(READ "${IRSA_PGO_DIR}/BUILD" recorded_build_id)
    if(build_id STREQUAL recorded_build_id)
      # Listing the core's includes runs the compiler over its sources: only worth it for the
      # compiler the profile was recorded with.
      irsa_pgo_input_hashes(${target} hashes error)
      file(STRINGS "${IRSA_PGO_DIR}/SOURCES" recorded_hashes)
      # The project's own files are the lines with a relative path.
      set(own_hashes ${hashes})
      list(FILTER own_hashes EXCLUDE REGEX "^[0-9a-f]+  /")
      set(recorded_own_hashes ${recorded_hashes})
      list(FILTER recorded_own_hashes EXCLUDE REGEX "^[0-9a-f]+  /")
    endif()
    if(NOT build_id STREQUAL recorded_build_id)
      set(skip "recorded with another compiler (its BUILD file)")
    elseif(error)
      set(skip "${error}")
    elseif(NOT own_hashes STREQUAL recorded_own_hashes)
      set(skip "the core changed since it was recorded: `make pgo-profile` records it again")
    elseif(NOT hashes STREQUAL recorded_hashes)
      set(skip "headers the core includes differ from those it was recorded with (its SOURCES file)")
    else()
      # An edit of the core, or a library update that changes a header it includes, runs
      # configure again at the next build, which then compiles without the profile.
      foreach(line IN LISTS hashes)
        string(SUBSTRING "${line}" 66 -1 input)
        if(NOT IS_ABSOLUTE "${input}")
          set(input "${PROJECT_SOURCE_DIR}/${input}")
        endif()
        set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${input}")
      endforeach()
    endif()
  endif()
  if(skip)
    message(STATUS "Profile-guided optimisation of irsa_core: off (${skip})")
    return()
  endif()

  message(STATUS "Profile-guided optimisation of irsa_core: on (${IRSA_PGO_DIR})")
  # Neither Ninja nor a compiler cache knows that an object depends on its profile: the profile's
  # hash on the command line recompiles the core when it is recorded again.
  set(contents "")
  foreach(profile_file IN LISTS profile_files)
    file(SHA256 "${profile_file}" hash)
    string(APPEND contents "${hash}")
  endforeach()
  string(SHA256 profile_id "${contents}")
  string(SUBSTRING "${profile_id}" 0 16 profile_id)
  target_compile_options(${target} PRIVATE -fprofile-use=${IRSA_PGO_DIR} ${portable}
                                           -fprofile-partial-training -Wno-missing-profile
                                           -Wno-coverage-mismatch)
  target_compile_definitions(${target} PRIVATE IRSA_PGO_PROFILE=${profile_id})
endfunction()
