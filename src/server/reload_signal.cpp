#include "reload_signal.hpp"

#include <csignal>

namespace irsa::server {

ReloadSignal::ReloadSignal(boost::asio::io_context& io, const Logger& log,
                           std::function<void()> reload)
    : log_(log), reload_(std::move(reload)), signals_(io, SIGHUP) {}

void ReloadSignal::start() {
  signals_.async_wait([this](boost::system::error_code error, int /*signal_number*/) {
    if (error) return;
    log_.info("SIGHUP received; reading every watched file again");
    reload_();
    start();
  });
}

}  // namespace irsa::server
