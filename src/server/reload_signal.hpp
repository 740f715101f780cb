// What SIGHUP does: every watched file (the serving certificate pair, the ServiceAccounts file,
// the Pod Identity associations) is read again at once, changed or not, and the log says so.
// Without a handler the signal would end the process, which is never what `kill -HUP` means to
// a server.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <functional>

#include "irsa/server/log.hpp"

namespace irsa::server {

class ReloadSignal {
 public:
  // Takes SIGHUP over now, so that one arriving during start-up is held until start().
  ReloadSignal(boost::asio::io_context& io, const Logger& log, std::function<void()> reload);
  ReloadSignal(const ReloadSignal&) = delete;
  ReloadSignal& operator=(const ReloadSignal&) = delete;

  void start();

 private:
  const Logger& log_;
  std::function<void()> reload_;
  boost::asio::signal_set signals_;
};

}  // namespace irsa::server
