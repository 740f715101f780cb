// fake-kube-api: the tests' fake Kubernetes API server as a program of its own, for benchmarks
// and manual runs. It prints "listening on https://127.0.0.1:PORT" once it serves, and serves
// until SIGINT or SIGTERM.

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "irsa/store/manifests.hpp"
#include "irsa/store/yaml_json.hpp"
#include "support/fake_kube_api.hpp"
#include "support/fake_program.hpp"

namespace {

constexpr const char* kUsage =
    "usage: fake-kube-api --cert FILE --key FILE [--port N] [--token T]... [--client-ca FILE]\n"
    "                     [--service-accounts N] [--annotated-every K] [--manifests FILE]...\n"
    "                     [--issuer URL] [--token-issuer URL] [--forbid VERB:RESOURCE]...\n"
    "--manifests         loads every object of a YAML or JSON file (documents, arrays, Lists):\n"
    "                    ServiceAccounts, ConfigMaps and Namespaces into their watchable\n"
    "                    stores, Pods, Services, Endpoints, EndpointSlices, webhook\n"
    "                    configurations and workloads into the read-only store. Another kind\n"
    "                    is an error (exit 2).\n"
    "--issuer            the service-account issuer discovery names\n"
    "                    (default https://kubernetes.default.svc.cluster.local)\n"
    "--token-issuer      the iss of the tokens TokenRequest hands out (default: the issuer)\n"
    "--forbid            answers 403 to VERB (get, list, watch, create or *) on RESOURCE\n"
    "                    (pods, serviceaccounts/token, deployments.apps, ...) or on a\n"
    "                    nonResourceURL path (get:/.well-known/openid-configuration)\n";

[[noreturn]] void usage_error(const std::string& problem) {
  std::cerr << "fake-kube-api: " << problem << "\n" << kUsage;
  std::exit(2);
}

unsigned long number_flag(std::string_view flag, const std::string& value) {
  const auto number = irsa::testing::parse_number(value);
  if (!number) usage_error(std::string(flag) + " wants a number, not \"" + value + "\"");
  return *number;
}

// Puts every object of a manifest file into the fake; returns how many. An object the fake
// cannot hold throws std::invalid_argument naming the file.
std::size_t load_manifests(irsa::testing::FakeKubeApi& api, const std::string& path) {
  const auto read = irsa::store::read_text(path);
  if (!read.error.empty()) throw std::runtime_error(read.error);
  const auto parsed = irsa::store::parse_documents(read.text);
  if (!parsed.error.empty()) throw std::runtime_error(path + ": " + parsed.error);
  std::size_t loaded = 0;
  const auto put = [&](const nlohmann::json& object) {
    try {
      api.put_object(object);
    } catch (const std::invalid_argument& error) {
      throw std::invalid_argument(path + ": " + error.what());
    }
    ++loaded;
  };
  for (const auto& document : parsed.documents) {
    if (document.is_null()) continue;  // an empty document between two "---"
    if (document.is_array()) {
      for (const auto& item : document) put(item);
    } else if (document.is_object() && document.value("kind", "") == "List" &&
               document.contains("items") && document["items"].is_array()) {
      for (const auto& item : document["items"]) put(item);
    } else {
      put(document);
    }
  }
  return loaded;
}

}  // namespace

int main(int argc, char** argv) {
  irsa::testing::FakeKubeApiOptions options;
  std::size_t accounts = 0;
  std::size_t annotated_every = 0;
  std::vector<std::string> manifests;
  std::string issuer, token_issuer;
  std::vector<std::pair<std::string, std::string>> forbidden;  // (verb, resource)
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (flag == "-h" || flag == "--help") {
      std::cout << kUsage;
      return 0;
    }
    if (i + 1 >= argc) usage_error(std::string(flag) + " wants a value");
    const std::string value = argv[++i];
    if (flag == "--cert") {
      options.cert_file = value;
    } else if (flag == "--key") {
      options.key_file = value;
    } else if (flag == "--port") {
      const auto port = number_flag(flag, value);
      if (port > 65535) usage_error("--port out of range");
      options.port = static_cast<unsigned short>(port);
    } else if (flag == "--token") {
      options.tokens.push_back(value);
    } else if (flag == "--client-ca") {
      options.client_ca_file = value;
    } else if (flag == "--service-accounts") {
      accounts = number_flag(flag, value);
    } else if (flag == "--annotated-every") {
      annotated_every = number_flag(flag, value);
    } else if (flag == "--manifests") {
      manifests.push_back(value);
    } else if (flag == "--issuer") {
      issuer = value;
    } else if (flag == "--token-issuer") {
      token_issuer = value;
    } else if (flag == "--forbid") {
      const auto colon = value.find(':');
      if (colon == std::string::npos || colon == 0 || colon + 1 == value.size()) {
        usage_error("--forbid wants VERB:RESOURCE, not \"" + value + "\"");
      }
      forbidden.emplace_back(value.substr(0, colon), value.substr(colon + 1));
    } else {
      usage_error("unknown flag " + std::string(flag));
    }
  }
  if (options.cert_file.empty() || options.key_file.empty()) {
    usage_error("--cert and --key are required");
  }

  irsa::testing::prepare_stop_signals();

  try {
    irsa::testing::FakeKubeApi api(options);
    if (accounts > 0) api.add_service_accounts(accounts, annotated_every);
    if (!issuer.empty()) api.set_issuer(issuer);
    if (!token_issuer.empty()) api.set_token_issuer(token_issuer);
    for (const auto& [verb, resource] : forbidden) api.forbid(verb, resource);
    for (const auto& file : manifests) {
      std::cerr << "fake-kube-api: " << load_manifests(api, file) << " objects from " << file
                << "\n";
    }
    std::cout << "listening on " << api.url() << std::endl;
    irsa::testing::wait_for_stop_signal();
  } catch (const std::invalid_argument& error) {
    std::cerr << "fake-kube-api: " << error.what() << "\n";
    return 2;
  } catch (const std::exception& error) {
    std::cerr << "fake-kube-api: " << error.what() << "\n";
    return 1;
  }
  return 0;
}
