#include "bind_listener.hpp"

#include <stdexcept>

namespace irsa::server {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

asio::ip::address bind_address(const std::string& text) {
  boost::system::error_code error;
  auto address = asio::ip::make_address(text, error);
  if (error) {
    throw std::runtime_error("--bind-address: \"" + text + "\" is not an IPv4 or IPv6 address");
  }
  return address;
}

}  // namespace

std::unique_ptr<Listener> bind_listener(asio::io_context& io, const std::string& address, int port,
                                        Listener::TlsSource tls, const ServerLimits& limits,
                                        Listener::Handler handler, const char* what,
                                        const std::vector<asio::io_context*>& contexts,
                                        const ListenerOverload& overload) {
  const auto port_number = static_cast<unsigned short>(port);
  try {
    if (!address.empty()) {
      return std::make_unique<Listener>(io, tcp::endpoint(bind_address(address), port_number),
                                        std::move(tls), limits, std::move(handler), contexts,
                                        overload);
    }
    try {
      return std::make_unique<Listener>(io, tcp::endpoint(tcp::v6(), port_number), tls, limits,
                                        handler, contexts, overload);
    } catch (const boost::system::system_error& error) {
      if (error.code() != asio::error::address_family_not_supported) throw;
      return std::make_unique<Listener>(io, tcp::endpoint(tcp::v4(), port_number), std::move(tls),
                                        limits, std::move(handler), contexts, overload);
    }
  } catch (const boost::system::system_error& error) {
    throw std::runtime_error(std::string("cannot listen for ") + what + " on " +
                             (address.empty() ? "*" : address) + ":" + std::to_string(port) + ": " +
                             error.code().message());
  }
}

std::string listener_url(const Listener& listener, const char* scheme) {
  const auto endpoint = listener.local_endpoint();
  const auto address = endpoint.address();
  std::string url(scheme);
  url.append("://");
  if (address.is_v6()) url.push_back('[');
  url.append(address.to_string());
  if (address.is_v6()) url.push_back(']');
  url.push_back(':');
  url.append(std::to_string(endpoint.port()));
  return url;
}

}  // namespace irsa::server
