// The one URL splitter behind the API client's server URL and irsa-loadgen's target.
#include "irsa/net/http_url.hpp"

#include <gtest/gtest.h>

namespace irsa::net {
namespace {

TEST(HttpUrl, TakesTheUrlApart) {
  const auto full = parse_http_url("https://api.example.com:6443/proxy/k8s?x=1");
  ASSERT_EQ(full.error, "");
  EXPECT_TRUE(full.url.tls);
  EXPECT_EQ(full.url.host, "api.example.com");
  EXPECT_EQ(full.url.port, "6443");
  EXPECT_EQ(full.url.authority, "api.example.com:6443");
  EXPECT_EQ(full.url.rest, "/proxy/k8s?x=1");

  const auto plain = parse_http_url("http://localhost");
  ASSERT_EQ(plain.error, "");
  EXPECT_FALSE(plain.url.tls);
  EXPECT_EQ(plain.url.port, "80");
  EXPECT_EQ(plain.url.rest, "");

  const auto v6 = parse_http_url("https://[::1]?q");
  ASSERT_EQ(v6.error, "");
  EXPECT_EQ(v6.url.host, "::1");
  EXPECT_EQ(v6.url.port, "443");
  EXPECT_EQ(v6.url.authority, "[::1]");
  EXPECT_EQ(v6.url.rest, "?q");
  EXPECT_EQ(parse_http_url("https://[fd00::1]:8443/").url.port, "8443");
  // A colon with nothing after it leaves the scheme's port.
  EXPECT_EQ(parse_http_url("https://h:/").url.port, "443");
}

TEST(HttpUrl, SaysWhyAUrlIsRefused) {
  const struct {
    const char* url;
    const char* reason;
  } cases[] = {
      {"ftp://h/", "must start with https:// or http://"},
      {"h:8443", "must start with https:// or http://"},
      {"https://u:p@h/", "user information in the URL is not supported"},
      {"https://[::1/", "unclosed [ in the address"},
      {"https://[::1]x/", "only a port may follow the ]"},
      {"https://:8443/", "no host"},
      {"https:///api", "no host"},
      {"https://h:0/", "port must be a number from 1 to 65535"},
      {"https://h:65536/", "port must be a number from 1 to 65535"},
      {"https://h:8x/", "port must be a number from 1 to 65535"},
      {"https://h:-1/", "port must be a number from 1 to 65535"},
      {"https://h:000443/", "port must be a number from 1 to 65535"},
  };
  for (const auto& c : cases) EXPECT_EQ(parse_http_url(c.url).error, c.reason) << c.url;
}

TEST(IpLiteral, TellsAddressesFromNames) {
  EXPECT_TRUE(is_ip_literal("127.0.0.1"));
  EXPECT_TRUE(is_ip_literal("::1"));
  EXPECT_TRUE(is_ip_literal("fd00::10"));
  EXPECT_FALSE(is_ip_literal("localhost"));
  EXPECT_FALSE(is_ip_literal("[::1]"));
  EXPECT_FALSE(is_ip_literal("10.0.0.1.nip.io"));
  EXPECT_FALSE(is_ip_literal(""));
}

}  // namespace
}  // namespace irsa::net
