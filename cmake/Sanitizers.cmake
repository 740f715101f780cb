# IRSA_SANITIZERS applies one -fsanitize= list to everything built, so that the libraries and
# the tests that drive them are instrumented alike.
if(IRSA_SANITIZERS)
  add_compile_options(-fsanitize=${IRSA_SANITIZERS} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${IRSA_SANITIZERS})
endif()
if(IRSA_SANITIZERS MATCHES "thread")
  # GCC warns that ThreadSanitizer does not model std::atomic_thread_fence, which Asio's
  # scheduler uses; the warning is about instrumentation coverage, not about our code.
  add_compile_options(-Wno-tsan)
endif()
