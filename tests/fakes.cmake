# The fakes of the services the webhook and doctor talk to, as libraries for the tests and as
# programs (in bin/ beside irsa-webhook) for the process tests, the doctor demo, benchmarks and
# manual runs. Included by tests/CMakeLists.txt with the layers' tests or the load tools.

# What the fakes share: base64url, URL queries and forms, made-up values, and a small HTTP(S)
# server for fakes that answer one request at a time (the fake STS and instance metadata).
add_library(irsa_fake_common STATIC support/base64url.cpp support/fake_program.cpp
  support/fake_values.cpp
  support/test_https_server.cpp support/url_query.cpp)
target_include_directories(irsa_fake_common PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})
target_link_libraries(irsa_fake_common PUBLIC OpenSSL::SSL OpenSSL::Crypto Threads::Threads
  PRIVATE irsa_net)
irsa_set_warnings(irsa_fake_common)
target_compile_options(irsa_fake_common PRIVATE ${IRSA_TEST_OPTIMIZATION})

# The fake EC2 instance metadata service (plain HTTP on the shared test server), for the client's
# tests here and the webhook's in kube_process_tests.
add_library(irsa_fake_metadata STATIC support/fake_metadata_service.cpp)
target_link_libraries(irsa_fake_metadata PUBLIC irsa_fake_common)
irsa_set_warnings(irsa_fake_metadata)
target_compile_options(irsa_fake_metadata PRIVATE ${IRSA_TEST_OPTIMIZATION})

# The fake Kubernetes API server: one library for the tests and the fake-kube-api program
# (which lands in bin/ beside irsa-webhook, for benchmarks and manual runs). Its Pod creation
# calls a mutating admission webhook over HTTPS.
add_library(irsa_fake_kube_api STATIC support/fake_kube_admission.cpp support/fake_kube_api.cpp
  support/fake_kube_objects.cpp support/fake_kube_protocol.cpp support/fake_kube_server.cpp
  support/fake_kube_transport.cpp support/fake_kube_watch_stream.cpp
  support/fake_kube_webhook_call.cpp support/jwt_signer.cpp support/kube_admission.cpp
  support/kube_api_path.cpp support/kube_cluster_routes.cpp support/kube_object_store.cpp
  support/kube_rbac.cpp support/kube_selectors.cpp support/kube_status.cpp
  support/oidc_discovery.cpp support/token_request.cpp)
target_include_directories(irsa_fake_kube_api PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})
target_link_libraries(irsa_fake_kube_api PUBLIC irsa_core irsa_fake_common
  nlohmann_json::nlohmann_json PRIVATE irsa_net OpenSSL::SSL OpenSSL::Crypto
  Threads::Threads)
irsa_set_warnings(irsa_fake_kube_api)
target_compile_options(irsa_fake_kube_api PRIVATE ${IRSA_TEST_OPTIMIZATION})

add_executable(fake-kube-api support/fake_kube_api_main.cpp)
target_link_libraries(fake-kube-api PRIVATE irsa_fake_kube_api irsa_store)
irsa_set_warnings(fake-kube-api)

# The fake AWS STS (AssumeRoleWithWebIdentity): a library for the tests and the fake-sts program.
add_library(irsa_fake_sts STATIC support/fake_sts.cpp support/sts_xml.cpp)
target_link_libraries(irsa_fake_sts PUBLIC irsa_fake_common PRIVATE nlohmann_json::nlohmann_json)
irsa_set_warnings(irsa_fake_sts)
target_compile_options(irsa_fake_sts PRIVATE ${IRSA_TEST_OPTIMIZATION})

add_executable(fake-sts support/fake_sts_main.cpp)
target_link_libraries(fake-sts PRIVATE irsa_fake_sts)
irsa_set_warnings(fake-sts)
add_dependencies(irsa_tsan_suite fake-kube-api)
