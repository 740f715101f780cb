#include "support/fake_program.hpp"

#include <pthread.h>
#include <signal.h>

#include <csignal>
#include <exception>

namespace irsa::testing {

namespace {

sigset_t stop_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  return signals;
}

}  // namespace

void prepare_stop_signals() {
  const sigset_t signals = stop_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
}

void wait_for_stop_signal() {
  const sigset_t signals = stop_signals();
  int received = 0;
  sigwait(&signals, &received);
}

std::optional<unsigned long> parse_number(const std::string& text) {
  if (text.empty() || text.front() == '-') return std::nullopt;
  std::size_t used = 0;
  unsigned long number = 0;
  try {
    number = std::stoul(text, &used);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  if (used != text.size()) return std::nullopt;
  return number;
}

}  // namespace irsa::testing
