#include "shutdown_sequence.hpp"

#include <csignal>
#include <cstdlib>
#include <string>
#include <string_view>

namespace irsa::server {

namespace {

using Clock = std::chrono::steady_clock;

// The two signals handled, by name (strsignal is not thread-safe).
std::string_view signal_name(int number) {
  return number == SIGTERM ? "SIGTERM" : number == SIGINT ? "SIGINT" : "signal";
}

}  // namespace

ShutdownSequence::ShutdownSequence(boost::asio::io_context& io, const Logger& log,
                                   std::chrono::nanoseconds delay, std::chrono::nanoseconds timeout,
                                   ShutdownSteps steps)
    : log_(log),
      delay_(delay),
      timeout_(timeout),
      steps_(std::move(steps)),
      signals_(io, SIGINT, SIGTERM),
      timer_(io) {}

void ShutdownSequence::start() {
  signals_.async_wait([this](boost::system::error_code error, int signal_number) {
    if (error) return;
    if (steps_.begin_draining()) {
      log_.error("second stop signal; exiting at once", {{"signal", signal_name(signal_number)}});
      log_.flush();
      std::_Exit(1);
    }
    begin(signal_number);
    start();
  });
}

void ShutdownSequence::begin(int signal_number) {
  log_.info(
      "stop signal received; /readyz now fails",
      {{"signal", signal_name(signal_number)},
       {"shutdown_delay_ms",
        std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(delay_).count())}});
  timer_.expires_after(delay_);
  timer_.async_wait([this](boost::system::error_code error) {
    if (error) return;
    close();
  });
}

void ShutdownSequence::close() {
  log_.info("closing listeners and idle connections");
  steps_.close();
  drain_deadline_ = Clock::now() + timeout_;
  wait_for_connections();
}

void ShutdownSequence::wait_for_connections() {
  const std::size_t open = steps_.open_connections();
  if (open == 0) {
    log_.info("shut down gracefully");
    steps_.stop();
    return;
  }
  if (Clock::now() >= drain_deadline_) {
    log_.warn("shutdown timeout reached; closing the remaining connections",
              {{"connections", std::to_string(open)}});
    steps_.stop();
    return;
  }
  // Connections finish on their own threads; looking every 10 ms costs nothing and needs no
  // notice from them.
  timer_.expires_after(std::chrono::milliseconds(10));
  timer_.async_wait([this](boost::system::error_code error) {
    if (!error) wait_for_connections();
  });
}

}  // namespace irsa::server
