// The real irsa-webhook binary as a server process for integration tests: started with the
// test's flags, its output captured in a file, watched through /proc, stopped with signals.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace irsa::testing {

// A TCP port on 127.0.0.1 that was free a moment ago, picked at random outside the kernel's range
// for outgoing connections.
[[nodiscard]] unsigned short free_port();

class WebhookProcess {
 public:
  // Starts program with args; standard output and error go to log_file.
  WebhookProcess(const std::string& program, const std::vector<std::string>& args,
                 std::string log_file);
  // Kills the process if it still runs.
  ~WebhookProcess();
  WebhookProcess(const WebhookProcess&) = delete;
  WebhookProcess& operator=(const WebhookProcess&) = delete;

  [[nodiscard]] pid_t pid() const noexcept { return pid_; }
  void signal(int number) const;
  // The exit status (or 128 + signal) once the process has ended, -1 if it is still running
  // after `timeout`.
  int wait_exit(std::chrono::milliseconds timeout);
  [[nodiscard]] bool running();
  [[nodiscard]] std::string log() const;
  // Descriptors the process has open right now (-1 once it is gone).
  [[nodiscard]] int open_fds() const;

 private:
  pid_t pid_ = -1;
  int status_ = -1;
  std::string log_file_;
};

// Polls `condition` every 20 ms until it holds or `timeout` passes.
bool eventually(const std::function<bool()>& condition,
                std::chrono::milliseconds timeout = std::chrono::seconds(10));

// Seconds from `start` to now.
inline double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace irsa::testing
