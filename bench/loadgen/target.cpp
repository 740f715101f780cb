#include "target.hpp"

#include <boost/asio/io_context.hpp>

namespace irsa::loadgen {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

bool all_digits(const std::string& text) {
  return !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
}

}  // namespace

Target parse_target(const std::string& url) {
  Target target;
  std::string rest;
  if (url.starts_with("https://")) {
    rest = url.substr(8);
  } else if (url.starts_with("http://")) {
    target.tls = false;
    rest = url.substr(7);
  } else {
    throw TargetError("target " + url + ": must start with https:// or http://");
  }
  const auto path_start = rest.find_first_of("/?");
  std::string authority = rest.substr(0, path_start);
  target.target = path_start == std::string::npos ? "/" : rest.substr(path_start);
  if (target.target.starts_with('?')) target.target.insert(0, "/");
  if (authority.find('@') != std::string::npos) {
    throw TargetError("target " + url + ": user information in the URL is not supported");
  }
  std::string port_text;
  if (authority.starts_with('[')) {
    const auto close = authority.find(']');
    if (close == std::string::npos) throw TargetError("target " + url + ": unclosed [");
    target.host = authority.substr(1, close - 1);
    const auto after = authority.substr(close + 1);
    if (!after.empty()) {
      if (!after.starts_with(':')) throw TargetError("target " + url + ": junk after ]");
      port_text = after.substr(1);
    }
  } else {
    const auto colon = authority.rfind(':');
    target.host = authority.substr(0, colon);
    if (colon != std::string::npos) port_text = authority.substr(colon + 1);
  }
  if (target.host.empty()) throw TargetError("target " + url + ": no host");
  if (port_text.empty()) {
    target.port = target.tls ? "443" : "80";
  } else if (!all_digits(port_text) || port_text.size() > 5 || std::stoul(port_text) == 0 ||
             std::stoul(port_text) > 65535) {
    throw TargetError("target " + url + ": port must be a number from 1 to 65535");
  } else {
    target.port = port_text;
  }
  target.host_header = authority;
  return target;
}

std::vector<tcp::endpoint> resolve_target(const Target& target, bool allow_remote) {
  asio::io_context io;
  tcp::resolver resolver(io);
  boost::system::error_code error;
  const auto results = resolver.resolve(target.host, target.port, error);
  if (error || results.empty()) {
    throw TargetError("cannot resolve " + target.host + ": " +
                      (error ? error.message() : "no address"));
  }
  std::vector<tcp::endpoint> endpoints;
  for (const auto& result : results) {
    const auto endpoint = result.endpoint();
    if (!allow_remote && !endpoint.address().is_loopback()) {
      throw TargetError(target.host + " resolves to " + endpoint.address().to_string() +
                        ", which is not this machine; pass --allow-remote to load it anyway");
    }
    endpoints.push_back(endpoint);
  }
  return endpoints;
}

}  // namespace irsa::loadgen
