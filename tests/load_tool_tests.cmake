# irsa-corpus and irsa-loadgen (bench/), with a short `make bench-load`. Included by
# tests/CMakeLists.txt when IRSA_BUILD_LOAD_TOOLS is on.

# irsa-corpus (bench/corpus): the load-test corpus, checked through the library and the program,
# with the ServiceAccounts read back through the store's own loader.
irsa_add_test_binary(corpus_tests bench/corpus_test.cpp)
target_link_libraries(corpus_tests PRIVATE irsa_corpus irsa_store)
target_compile_definitions(corpus_tests PRIVATE IRSA_CORPUS_BINARY="$<TARGET_FILE:irsa-corpus>")
add_dependencies(corpus_tests irsa-corpus)

# The load generator: its parts against a scripted stand-in webhook, and the binary against the
# real one.
irsa_add_test_binary(loadgen_tests
  loadgen/corpus_test.cpp
  loadgen/histogram_test.cpp
  loadgen/load_run_test.cpp
  loadgen/response_check_test.cpp
  loadgen/stub_webhook.cpp
  loadgen/target_test.cpp
)
target_link_libraries(loadgen_tests PRIVATE irsa_loadgen Threads::Threads)

irsa_add_test_binary(loadgen_process_tests loadgen/loadgen_process_test.cpp)
target_link_libraries(loadgen_process_tests PRIVATE irsa_process_support)
target_compile_definitions(loadgen_process_tests PRIVATE
  IRSA_LOADGEN_BINARY="$<TARGET_FILE:irsa-loadgen>")
add_dependencies(loadgen_process_tests irsa-webhook irsa-loadgen)

# `make bench-load` end to end with short runs, one rate, 500 accounts and 4 connections (the
# benchmark has 10,000 and 32; the smaller run takes a fifth less CPU): every program starts, nginx
# serves the ceiling, every answer checks out and the summary has every row. Its figures are not
# read: `make test` runs it in the ASan build, where they mean nothing, but where the sanitizers
# watch irsa-loadgen, irsa-corpus and the fake API server too (UBSan found an overflow in
# irsa-loadgen's closed loop there). Its corpus is made from the shared typical review: without the
# shared/ folder beside the checkout it reports a skip, as the corpus tests do.
set(IRSA_TYPICAL_REVIEW "${IRSA_SHARED_DIR}/bench/typical-review.json")
add_test(NAME bench_load_smoke
  COMMAND bash -c "if [ ! -f \"$1\" ]; then echo \"skipped: no typical review at $1\"; exit 77; fi; shift; exec \"$@\""
    bench_load_smoke "${IRSA_TYPICAL_REVIEW}"
    ${CMAKE_COMMAND} -E env BENCH_DURATION=300ms BENCH_WARMUP=200ms BENCH_RATES=1000 BENCH_PROBE=0.5
    BENCH_ACCOUNTS=500 BENCH_CONNECTIONS=4
    BENCH_README=- BENCH_RESULTS=${CMAKE_CURRENT_BINARY_DIR}/bench-smoke
    BENCH_BIN=$<TARGET_FILE_DIR:irsa-webhook> IRSA_SHARED_DIR=${IRSA_SHARED_DIR}
    python3 ${PROJECT_SOURCE_DIR}/scripts/bench-load.py)
# Started first, beside the other tests rather than alone after them: a smoke run's figures
# are not read, only whether every answer checks out.
set_tests_properties(bench_load_smoke PROPERTIES TIMEOUT 180 COST 1000 SKIP_RETURN_CODE 77)
