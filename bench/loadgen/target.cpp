#include "target.hpp"

#include <boost/asio/io_context.hpp>

#include "irsa/net/http_url.hpp"

namespace irsa::loadgen {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

Target parse_target(const std::string& url) {
  net::HttpUrlParse parse = net::parse_http_url(url);
  if (!parse.error.empty()) throw TargetError("target " + url + ": " + parse.error);
  net::HttpUrl& http = parse.url;
  // The request target is never empty, and a bare query gets the root path in front.
  std::string path = http.rest.empty() || http.rest.starts_with('?') ? "/" + http.rest : http.rest;
  return {http.tls, std::move(http.host), std::move(http.port), std::move(path),
          std::move(http.authority)};
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
