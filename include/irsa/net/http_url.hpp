// http:// and https:// URLs taken apart in one place, for both ends here that connect to one:
// the Kubernetes API client (a server URL, perhaps with a path prefix for a proxy) and
// irsa-loadgen (the webhook URL it loads).
#pragma once

#include <string>
#include <string_view>

namespace irsa::net {

struct HttpUrl {
  bool tls = true;
  std::string host;       // without the brackets of an IPv6 literal
  std::string port;       // as written, else 443 or 80
  std::string authority;  // host[:port] as written: what the Host header carries
  std::string rest;       // path and query as written, from the first '/' or '?'; may be empty
};

struct HttpUrlParse {
  HttpUrl url;
  std::string error;  // non-empty: why it is not http(s)://host[:port][/path][?query]
};

// Refuses another scheme, user information, an unclosed bracket or anything but a port after
// one, an empty host, and a port that is not a number from 1 to 65535. The reason does not
// repeat the URL: callers say which URL it was.
[[nodiscard]] HttpUrlParse parse_http_url(std::string_view text);

// An IPv4 or IPv6 literal (without brackets) rather than a DNS name: a TLS client sends no SNI for
// it and checks the certificate's IP addresses instead of its DNS names.
[[nodiscard]] bool is_ip_literal(const std::string& host);

}  // namespace irsa::net
