// What SIGTERM and SIGINT do. The first: /readyz fails at once, so that endpoints stop sending
// new connections; after --shutdown-delay the listeners stop accepting and idle connections
// close; the process exits once every connection has closed, or after --shutdown-timeout with
// the rest still open. A second signal ends the process at once with status 1.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstddef>
#include <functional>

#include "irsa/server/log.hpp"

namespace irsa::server {

// The server's part in each step.
struct ShutdownSteps {
  // Makes /readyz fail; returns whether shutting down had already begun.
  std::function<bool()> begin_draining;
  // Stops accepting, closes idle connections and stops loading anything new.
  std::function<void()> close;
  std::function<std::size_t()> open_connections;
  // Ends every thread, which returns from the server's run().
  std::function<void()> stop;
};

class ShutdownSequence {
 public:
  // Takes over the two signals now, so that one arriving during start-up waits for start().
  ShutdownSequence(boost::asio::io_context& io, const Logger& log, std::chrono::nanoseconds delay,
                   std::chrono::nanoseconds timeout, ShutdownSteps steps);
  ShutdownSequence(const ShutdownSequence&) = delete;
  ShutdownSequence& operator=(const ShutdownSequence&) = delete;

  // Begins waiting for the signals.
  void start();

 private:
  void begin(int signal_number);
  void close();
  void wait_for_connections();

  const Logger& log_;
  std::chrono::nanoseconds delay_;
  std::chrono::nanoseconds timeout_;
  ShutdownSteps steps_;
  boost::asio::signal_set signals_;
  boost::asio::steady_timer timer_;
  std::chrono::steady_clock::time_point drain_deadline_;
};

}  // namespace irsa::server
