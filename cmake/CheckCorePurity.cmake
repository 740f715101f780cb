# Fails when the pure core reaches for I/O, clocks, threads, randomness or logging. System
# headers all live in /usr/include, so linking alone cannot keep a stray include out; this
# check, run by ctest, does. Usage: cmake -DCORE_DIRS="a;b" -P CheckCorePurity.cmake
set(forbidden
  "boost/" "asio" "openssl/" "spdlog/" "fmt/" "sys/socket.h" "netinet/" "unistd.h" "fcntl.h"
  "fstream" "iostream" "cstdio" "filesystem" "chrono" "thread" "mutex" "atomic" "random"
  "future" "condition_variable" "ctime")
set(violations "")
foreach(dir IN LISTS CORE_DIRS)
  file(GLOB_RECURSE files "${dir}/*.hpp" "${dir}/*.cpp")
  foreach(file IN LISTS files)
    file(STRINGS "${file}" includes REGEX "^[ \t]*#[ \t]*include[ \t]*[<\"]")
    foreach(line IN LISTS includes)
      foreach(name IN LISTS forbidden)
        string(FIND "${line}" "<${name}" at_angle)
        string(FIND "${line}" "\"${name}" at_quote)
        if(NOT at_angle EQUAL -1 OR NOT at_quote EQUAL -1)
          list(APPEND violations "${file}: ${line}")
        endif()
      endforeach()
    endforeach()
  endforeach()
endforeach()
if(violations)
  list(JOIN violations "\n  " text)
  message(FATAL_ERROR "the core must stay free of I/O, clocks, threads and logging:\n  ${text}")
endif()
message(STATUS "core purity: ok")
