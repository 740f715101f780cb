#include "server/running_webhook.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/reviews.hpp"

namespace irsa::testing {

std::string service_account_yaml(const std::string& ns, const std::string& name,
                                 const std::string& role_arn) {
  std::string yaml = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: " + name +
                     "\n  namespace: " + ns + "\n";
  if (!role_arn.empty())
    yaml += "  annotations:\n    eks.amazonaws.com/role-arn: " + role_arn + "\n";
  return yaml;
}

std::string pod_review(const std::string& ns, const std::string& account,
                       const std::string& pod_name) {
  const nlohmann::json pod = {
      {"metadata", {{"name", pod_name}, {"namespace", ns}}},
      {"spec", {{"serviceAccountName", account}, {"containers", {{{"name", "app"}}}}}}};
  return review_for_pod(pod, ns);
}

namespace {

std::string base64_decode(const std::string& text) {
  static const std::string kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned value = 0;
  int bits = -8;
  for (const char c : text) {
    const auto index = kAlphabet.find(c);
    if (index == std::string::npos) break;
    value = (value << 6) + static_cast<unsigned>(index);
    bits += 6;
    if (bits >= 0) {
      out.push_back(static_cast<char>((value >> static_cast<unsigned>(bits)) & 0xFF));
      bits -= 8;
    }
  }
  return out;
}

}  // namespace

std::string patch_of(const std::string& response_body) {
  const auto review = nlohmann::json::parse(response_body, nullptr, false);
  if (!review.is_object() || !review.contains("response")) return {};
  const auto& response = review["response"];
  if (!response.contains("patch")) return {};
  return base64_decode(response["patch"].get<std::string>());
}

ProjectedVolume::ProjectedVolume(const ScratchDir& dir, const std::string& name)
    : root_(dir.path(name)) {
  std::filesystem::create_directories(root_);
}

void ProjectedVolume::publish(const std::vector<std::pair<std::string, std::string>>& files) {
  namespace fs = std::filesystem;
  const std::string version = "..version-" + std::to_string(++versions_);
  fs::create_directories(root_ / version);
  for (const auto& [name, text] : files) std::ofstream(root_ / version / name) << text;
  fs::create_symlink(version, root_ / "..data_tmp");
  fs::rename(root_ / "..data_tmp", root_ / "..data");  // atomic, as the kubelet does it
  for (const auto& [name, text] : files) {
    if (!fs::exists(fs::symlink_status(root_ / name))) {
      fs::create_symlink(fs::path("..data") / name, root_ / name);
    }
  }
}

std::string ProjectedVolume::path(const std::string& name) const {
  return (root_ / name).string();
}

std::string read_file(const std::string& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

RunningWebhook::RunningWebhook(const ScratchDir& dir, const std::vector<std::string>& extra,
                               AccountSource source)
    : dir_(dir), source_(source), extra_(extra), port_(free_port()), metrics_port_(free_port()) {
  if (!std::filesystem::exists(dir.path("tls.crt"))) {
    const auto error = make_self_signed_pair(
        dir, "tls", {"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"});
    if (!error.empty()) throw std::runtime_error(error);
  }
  if (!std::filesystem::exists(dir.path("service-accounts.yaml"))) {
    dir.write("service-accounts.yaml", service_account_yaml("apps", "web", kWebRole));
  }
  start();
}

void RunningWebhook::start() {
  auto args = base_flags();
  args.insert(args.end(), extra_.begin(), extra_.end());
  process_ = std::make_unique<WebhookProcess>(IRSA_WEBHOOK_BINARY, args, dir_.path("webhook.log"));
}

bool RunningWebhook::restart_if_port_taken() {
  constexpr int kMaxRestarts = 3;
  if (restarts_ >= kMaxRestarts || !ended_because_port_taken(*process_)) return false;
  ++restarts_;
  port_ = free_port();
  metrics_port_ = free_port();
  start();
  return true;
}

RunningWebhook::~RunningWebhook() {
  if (process_->running()) {
    process_->signal(SIGTERM);
    (void)process_->wait_exit(std::chrono::seconds(15));
  }
  const std::string log = process_->log();
  for (const char* report :
       {"ThreadSanitizer", "AddressSanitizer", "LeakSanitizer", "runtime error:"}) {
    if (log.find(report) != std::string::npos) {
      ADD_FAILURE() << "the server reported " << report << ":\n" << log;
      break;
    }
  }
}

std::vector<std::string> loopback_server_flags(const ScratchDir& dir, unsigned short port,
                                               unsigned short metrics_port) {
  return {"--in-cluster=false",
          "--bind-address=127.0.0.1",
          "--port=" + std::to_string(port),
          "--metrics-port=" + std::to_string(metrics_port),
          "--tls-cert=" + dir.path("tls.crt"),
          "--tls-key=" + dir.path("tls.key"),
          "--worker-threads=2"};
}

std::vector<std::string> RunningWebhook::base_flags() const {
  std::vector<std::string> flags = loopback_server_flags(dir_, port_, metrics_port_);
  if (source_ == AccountSource::file) {
    flags.push_back("--service-accounts=" + dir_.path("service-accounts.yaml"));
  }
  return flags;
}

bool RunningWebhook::wait_ready(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto probe = client(std::chrono::seconds(2));
    const bool ready = ready_before_exit(
        *process_, [&] { return probe->get("/readyz").status == 200; },
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline -
                                                              std::chrono::steady_clock::now()));
    if (ready || process_->running() || !restart_if_port_taken()) return ready;
  }
}

std::unique_ptr<HttpClient> RunningWebhook::client(std::chrono::milliseconds timeout) const {
  return std::make_unique<HttpClient>(port_, ca_file(), timeout);
}

std::unique_ptr<HttpClient> RunningWebhook::metrics_client() const {
  return std::make_unique<HttpClient>(metrics_port_, "");
}

std::string RunningWebhook::metrics() const {
  return metrics_client()->get("/metrics").body;
}

double RunningWebhook::metric(const std::string& series) const {
  std::istringstream lines(metrics());
  std::string line;
  while (std::getline(lines, line)) {
    if (line.size() > series.size() && line.compare(0, series.size(), series) == 0 &&
        line[series.size()] == ' ') {
      return std::stod(line.substr(series.size() + 1));
    }
  }
  return -1;
}

}  // namespace irsa::testing
