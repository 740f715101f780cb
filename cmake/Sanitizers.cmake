# IRSA_SANITIZERS applies one -fsanitize= list to everything built, so that the libraries and
# the tests that drive them are instrumented alike.
if(IRSA_SANITIZERS)
  add_compile_options(-fsanitize=${IRSA_SANITIZERS} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${IRSA_SANITIZERS})
endif()
if(IRSA_SANITIZERS MATCHES "undefined" AND IRSA_SANITIZERS MATCHES "address")
  # Beside AddressSanitizer, UBSan's null, alignment and dynamic-type (vptr) checks find little
  # that ASan does not (a bad pointer faults or is reported as a bad access), yet they make the
  # Beast-heavy files compile 40% slower at -O0. The arithmetic, shift, bounds, enum, bool and
  # return checks stay. Clang's function-type check (which GCC does not have) is off too: clang 14
  # cannot emit the data it puts before each function where Asio's coroutines are (the
  # assembler's "Cannot represent a difference across sections").
  add_compile_options(-fno-sanitize=vptr,alignment,null
    $<$<CXX_COMPILER_ID:Clang>:-fno-sanitize=function>)
endif()
if(IRSA_SANITIZERS MATCHES "thread")
  # GCC warns that ThreadSanitizer does not model std::atomic_thread_fence, which Asio's
  # scheduler uses; the warning is about instrumentation coverage, not about our code. (Clang,
  # which `make test` builds with, has no such warning.)
  add_compile_options($<$<CXX_COMPILER_ID:GNU>:-Wno-tsan>)
endif()
