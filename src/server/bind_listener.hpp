// Opening the two ports: on the configured address, or on every interface (IPv6 and IPv4
// together where the host has IPv6, IPv4 alone where it does not), with errors that name the
// flag to change.
#pragma once

#include <boost/asio/io_context.hpp>
#include <memory>
#include <string>
#include <vector>

#include "irsa/server/limits.hpp"
#include "irsa/server/listener.hpp"

namespace irsa::server {

// Throws std::runtime_error naming `what` (the port's flag) when the address is not an IP
// literal or the port cannot be bound.
[[nodiscard]] std::unique_ptr<Listener> bind_listener(
    boost::asio::io_context& io, const std::string& address, int port, Listener::TlsSource tls,
    const ServerLimits& limits, Listener::Handler handler, const char* what,
    const std::vector<boost::asio::io_context*>& contexts = {},
    const ListenerOverload& overload = {});

// Where a listener serves, as a URL ("https://[::]:443") for the start-up line.
[[nodiscard]] std::string listener_url(const Listener& listener, const char* scheme);

}  // namespace irsa::server
