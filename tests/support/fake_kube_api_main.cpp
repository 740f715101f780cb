// fake-kube-api: the tests' fake Kubernetes API server as a program of its own, for benchmarks
// and manual runs. It prints "listening on https://127.0.0.1:PORT" once it serves, and serves
// until SIGINT or SIGTERM.
#include <pthread.h>
#include <signal.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>

#include "irsa/store/manifests.hpp"
#include "irsa/store/yaml_json.hpp"
#include "support/fake_kube_api.hpp"

namespace {

constexpr const char* kUsage =
    "usage: fake-kube-api --cert FILE --key FILE [--port N] [--token T]... [--client-ca FILE]\n"
    "                     [--service-accounts N] [--annotated-every K] [--manifests FILE]\n"
    "--manifests loads the ServiceAccounts of a YAML or JSON file (other kinds are skipped).\n";

[[noreturn]] void usage_error(const std::string& problem) {
  std::cerr << "fake-kube-api: " << problem << "\n" << kUsage;
  std::exit(2);
}

unsigned long number_flag(std::string_view flag, const std::string& value) {
  std::size_t used = 0;
  unsigned long number = 0;
  try {
    number = std::stoul(value, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != value.size() || value.empty() || value.front() == '-') {
    usage_error(std::string(flag) + " wants a number, not \"" + value + "\"");
  }
  return number;
}

// Puts every ServiceAccount of a manifest file into the fake; returns how many.
std::size_t load_manifests(irsa::testing::FakeKubeApi& api, const std::string& path) {
  const auto read = irsa::store::read_text(path);
  if (!read.error.empty()) throw std::runtime_error(read.error);
  const auto parsed = irsa::store::parse_documents(read.text);
  if (!parsed.error.empty()) throw std::runtime_error(path + ": " + parsed.error);
  std::size_t loaded = 0;
  for (const auto& document : parsed.documents) {
    if (!document.is_object() || document.value("kind", "") != "ServiceAccount") continue;
    const auto metadata = document.value("metadata", nlohmann::json::object());
    const auto given = metadata.value("annotations", nlohmann::json::object());
    std::map<std::string, std::string> annotations;
    for (const auto& [key, value] : given.items()) {
      if (value.is_string()) annotations[key] = value.get<std::string>();
    }
    api.put_service_account(metadata.value("namespace", "default"), metadata.value("name", ""),
                            annotations);
    ++loaded;
  }
  return loaded;
}

}  // namespace

int main(int argc, char** argv) {
  irsa::testing::FakeKubeApiOptions options;
  std::size_t accounts = 0;
  std::size_t annotated_every = 0;
  std::string manifests;
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
      manifests = value;
    } else {
      usage_error("unknown flag " + std::string(flag));
    }
  }
  if (options.cert_file.empty() || options.key_file.empty()) {
    usage_error("--cert and --key are required");
  }

  // Blocked before the server thread starts, so that it inherits the mask and the signals
  // wait for sigwait below.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  // A client that vanishes must not kill the server through SIGPIPE.
  std::signal(SIGPIPE, SIG_IGN);

  try {
    irsa::testing::FakeKubeApi api(options);
    if (accounts > 0) api.add_service_accounts(accounts, annotated_every);
    if (!manifests.empty()) {
      std::cerr << "fake-kube-api: " << load_manifests(api, manifests) << " ServiceAccounts from "
                << manifests << "\n";
    }
    std::cout << "listening on " << api.url() << std::endl;
    int received = 0;
    sigwait(&stop_signals, &received);
  } catch (const std::exception& error) {
    std::cerr << "fake-kube-api: " << error.what() << "\n";
    return 1;
  }
  return 0;
}
