# The GoogleTest suites of src/'s layers, one binary per layer (tests/<layer> mirrors
# src/<layer>), and the fakes' own tests. Included by tests/CMakeLists.txt when
# IRSA_BUILD_LAYER_TESTS is on.

irsa_add_test_binary(core_tests
  core/annotations_test.cpp
  core/annotation_hints_test.cpp
  core/identity_sources_test.cpp
  core/admission_test.cpp
  core/review_in_place_test.cpp
  core/guardrails_test.cpp
  core/response_test.cpp
  core/writers_test.cpp
  core/base64_test.cpp
  core/json_cursor_test.cpp
  core/arn_test.cpp
  core/role_policy_test.cpp
)
target_link_libraries(core_tests PRIVATE irsa_core irsa_store)
# The encoders are internal to the core; their test reaches them through src/.
target_include_directories(core_tests PRIVATE ${PROJECT_SOURCE_DIR}/src)

irsa_add_test_binary(doctor_tests
  # the checks and their report
  doctor/check_test.cpp
  doctor/checks_test.cpp
  doctor/label_selector_test.cpp
  doctor/report_test.cpp
  # the trust policy
  doctor/trust_policy_parse_test.cpp
  doctor/trust_policy_test.cpp
  doctor/trust_policy_generate_test.cpp
)
target_link_libraries(doctor_tests PRIVATE irsa_doctor irsa_store)

irsa_add_test_binary(store_tests
  store/account_index_test.cpp
  store/yaml_json_test.cpp
  store/live_identities_test.cpp
  store/manifests_test.cpp
  store/role_policy_file_test.cpp
)
target_link_libraries(store_tests PRIVATE irsa_store)

irsa_add_test_binary(kube_tests
  kube/account_cache_test.cpp
  kube/api_client_test.cpp
  kube/config_map_source_test.cpp
  kube/client_config_test.cpp
  kube/credentials_test.cpp
  kube/exec_plugin_test.cpp
  kube/line_splitter_test.cpp
  kube/watch_events_test.cpp
)
target_link_libraries(kube_tests PRIVATE irsa_kube)

# The HTTP pieces the server, irsa-loadgen, the API client and the fakes share.
irsa_add_test_binary(net_tests
  net/any_stream_test.cpp
  net/http_url_test.cpp
)
target_link_libraries(net_tests PRIVATE irsa_net)

irsa_add_test_binary(aws_tests
  aws/instance_metadata_test.cpp
  aws/sts_answer_test.cpp
)
target_link_libraries(aws_tests PRIVATE irsa_aws irsa_fake_metadata)

irsa_add_test_binary(conformance_tests
  conformance/fixture_world.cpp
  conformance/upstream_fixtures_test.cpp
)
target_link_libraries(conformance_tests PRIVATE irsa_core irsa_store OpenSSL::Crypto)
add_dependencies(conformance_tests irsa-webhook)

irsa_add_test_binary(server_tests TSAN
  server/account_wait_budget_test.cpp
  server/field_arena_test.cpp
  server/usable_cpus_test.cpp
  server/go_duration_test.cpp
  server/http_handler_test.cpp
  server/listener_test.cpp
  server/log_test.cpp
  server/memory_budget_test.cpp
  server/metrics_test.cpp
  server/routes_test.cpp
  server/tls_options_test.cpp
)
target_link_libraries(server_tests PRIVATE irsa_server)

# The real binary on loopback, driven by real clients.
irsa_add_test_binary(server_process_tests TSAN
  server/webhook_faults_test.cpp
  server/webhook_overload_test.cpp
  server/webhook_policy_test.cpp
  server/webhook_server_test.cpp
  server/webhook_shutdown_test.cpp
  support/webhook_process_test.cpp
)
target_link_libraries(server_process_tests PRIVATE irsa_process_support irsa_server)
add_dependencies(server_process_tests irsa-webhook)

irsa_add_test_binary(cli_tests
  cli/doctor_offline_test.cpp
  cli/byte_size_test.cpp
  cli/log_output_test.cpp
  cli/mutate_command_test.cpp
  cli/self_check_command_test.cpp
  cli/serve_command_test.cpp
  cli/server_flags_test.cpp
)
target_link_libraries(cli_tests PRIVATE irsa_cli)
target_include_directories(cli_tests PRIVATE ${PROJECT_SOURCE_DIR}/src)
target_compile_definitions(cli_tests PRIVATE IRSA_VERSION="${PROJECT_VERSION}")
add_dependencies(cli_tests irsa-webhook)

# The core stays pure: no I/O, clocks, threads, randomness or logging headers in it.
add_test(NAME core_purity
  COMMAND ${CMAKE_COMMAND}
    "-DCORE_DIRS=${PROJECT_SOURCE_DIR}/include/irsa/core;${PROJECT_SOURCE_DIR}/src/core;${PROJECT_SOURCE_DIR}/include/irsa/doctor;${PROJECT_SOURCE_DIR}/src/doctor"
    -P ${PROJECT_SOURCE_DIR}/cmake/CheckCorePurity.cmake)

# The Kubernetes API client against the fake API server (and the fake's serving and watches,
# which those tests lean on), over TLS.
irsa_add_test_binary(kube_process_tests TSAN
  kube/account_lookup_test.cpp
  kube/cluster_policy_test.cpp
  kube/cluster_webhook_test.cpp
  support/fake_kube_api_test.cpp
)
target_link_libraries(kube_process_tests PRIVATE irsa_process_support irsa_fake_kube_api
  irsa_fake_metadata irsa_kube Threads::Threads)
target_compile_definitions(kube_process_tests PRIVATE
  IRSA_FAKE_KUBE_API_BINARY="$<TARGET_FILE:fake-kube-api>")
add_dependencies(kube_process_tests irsa-webhook fake-kube-api)

# The fake API server's cluster model: RBAC, discovery, tokens and their signing keys. Outside
# the ThreadSanitizer suite: the threads they run are the fake's serving, which
# kube_process_tests runs under it already.
irsa_add_test_binary(fake_kube_cluster_tests
  support/fake_kube_cluster_test.cpp
  support/fake_kube_tokens_test.cpp
)
target_link_libraries(fake_kube_cluster_tests PRIVATE irsa_process_support irsa_fake_kube_api)
target_compile_definitions(fake_kube_cluster_tests PRIVATE
  IRSA_FAKE_KUBE_API_BINARY="$<TARGET_FILE:fake-kube-api>")
add_dependencies(fake_kube_cluster_tests fake-kube-api)

# The fake STS and the test HTTPS server under it, driven over TLS.
irsa_add_test_binary(aws_process_tests
  support/fake_sts_test.cpp
  support/test_https_server_test.cpp
)
target_link_libraries(aws_process_tests PRIVATE irsa_process_support irsa_fake_sts irsa_aws)
target_compile_definitions(aws_process_tests PRIVATE
  IRSA_FAKE_STS_BINARY="$<TARGET_FILE:fake-sts>")
add_dependencies(aws_process_tests fake-sts)

# doctor end to end: the real binary against the fake API server and the fake STS, over TLS.
irsa_add_test_binary(doctor_process_tests cli/doctor_cluster_test.cpp)
target_link_libraries(doctor_process_tests PRIVATE irsa_process_support irsa_fake_kube_api
  irsa_fake_sts)
add_dependencies(doctor_process_tests irsa-webhook fake-kube-api fake-sts)

# The README's doctor section is the real output of scripts/doctor-demo.sh (ports and times
# normalised); this fails when the two drift apart. It runs the fakes' programs, so it lives here.
add_test(NAME doctor_demo_readme
  COMMAND bash ${PROJECT_SOURCE_DIR}/scripts/doctor-demo.sh $<TARGET_FILE_DIR:irsa-webhook>
    --check ${PROJECT_SOURCE_DIR}/README.md)
set_tests_properties(doctor_demo_readme PROPERTIES TIMEOUT 120)
