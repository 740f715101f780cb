// Where the load goes: an http:// or https:// URL taken apart once, and the rule that a load
// generator points at this machine unless its user says otherwise (a mistyped URL should not
// flood someone's production API server).
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <stdexcept>
#include <string>
#include <vector>

namespace irsa::loadgen {

struct TargetError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Target {
  bool tls = true;
  std::string host;  // without brackets for IPv6 literals
  std::string port;
  std::string target;  // path and query, "/" at least
  std::string host_header;
};

// Throws TargetError for anything but http(s)://host[:port][/path][?query].
Target parse_target(const std::string& url);

// The addresses the host resolves to; throws TargetError when it resolves to none, or, unless
// remote targets are allowed, when any of them is not a loopback address.
std::vector<boost::asio::ip::tcp::endpoint> resolve_target(const Target& target, bool allow_remote);

}  // namespace irsa::loadgen
