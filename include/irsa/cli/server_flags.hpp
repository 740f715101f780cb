// The flags of the webhook server that are not about shaping a mutation (those live in
// MutationFlags): upstream's listener, TLS, Kubernetes and informer flags with upstream's names
// and defaults, this project's own server flags, and the klog flags that existing deployments
// pass. An upstream command line has to parse unchanged, so names, types, defaults and pflag's
// boolean rules are kept even where a flag no longer changes anything.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace CLI {
class App;
}

namespace irsa::cli {

// klog's command-line flags. Verbosity and the output flags (logtostderr, alsologtostderr,
// log_file, log_file_max_size, stderrthreshold; log_dir is refused when it would matter) are
// acted on; the rest are stored so that manifests written for the Go binary keep starting.
struct KlogFlags {
  bool add_dir_header = false;
  bool alsologtostderr = false;
  std::string log_backtrace_at;
  std::string log_dir;
  std::string log_file;
  std::uint64_t log_file_max_size = 1800;  // megabytes
  bool logtostderr = true;
  bool one_output = false;
  bool skip_headers = false;
  bool skip_log_headers = false;
  int stderrthreshold = 2;  // klog severity: 0 INFO, 1 WARNING, 2 ERROR, 3 FATAL
  int verbosity = 0;        // -v / --v
  std::string vmodule;
  bool legacy_stderr_threshold_behavior = true;
  int alsologtostderrthreshold = 0;
};

struct ServerFlags {
  // Upstream (main.go).
  int port = 443;
  int metrics_port = 9999;
  std::string kubeconfig;
  std::string kube_api;
  std::string tls_cert = "/etc/webhook/certs/tls.crt";
  std::string tls_key = "/etc/webhook/certs/tls.key";
  std::string tls_cipher_suites;  // comma-separated Go cipher-suite names; empty = defaults
  std::string tls_min_version;    // empty = library default
  bool in_cluster = true;
  std::string service_name = "pod-identity-webhook";
  std::string kube_namespace = "eks";  // --namespace
  std::string tls_secret = "pod-identity-webhook";
  bool watch_config_map = false;
  bool enable_debugging_handlers = false;
  // Upstream's default is 0 (pods created with their ServiceAccount get no credentials); this
  // project waits up to a second for such an account.
  std::chrono::nanoseconds service_account_lookup_grace_period = std::chrono::seconds{1};
  // Whether the grace period was on the command line: its default is not 0, so the value alone
  // cannot tell the start-up notice whether the user asked for it.
  bool service_account_lookup_grace_period_given = false;
  std::chrono::nanoseconds resync_period = std::chrono::seconds{60};

  // This project's additions.
  std::string bind_address;         // empty = every interface, IPv4 and IPv6
  int worker_threads = 0;           // 0 = as many as the CPUs this process may run on
  int max_connections = 4096;       // per port 4096 at most; lowered to the descriptor limit
  std::string log_format = "text";  // text | json
  std::chrono::nanoseconds shutdown_delay{0};
  std::chrono::nanoseconds shutdown_timeout = std::chrono::seconds{10};
  std::string service_accounts_file;  // --service-accounts: YAML/JSON ServiceAccounts, no cluster
  std::string request_memory_budget;  // a size ("64Mi"); empty = from the cgroup's memory limit

  KlogFlags klog;
};

// Registers every ServerFlags flag on app (MutationFlags are added separately with
// add_mutation_flags). Unlike CLI11's default, a repeated option keeps its last value, as pflag
// does. Duration flags take Go syntax; a malformed one fails the parse with a CLI::ParseError
// whose message starts with the flag's name.
void add_server_flags(CLI::App& app, ServerFlags& flags);

// Checks what the parser cannot: port ranges, the TLS version spelling, the log format and
// non-negative counts and durations. Throws std::invalid_argument whose message starts with the
// offending flag.
void validate(const ServerFlags& flags);

// A long flag name (without dashes) and whether the flag takes a value.
struct KnownFlag {
  std::string name;
  bool takes_value;
};
// Every long name the app's own options answer to (not its subcommands'): the flags registered
// on it, help and version included.
[[nodiscard]] std::vector<KnownFlag> long_flags_of(const CLI::App& app);

// Rewrites argv so that CLI11 reads the spellings Go programs take: a single-dash token naming one
// of known_flags ("-port=8443", "-logtostderr", "-v=3") gains a second dash. One-letter tokens
// ("-v", "-h"), shorthand with an attached value ("-v3"), words after "--" and the word that is
// the separate value of a preceding value-taking flag ("--log_dir -x") are left as they are.
// Returns the whole argument list in order, program name included.
[[nodiscard]] std::vector<std::string> go_style_args(const std::vector<KnownFlag>& known_flags,
                                                     int argc, const char* const* argv);

// Convenience for entry points: go_style_args with the app's own flags, then app.parse. Throws
// what app.parse throws.
void parse_go_style(CLI::App& app, int argc, const char* const* argv);

}  // namespace irsa::cli
