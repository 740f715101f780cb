#include "irsa/cli/server_flags.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>
#include <map>
#include <stdexcept>

#include "irsa/server/go_duration.hpp"

namespace irsa::cli {

using server::format_go_duration;
using server::parse_go_duration;

namespace {

constexpr const char* kUpstreamGroup = "Server (upstream flags)";
constexpr const char* kProjectGroup = "Server (irsa-webhook)";
constexpr const char* kKlogGroup = "Logging (klog flags)";

// pflag lets a later occurrence of a flag override an earlier one; CLI11 rejects the repetition
// unless told otherwise. Manifests assembled from overlays do repeat flags, so every option here
// takes the last value.
CLI::Option* last_wins(CLI::Option* option) {
  return option->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
}

// A duration flag is read as text and converted with the Go rules; the check runs before the
// store, so a malformed value never reaches `target`. CLI11 prefixes the check's message with
// the flag name, which is what makes the error point at the right flag.
CLI::Option* add_duration_option(CLI::App& app, const std::string& name,
                                 std::chrono::nanoseconds& target, const std::string& description,
                                 const std::string& group) {
  const CLI::Validator go_duration(
      [](std::string& text) -> std::string {
        if (parse_go_duration(text)) return {};
        return "invalid duration \"" + text +
               "\" (expected Go syntax with a unit, such as 300ms, 1m30s or 2h45m)";
      },
      // No description of its own: type_name already says DURATION in the help.
      "");
  auto* option = app.add_option_function<std::string>(
      name,
      [&target, name](const std::string& text) {
        const auto parsed = parse_go_duration(text);
        if (!parsed) throw CLI::ValidationError(name, "invalid duration \"" + text + "\"");
        target = *parsed;
      },
      description);
  return last_wins(option)
      ->check(go_duration)
      ->type_name("DURATION")
      ->default_str(format_go_duration(target))
      ->group(group);
}

// Bools follow pflag: bare `--flag` means true, `--flag=false` sets false, and the next word is
// never taken as the value (so `--flag false` leaves `false` as a stray argument). CLI11 flags
// behave like that already. The default is shown in help only when it is true, because a bare
// flag defaulting to false needs no explanation.
void add_bool_flag(CLI::App& app, const std::string& name, bool& target,
                   const std::string& description, const std::string& group) {
  auto* option = app.add_flag(name, target, description)->group(group);
  if (target) option->default_str("true");
}

void add_upstream_flags(CLI::App& app, ServerFlags& flags) {
  const std::string group = kUpstreamGroup;
  last_wins(app.add_option("--port", flags.port, "TLS port of the webhook"))
      ->capture_default_str()
      ->group(group);
  last_wins(
      app.add_option("--metrics-port", flags.metrics_port, "Plain-HTTP port serving /metrics"))
      ->capture_default_str()
      ->group(group);
  last_wins(app.add_option("--kubeconfig", flags.kubeconfig,
                           "Path to a kubeconfig; with --kube-api also empty the in-cluster "
                           "service account is used"))
      ->group(group);
  last_wins(app.add_option("--kube-api", flags.kube_api,
                           "Kubernetes API server URL (overrides the kubeconfig's server)"))
      ->group(group);
  last_wins(app.add_option("--tls-cert", flags.tls_cert, "Serving certificate file"))
      ->capture_default_str()
      ->group(group);
  last_wins(app.add_option("--tls-key", flags.tls_key, "Serving private key file"))
      ->capture_default_str()
      ->group(group);
  last_wins(app.add_option("--tls-cipher-suites", flags.tls_cipher_suites,
                           "Comma-separated Go cipher-suite names; empty keeps the defaults"))
      ->group(group);
  last_wins(app.add_option("--tls-min-version", flags.tls_min_version,
                           "Lowest TLS version: 1.0, 1.1, 1.2, 1.3 or VersionTLS10..VersionTLS13; "
                           "empty means 1.2"))
      ->group(group);
  add_bool_flag(
      app, "--in-cluster", flags.in_cluster,
      "Upstream's deprecated CSR certificate mode; accepted, but certificates always come "
      "from --tls-cert and --tls-key",
      group);
  last_wins(app.add_option("--service-name", flags.service_name,
                           "Service name used by the deprecated in-cluster certificate mode"))
      ->capture_default_str()
      ->group(group);
  last_wins(app.add_option("--namespace", flags.kube_namespace,
                           "Namespace of the pod-identity-webhook ConfigMap and of the "
                           "in-cluster certificate Secret"))
      ->capture_default_str()
      ->group(group);
  last_wins(app.add_option("--tls-secret", flags.tls_secret,
                           "Secret name used by the deprecated in-cluster certificate mode"))
      ->capture_default_str()
      ->group(group);
  add_bool_flag(app, "--watch-config-map", flags.watch_config_map,
                "Watch the pod-identity-webhook ConfigMap in --namespace for extra "
                "ServiceAccount to role mappings",
                group);
  add_bool_flag(app, "--enable-debugging-handlers", flags.enable_debugging_handlers,
                "Serve the debug endpoints", group);
  add_duration_option(app, "--service-account-lookup-grace-period",
                      flags.service_account_lookup_grace_period,
                      "How long a request waits for a ServiceAccount not yet in the cache (a "
                      "direct GET and the watch race to deliver it); 0 does not wait, as "
                      "upstream's default",
                      group)
      ->each(
          [&flags](const std::string&) { flags.service_account_lookup_grace_period_given = true; });
  add_duration_option(app, "--resync-period", flags.resync_period,
                      "Accepted for compatibility; the watch keeps the cache exact without "
                      "periodic resyncs",
                      group);
}

void add_project_flags(CLI::App& app, ServerFlags& flags) {
  const std::string group = kProjectGroup;
  last_wins(app.add_option("--bind-address", flags.bind_address,
                           "Address both listeners bind to; empty means every interface, IPv4 "
                           "and IPv6"))
      ->group(group);
  last_wins(app.add_option("--max-connections", flags.max_connections,
                           "Connections the webhook port keeps open at once (lowered to what the "
                           "descriptor limit allows); at the limit a new connection closes the "
                           "one that has waited longest for its client"))
      ->capture_default_str()
      ->group(group);
  last_wins(app.add_option("--worker-threads", flags.worker_threads,
                           "Threads serving requests; 0 uses one per CPU this process may run "
                           "on, no more than its cgroup's CPU limit"))
      ->capture_default_str()
      ->group(group);
  last_wins(app.add_option("--log-format", flags.log_format, "Log line format: text or json"))
      ->capture_default_str()
      ->group(group);
  add_duration_option(app, "--shutdown-delay", flags.shutdown_delay,
                      "After a stop signal, keep serving this long before closing the listeners "
                      "(lets endpoints drop this pod first)",
                      group);
  add_duration_option(app, "--shutdown-timeout", flags.shutdown_timeout,
                      "Longest wait for in-flight requests once the listeners are closed", group);
  last_wins(app.add_option("--request-memory-budget", flags.request_memory_budget,
                           "Most memory request bodies may hold at once (e.g. 64Mi); a body that "
                           "does not fit is answered 503 with Retry-After. Default: a quarter of "
                           "the cgroup's memory limit, or 64Mi without one"))
      ->type_name("SIZE")
      ->group(group);
  last_wins(app.add_option("--service-accounts", flags.service_accounts_file,
                           "Read ServiceAccounts from this YAML or JSON file instead of watching "
                           "a cluster"))
      ->group(group);
}

void add_klog_flags(CLI::App& app, KlogFlags& klog) {
  const std::string group = kKlogGroup;
  const std::string accepted = "Accepted for compatibility with klog; ";
  // klog reads a severity either as a name (any case) or as its number.
  CLI::Transformer severity_names(
      std::map<std::string, std::string>{
          {"INFO", "0"}, {"WARNING", "1"}, {"ERROR", "2"}, {"FATAL", "3"}},
      CLI::ignore_case);
  // The mapping would otherwise be spelled out in the help; the type name says it shorter.
  severity_names.description("");
  const std::string severity_type = "SEVERITY";

  add_bool_flag(app, "--add_dir_header", klog.add_dir_header, accepted + "no effect", group);
  add_bool_flag(app, "--alsologtostderr", klog.alsologtostderr,
                "With --logtostderr=false, write every line to standard error as well", group);
  last_wins(app.add_option("--log_backtrace_at", klog.log_backtrace_at, accepted + "no effect"))
      ->group(group);
  last_wins(app.add_option("--log_dir", klog.log_dir,
                           "Accepted for compatibility with klog; its per-severity files are not "
                           "written, so --logtostderr=false needs --log_file"))
      ->group(group);
  last_wins(app.add_option("--log_file", klog.log_file,
                           "With --logtostderr=false, append the log to this file"))
      ->group(group);
  last_wins(app.add_option("--log_file_max_size", klog.log_file_max_size,
                           "Megabytes --log_file may grow to before it is renamed with .1 and "
                           "begun again (0: no limit)"))
      ->capture_default_str()
      ->group(group);
  add_bool_flag(app, "--logtostderr", klog.logtostderr,
                "Write the log to standard error only; false writes it to --log_file", group);
  add_bool_flag(app, "--one_output", klog.one_output, accepted + "no effect", group);
  add_bool_flag(app, "--skip_headers", klog.skip_headers, accepted + "no effect", group);
  add_bool_flag(app, "--skip_log_headers", klog.skip_log_headers, accepted + "no effect", group);
  last_wins(app.add_option("--stderrthreshold", klog.stderrthreshold,
                           "With --logtostderr=false, lines at least this severe go to standard "
                           "error too (0-3 or INFO, WARNING, ERROR, FATAL)"))
      ->transform(severity_names)
      ->type_name(severity_type)
      ->capture_default_str()
      ->group(group);
  // klog's verbosity is the one Go flag with a one-letter name, so pflag offers both -v and --v.
  last_wins(app.add_option("-v,--v", klog.verbosity, "Log verbosity, as klog's -v"))
      ->capture_default_str()
      ->group(group);
  last_wins(app.add_option("--vmodule", klog.vmodule, accepted + "no effect"))->group(group);
  add_bool_flag(app, "--legacy_stderr_threshold_behavior", klog.legacy_stderr_threshold_behavior,
                accepted + "no effect", group);
  last_wins(app.add_option("--alsologtostderrthreshold", klog.alsologtostderrthreshold,
                           accepted + "no effect (0-3 or INFO, WARNING, ERROR, FATAL)"))
      ->transform(severity_names)
      ->type_name(severity_type)
      ->capture_default_str()
      ->group(group);
}

bool is_tls_version(const std::string& text) {
  static const std::array<std::string_view, 9> kAccepted = {"",
                                                            "1.0",
                                                            "1.1",
                                                            "1.2",
                                                            "1.3",
                                                            "VersionTLS10",
                                                            "VersionTLS11",
                                                            "VersionTLS12",
                                                            "VersionTLS13"};
  return std::find(kAccepted.begin(), kAccepted.end(), text) != kAccepted.end();
}

void require_port(int port, const std::string& flag) {
  if (port < 1 || port > 65535) {
    throw std::invalid_argument(flag + " must be between 1 and 65535, got " + std::to_string(port));
  }
}

void require_not_negative(std::chrono::nanoseconds duration, const std::string& flag) {
  if (duration.count() < 0) {
    throw std::invalid_argument(flag + " must not be negative, got " +
                                format_go_duration(duration));
  }
}

const KnownFlag* find_known(const std::vector<KnownFlag>& known, std::string_view name) {
  const auto it = std::find_if(known.begin(), known.end(),
                               [name](const KnownFlag& flag) { return flag.name == name; });
  return it == known.end() ? nullptr : &*it;
}

}  // namespace

void add_server_flags(CLI::App& app, ServerFlags& flags) {
  add_upstream_flags(app, flags);
  add_project_flags(app, flags);
  add_klog_flags(app, flags.klog);
}

void validate(const ServerFlags& flags) {
  require_port(flags.port, "--port");
  require_port(flags.metrics_port, "--metrics-port");
  if (!is_tls_version(flags.tls_min_version)) {
    throw std::invalid_argument(
        "--tls-min-version must be 1.0, 1.1, 1.2, 1.3 or "
        "VersionTLS10..VersionTLS13, got \"" +
        flags.tls_min_version + "\"");
  }
  if (flags.log_format != "text" && flags.log_format != "json") {
    throw std::invalid_argument("--log-format must be text or json, got \"" + flags.log_format +
                                "\"");
  }
  if (flags.max_connections < 1) {
    throw std::invalid_argument("--max-connections must be at least 1, got " +
                                std::to_string(flags.max_connections));
  }
  if (flags.worker_threads < 0) {
    throw std::invalid_argument("--worker-threads must not be negative, got " +
                                std::to_string(flags.worker_threads));
  }
  require_not_negative(flags.service_account_lookup_grace_period,
                       "--service-account-lookup-grace-period");
  require_not_negative(flags.resync_period, "--resync-period");
  require_not_negative(flags.shutdown_delay, "--shutdown-delay");
  require_not_negative(flags.shutdown_timeout, "--shutdown-timeout");
}

std::vector<KnownFlag> long_flags_of(const CLI::App& app) {
  std::vector<KnownFlag> flags;
  for (const CLI::Option* option : app.get_options()) {
    for (const auto& name : option->get_lnames()) {
      flags.push_back({name, option->get_expected_min() > 0});
    }
  }
  return flags;
}

std::vector<std::string> go_style_args(const std::vector<KnownFlag>& known_flags, int argc,
                                       const char* const* argv) {
  std::vector<std::string> args;
  if (argc <= 0 || argv == nullptr) return args;
  args.reserve(static_cast<std::size_t>(argc));
  args.emplace_back(argv[0]);

  bool next_is_value = false;  // the previous token was a value-taking flag without "="
  bool after_terminator = false;
  for (int i = 1; i < argc; ++i) {
    std::string token = argv[i];
    if (after_terminator || next_is_value) {
      // A flag's separate value is taken verbatim by both pflag and CLI11, dash or not, so it
      // must not be turned into a flag here.
      next_is_value = false;
      args.push_back(std::move(token));
      continue;
    }
    if (token == "--") {
      after_terminator = true;
      args.push_back(std::move(token));
      continue;
    }

    const bool single_dash = token.size() > 2 && token[0] == '-' && token[1] != '-';
    const bool double_dash = token.size() > 2 && token.compare(0, 2, "--") == 0;
    if (single_dash || double_dash) {
      const std::size_t name_start = single_dash ? 1 : 2;
      const std::size_t equals = token.find('=');
      const bool has_value = equals != std::string::npos;
      const std::string_view name = std::string_view(token).substr(
          name_start, has_value ? equals - name_start : std::string_view::npos);
      if (const KnownFlag* known = find_known(known_flags, name)) {
        const bool empty_value = has_value && equals + 1 == token.size();
        if (single_dash) token.insert(0, 1, '-');
        next_is_value = known->takes_value && !has_value;
        if (known->takes_value && empty_value) {
          // pflag reads `--flag=` as the empty value; CLI11 would take the next word instead
          // (`--aws-default-region= --token-audience=x` set the region to the second flag).
          // As two words, the empty one is the value.
          token.pop_back();
          args.push_back(std::move(token));
          args.emplace_back();
          continue;
        }
      }
    } else if (token == "-v") {
      // The shorthand with its value in the next word.
      next_is_value = true;
    }
    args.push_back(std::move(token));
  }
  return args;
}

void parse_go_style(CLI::App& app, int argc, const char* const* argv) {
  const std::vector<std::string> args = go_style_args(long_flags_of(app), argc, argv);
  std::vector<const char*> pointers;
  pointers.reserve(args.size());
  for (const auto& arg : args) pointers.push_back(arg.c_str());
  app.parse(static_cast<int>(pointers.size()), pointers.data());
}

}  // namespace irsa::cli
