#include "support/webhook_process.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "support/run_process.hpp"

namespace irsa::testing {

namespace {

// Whether a listener could bind 127.0.0.1:port now, as the servers bind (address reuse on).
bool can_listen_on(unsigned short port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  const int on = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  const bool bound = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  ::close(fd);
  return bound;
}

}  // namespace

// Below the kernel's ephemeral range (32768-60999 by default), from which bind(0) would pick: the
// local ports of outgoing connections come from there too, and the tests open thousands, so a port
// the kernel handed out could be taken by a client socket before the server bound it.
unsigned short free_port() {
  constexpr unsigned kFirst = 20000;
  constexpr unsigned kCount = 12000;
  thread_local std::mt19937 pick(std::random_device{}());
  for (int attempt = 0; attempt < 200; ++attempt) {
    const auto port = static_cast<unsigned short>(kFirst + pick() % kCount);
    if (can_listen_on(port)) return port;
  }
  throw std::runtime_error("no free port in 20000-31999 on 127.0.0.1");
}

WebhookProcess::WebhookProcess(const std::string& program, const std::vector<std::string>& args,
                               std::string log_file)
    : log_file_(std::move(log_file)) {
  const int log_fd = ::open(log_file_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (log_fd < 0) throw std::runtime_error("cannot create " + log_file_);
  std::vector<char*> argv = exec_argv(program, args);  // before fork (see exec_argv)
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    ::dup2(log_fd, STDOUT_FILENO);
    ::dup2(log_fd, STDERR_FILENO);
    const int null_fd = ::open("/dev/null", O_RDONLY);
    ::dup2(null_fd, STDIN_FILENO);
    // Nothing else of the test goes along: an inherited listening socket (the fake API
    // server's) would keep its port taken after the test closed it.
    ::close_range(3, ~0U, 0);
    ::execv(program.c_str(), argv.data());
    ::_exit(127);
  }
  ::close(log_fd);
}

WebhookProcess::~WebhookProcess() {
  if (running()) {
    ::kill(pid_, SIGKILL);
    wait_exit(std::chrono::seconds(10));
  }
}

void WebhookProcess::signal(int number) const {
  ::kill(pid_, number);
}

int WebhookProcess::wait_exit(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (status_ < 0) {
    int raw = 0;
    const pid_t done = ::waitpid(pid_, &raw, WNOHANG);
    if (done == pid_) {
      status_ = WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw);
      break;
    }
    if (std::chrono::steady_clock::now() >= deadline) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return status_;
}

bool WebhookProcess::running() {
  return pid_ > 0 && wait_exit(std::chrono::milliseconds(0)) < 0;
}

std::string WebhookProcess::log() const {
  std::ifstream file(log_file_);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

int WebhookProcess::open_fds() const {
  std::error_code error;
  int count = 0;
  for (auto it =
           std::filesystem::directory_iterator("/proc/" + std::to_string(pid_) + "/fd", error);
       !error && it != std::filesystem::directory_iterator(); it.increment(error)) {
    ++count;
  }
  return error ? -1 : count;
}

bool ended_because_port_taken(WebhookProcess& process) {
  return !process.running() && process.log().find("Address already in use") != std::string::npos;
}

bool ready_before_exit(WebhookProcess& process, const std::function<bool()>& ready,
                       std::chrono::milliseconds timeout) {
  bool is_ready = false;
  (void)eventually(
      [&] {
        if (!process.running()) return true;
        is_ready = ready();
        return is_ready;
      },
      timeout);
  return is_ready;
}

ServerOnFreePorts start_on_free_ports(const std::function<std::unique_ptr<WebhookProcess>(
                                          unsigned short port, unsigned short metrics_port)>& start,
                                      const std::function<bool(unsigned short port)>& ready,
                                      std::chrono::milliseconds timeout) {
  constexpr int kStarts = 3;
  ServerOnFreePorts server;
  for (int attempt = 0; attempt < kStarts; ++attempt) {
    server.port = free_port();
    server.metrics_port = free_port();
    server.process = start(server.port, server.metrics_port);
    server.ready = ready_before_exit(
        *server.process, [&] { return ready(server.port); }, timeout);
    if (server.ready || !ended_because_port_taken(*server.process)) break;
  }
  return server;
}

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace irsa::testing
