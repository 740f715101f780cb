#include "irsa/net/http_url.hpp"

#include <boost/asio/ip/address.hpp>
#include <charconv>

namespace irsa::net {

namespace {

bool valid_port(std::string_view text) {
  unsigned value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc{} && end == text.data() + text.size() && text.size() <= 5 &&
         value >= 1 && value <= 65535;
}

}  // namespace

HttpUrlParse parse_http_url(std::string_view text) {
  HttpUrlParse parse;
  HttpUrl& url = parse.url;
  if (text.starts_with("https://")) {
    text.remove_prefix(8);
  } else if (text.starts_with("http://")) {
    url.tls = false;
    text.remove_prefix(7);
  } else {
    parse.error = "must start with https:// or http://";
    return parse;
  }
  const std::size_t rest_start = text.find_first_of("/?");
  std::string_view authority = text.substr(0, rest_start);
  if (rest_start != std::string_view::npos) url.rest = std::string(text.substr(rest_start));
  url.authority = std::string(authority);
  if (authority.find('@') != std::string_view::npos) {
    parse.error = "user information in the URL is not supported";
    return parse;
  }
  std::string_view port;
  if (authority.starts_with('[')) {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      parse.error = "unclosed [ in the address";
      return parse;
    }
    url.host = std::string(authority.substr(1, close - 1));
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty() && !after.starts_with(':')) {
      parse.error = "only a port may follow the ]";
      return parse;
    }
    if (!after.empty()) port = after.substr(1);
  } else {
    const std::size_t colon = authority.rfind(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (url.host.empty()) {
    parse.error = "no host";
    return parse;
  }
  if (port.empty()) {
    url.port = url.tls ? "443" : "80";
  } else if (!valid_port(port)) {
    parse.error = "port must be a number from 1 to 65535";
    return parse;
  } else {
    url.port = std::string(port);
  }
  return parse;
}

bool is_ip_literal(const std::string& host) {
  boost::system::error_code not_an_address;
  (void)boost::asio::ip::make_address(host, not_an_address);
  return !not_an_address;
}

}  // namespace irsa::net
