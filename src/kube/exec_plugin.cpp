#include "irsa/kube/exec_plugin.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cerrno>
#include <csignal>
#include <cstring>  // sigabbrev_np
#include <nlohmann/json.hpp>
#include <optional>
#include <system_error>
#include <unordered_map>
#include <utility>
#include <vector>
#include "irsa/net/no_throw.hpp"

namespace irsa::kube {

namespace asio = boost::asio;
using asio::posix::stream_descriptor;
using namespace std::chrono_literals;
using namespace asio::experimental::awaitable_operators;

namespace {

using net::kNoThrow;
// How much of stderr goes into the one-line error: enough for the plugin's last message.
constexpr std::size_t kSummaryLimit = 300;

// One file descriptor, closed when dropped.
class Fd {
 public:
  Fd() = default;
  ~Fd() { reset(-1); }
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&&) = delete;
  void reset(int fd) noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }
  [[nodiscard]] int get() const noexcept { return fd_; }
  [[nodiscard]] int release() noexcept { return std::exchange(fd_, -1); }

 private:
  int fd_ = -1;
};

// A pipe whose ends lie above the standard streams. The child's dup2 onto 1 and 2 could
// otherwise overwrite one end with the other (when this process runs with 0-2 closed).
bool make_pipe(Fd& read_end, Fd& write_end) {
  std::array<int, 2> ends{};
  if (::pipe2(ends.data(), O_CLOEXEC) != 0) return false;
  for (std::size_t i = 0; i < ends.size(); ++i) {
    if (ends[i] > STDERR_FILENO) continue;
    const int moved = ::fcntl(ends[i], F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
    ::close(ends[i]);
    ends[i] = moved;
  }
  read_end.reset(ends[0]);
  write_end.reset(ends[1]);
  return read_end.get() >= 0 && write_end.get() >= 0;
}

// posix_spawn's two option objects, released whatever happens.
struct SpawnOptions {
  posix_spawn_file_actions_t actions{};
  posix_spawnattr_t attributes{};
  SpawnOptions() {
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attributes);
  }
  ~SpawnOptions() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
  }
  SpawnOptions(const SpawnOptions&) = delete;
  SpawnOptions& operator=(const SpawnOptions&) = delete;

  // Returns 0 or the first error number.
  int prepare(int out_write, int err_write) {
    // Every signal at its default and none blocked: the child must not inherit the server's
    // ignored SIGPIPE or a mask one of its threads set up. A process group of its own lets a
    // timeout kill whatever the plugin started (`sh -c`, a Python interpreter, ...).
    sigset_t defaults;
    sigfillset(&defaults);
    sigdelset(&defaults, SIGKILL);
    sigdelset(&defaults, SIGSTOP);
    sigset_t unblocked;
    sigemptyset(&unblocked);
    const auto flags =
        static_cast<short>(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP);
    // All are applied (the list is evaluated whole); the first failure is reported. The last
    // action keeps descriptors opened without O_CLOEXEC (by a library) out of the child.
    for (const int error :
         {posix_spawnattr_setsigdefault(&attributes, &defaults),
          posix_spawnattr_setsigmask(&attributes, &unblocked),
          posix_spawnattr_setpgroup(&attributes, 0), posix_spawnattr_setflags(&attributes, flags),
          posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0),
          posix_spawn_file_actions_adddup2(&actions, out_write, STDOUT_FILENO),
          posix_spawn_file_actions_adddup2(&actions, err_write, STDERR_FILENO),
          posix_spawn_file_actions_addclosefrom_np(&actions, STDERR_FILENO + 1)}) {
      if (error != 0) return error;
    }
    return 0;
  }
};

// What client-go tells a plugin about the call: which ExecCredential version it expects and
// that no one is there to answer a prompt.
std::string exec_info(const std::string& api_version) {
  nlohmann::ordered_json info;
  info["kind"] = "ExecCredential";
  info["apiVersion"] = api_version;
  info["spec"]["interactive"] = false;
  return info.dump();
}

// This process's environment, then plugin.env, then KUBERNETES_EXEC_INFO. A later definition of
// a name replaces an earlier one, as Go's os/exec (and so client-go) resolves duplicates.
std::vector<std::string> plugin_environment(const ExecPlugin& plugin) {
  std::vector<std::string> entries;
  std::unordered_map<std::string, std::size_t> position;
  const auto define = [&](const std::string& name, std::string entry) {
    const auto [it, added] = position.try_emplace(name, entries.size());
    if (added) {
      entries.push_back(std::move(entry));
    } else {
      entries[it->second] = std::move(entry);
    }
  };
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string text(*entry);
    define(text.substr(0, text.find('=')), text);
  }
  for (const auto& [name, value] : plugin.env) define(name, name + "=" + value);
  define("KUBERNETES_EXEC_INFO", "KUBERNETES_EXEC_INFO=" + exec_info(plugin.api_version));
  return entries;
}

// posix_spawnp wants mutable C strings; they point into `strings`, which must outlive them.
std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  pointers.reserve(strings.size() + 1);
  for (auto& text : strings) pointers.push_back(text.data());
  pointers.push_back(nullptr);
  return pointers;
}

std::string prefix(const ExecPlugin& plugin) {
  return "exec plugin \"" + plugin.command + "\": ";
}

struct Spawned {
  pid_t pid = -1;
  Fd out;  // read ends
  Fd err;
  std::string error;
};

Spawned spawn_plugin(const ExecPlugin& plugin) {
  Spawned spawned;
  Fd out_write, err_write;
  if (!make_pipe(spawned.out, out_write) || !make_pipe(spawned.err, err_write)) {
    spawned.error =
        prefix(plugin) + "cannot make a pipe: " + std::generic_category().message(errno);
    return spawned;
  }
  SpawnOptions options;
  int error = options.prepare(out_write.get(), err_write.get());
  if (error == 0) {
    std::vector<std::string> argv_text{plugin.command};
    argv_text.insert(argv_text.end(), plugin.args.begin(), plugin.args.end());
    std::vector<std::string> env_text = plugin_environment(plugin);
    auto argv = c_strings(argv_text);
    auto envp = c_strings(env_text);
    // posix_spawnp searches this process's PATH, as execvp does; glibc reports a failed exec
    // here rather than as an exit status.
    error = ::posix_spawnp(&spawned.pid, plugin.command.c_str(), &options.actions,
                           &options.attributes, argv.data(), envp.data());
  }
  if (error == ENOENT) {
    const bool has_path = plugin.command.find('/') != std::string::npos;
    spawned.error = prefix(plugin) + (has_path ? "no such file" : "not found in PATH");
  } else if (error != 0) {
    spawned.error = prefix(plugin) + "cannot be started: " + std::generic_category().message(error);
  }
  return spawned;
}

// The child from spawn to reap. Dropping it before the child was reaped (a timeout already
// handled, or the calling coroutine cancelled or destroyed) kills the group and waits: SIGKILL
// cannot be ignored, so that wait is short.
class Child {
 public:
  explicit Child(pid_t pid) : pid_(pid) {}
  ~Child() {
    if (reaped_) return;
    kill_group();
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  // Until the child is reaped its pid stays taken, so the group id cannot name someone else.
  void kill_group() const {
    if (!reaped_) ::kill(-pid_, SIGKILL);
  }
  // Non-blocking; true once reaped.
  bool try_reap() {
    if (reaped_) return true;
    int status = 0;
    const pid_t got = ::waitpid(pid_, &status, WNOHANG);
    if (got == pid_) {
      reaped_ = true;
      status_ = status;
    } else if (got < 0 && errno != EINTR) {
      // ECHILD: SIGCHLD is ignored (the kernel reaped it) or someone else did; it is gone, but
      // how it ended is unknown.
      reaped_ = true;
    }
    return reaped_;
  }
  [[nodiscard]] std::optional<int> status() const { return status_; }

 private:
  pid_t pid_;
  bool reaped_ = false;
  std::optional<int> status_;
};

struct Capture {
  std::string output;
  bool overflow = false;
  std::string errors;  // the last kExecStderrTail bytes
};

asio::awaitable<void> read_output(stream_descriptor& pipe, Capture& capture, const Child& child) {
  std::array<char, 16384> chunk{};
  for (;;) {
    const auto [error, size] = co_await pipe.async_read_some(asio::buffer(chunk), kNoThrow);
    if (capture.output.size() + size > kExecStdoutLimit) {
      // Stop the plugin rather than stop reading: it would block on a full pipe until the
      // timeout.
      capture.overflow = true;
      child.kill_group();
      co_return;
    }
    capture.output.append(chunk.data(), size);
    if (error) co_return;  // end of file, or cancelled at the deadline
  }
}

asio::awaitable<void> read_tail(stream_descriptor& pipe, Capture& capture) {
  std::array<char, 4096> chunk{};
  for (;;) {
    const auto [error, size] = co_await pipe.async_read_some(asio::buffer(chunk), kNoThrow);
    capture.errors.append(chunk.data(), size);
    if (capture.errors.size() > kExecStderrTail) {
      capture.errors.erase(0, capture.errors.size() - kExecStderrTail);
    }
    if (error) co_return;
  }
}

// There is no SIGCHLD handler to wait on (the server owns signals), so poll, quickly at first:
// a child that closed its output is about to exit.
asio::awaitable<void> wait_exit(Child& child) {
  asio::steady_timer pause(co_await asio::this_coro::executor);
  std::chrono::milliseconds delay = 1ms;
  while (!child.try_reap()) {
    pause.expires_after(delay);
    co_await pause.async_wait(asio::use_awaitable);
    delay = std::min<std::chrono::milliseconds>(delay * 2, 50ms);
  }
}

asio::awaitable<void> collect(stream_descriptor& out, stream_descriptor& err, Capture& capture,
                              Child& child) {
  co_await (read_output(out, capture, child) && read_tail(err, capture));
  co_await wait_exit(child);
}

// The end of stderr as one line: its last non-blank lines joined by " | ", control characters
// blanked, clipped at the front to kSummaryLimit.
std::string stderr_summary(const std::string& tail) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start <= tail.size()) {
    const std::size_t end = std::min(tail.find('\n', start), tail.size());
    std::string line = tail.substr(start, end - start);
    for (char& c : line) {
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
    }
    const auto first = line.find_first_not_of(' ');
    if (first != std::string::npos) {
      lines.push_back(line.substr(first, line.find_last_not_of(' ') - first + 1));
    }
    start = end + 1;
  }
  std::string summary;
  for (auto it = lines.rbegin(); it != lines.rend() && summary.size() <= kSummaryLimit; ++it) {
    summary = summary.empty() ? *it : *it + " | " + summary;
  }
  if (summary.size() > kSummaryLimit) {
    std::size_t cut = summary.size() - kSummaryLimit;
    // Never start inside a UTF-8 sequence.
    while (cut < summary.size() && (static_cast<unsigned char>(summary[cut]) & 0xC0) == 0x80) {
      ++cut;
    }
    summary = "..." + summary.substr(cut);
  }
  return summary;
}

ExecOutcome failure(std::string message, const Capture& capture) {
  const std::string summary = stderr_summary(capture.errors);
  if (!summary.empty()) message += ": " + summary;
  return ExecOutcome{{}, std::move(message)};
}

std::string duration_text(std::chrono::milliseconds duration) {
  if (duration.count() % 1000 == 0) return std::to_string(duration.count() / 1000) + "s";
  return std::to_string(duration.count()) + "ms";
}

// How the child ended, when that makes its output unusable.
std::string exit_problem(const Child& child) {
  const auto status = child.status();
  if (!status) return {};
  if (WIFEXITED(*status)) {
    const int code = WEXITSTATUS(*status);
    return code == 0 ? std::string() : "exited with status " + std::to_string(code);
  }
  if (WIFSIGNALED(*status)) {
    const int signal = WTERMSIG(*status);
    const char* name = sigabbrev_np(signal);
    return "killed by signal " + std::to_string(signal) +
           (name != nullptr ? std::string(" (SIG") + name + ")" : std::string());
  }
  return "ended with wait status " + std::to_string(*status);
}

// parse_exec_credential accepts either version; the plugin must answer in the one asked for.
std::string version_problem(const std::string& output, const std::string& expected) {
  const auto json = nlohmann::json::parse(output, nullptr, false);
  const auto it = json.find("apiVersion");
  const std::string got = it != json.end() && it->is_string() ? it->get<std::string>() : "";
  if (got == expected) return {};
  return "returned apiVersion \"" + got + "\" but is configured for \"" + expected + "\"";
}

}  // namespace

asio::awaitable<ExecOutcome> run_exec_plugin(ExecPlugin plugin, std::chrono::milliseconds timeout) {
  const auto executor = co_await asio::this_coro::executor;
  Spawned spawned = spawn_plugin(plugin);
  if (!spawned.error.empty()) co_return ExecOutcome{{}, std::move(spawned.error)};
  Child child(spawned.pid);
  stream_descriptor out(executor, spawned.out.release());
  stream_descriptor err(executor, spawned.err.release());
  asio::steady_timer deadline(executor, timeout);
  Capture capture;

  const auto first =
      co_await (collect(out, err, capture, child) || deadline.async_wait(asio::use_awaitable));
  if (first.index() == 1) {
    child.kill_group();
    co_await wait_exit(child);
    co_return failure(prefix(plugin) + "timed out after " + duration_text(timeout), capture);
  }
  if (capture.overflow) {
    co_return failure(
        prefix(plugin) + "printed more than " + std::to_string(kExecStdoutLimit >> 20) + " MiB",
        capture);
  }
  if (auto problem = exit_problem(child); !problem.empty()) {
    co_return failure(prefix(plugin) + problem, capture);
  }
  auto parsed = parse_exec_credential(capture.output);
  if (!parsed.error.empty()) co_return failure(prefix(plugin) + parsed.error, capture);
  if (auto problem = version_problem(capture.output, plugin.api_version); !problem.empty()) {
    co_return failure(prefix(plugin) + problem, capture);
  }
  if (parsed.credential.client_cert_pem.empty() != parsed.credential.client_key_pem.empty()) {
    co_return failure(prefix(plugin) +
                          "returned a client certificate without its key or a key "
                          "without its certificate",
                      capture);
  }
  co_return ExecOutcome{std::move(parsed.credential), {}};
}

}  // namespace irsa::kube
