// The real irsa-webhook binary as a server process for integration tests: started with the
// test's flags, its output captured in a file, watched through /proc, stopped with signals.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <memory>
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

// Whether the process has ended because a port it was given was taken before it could bind it:
// free_port() can hand one port to two tests that run at the same time.
[[nodiscard]] bool ended_because_port_taken(WebhookProcess& process);

// Polls ready() every 20 ms until it holds, the process ends or `timeout` passes, and says whether
// it held: a process that has ended will not become ready, so its end is not waited out.
[[nodiscard]] bool ready_before_exit(WebhookProcess& process, const std::function<bool()>& ready,
                                     std::chrono::milliseconds timeout);

// A server started on two ports from free_port(): its own and its metrics port.
struct ServerOnFreePorts {
  std::unique_ptr<WebhookProcess> process;  // the last one started
  unsigned short port = 0;
  unsigned short metrics_port = 0;
  bool ready = false;
};

// Starts a server with start(port, metrics_port) and waits up to `timeout` for ready(port). While
// it ends because a port was taken, starts it again on other ports, three times in all.
[[nodiscard]] ServerOnFreePorts start_on_free_ports(
    const std::function<std::unique_ptr<WebhookProcess>(unsigned short port,
                                                        unsigned short metrics_port)>& start,
    const std::function<bool(unsigned short port)>& ready, std::chrono::milliseconds timeout);

// Polls `condition` every 20 ms until it holds or `timeout` passes.
bool eventually(const std::function<bool()>& condition,
                std::chrono::milliseconds timeout = std::chrono::seconds(10));

// Seconds from `start` to now.
inline double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace irsa::testing
