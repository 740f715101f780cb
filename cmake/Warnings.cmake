# Warnings for the project's own targets, treated as errors. Third-party headers come from
# /usr/include and are system headers, so they do not trip these.
function(irsa_set_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
    -Woverloaded-virtual -Wimplicit-fallthrough -Wformat=2
    -Werror
    # GCC 12 at -O2 and above flags std::string concatenation ("text" + str) with -Wrestrict
    # (GCC bug 105651, fixed in 13): a false positive that code cannot avoid short of
    # rewriting every concatenation, so it is off for that compiler only.
    $<$<AND:$<CXX_COMPILER_ID:GNU>,$<VERSION_LESS:$<CXX_COMPILER_VERSION>,13>>:-Wno-restrict>
    # GCC reads the frame allocator of Asio's coroutines (the server, the API client, the Wire,
    # irsa-loadgen and the fakes all use them) as a new/delete mismatch: a false positive in
    # Asio's code, so it is off for GCC everywhere rather than target by target. AddressSanitizer
    # still catches a real mismatch in `make test`.
    $<$<CXX_COMPILER_ID:GNU>:-Wno-mismatched-new-delete>
    # In a unity batch every source is an included file, and GCC then reports each type from an
    # anonymous namespace used inside another type as if a header had done it.
    $<$<AND:$<CXX_COMPILER_ID:GNU>,$<BOOL:${CMAKE_UNITY_BUILD}>>:-Wno-subobject-linkage>)
endfunction()
