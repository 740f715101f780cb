#include "target.hpp"

#include <gtest/gtest.h>

namespace irsa::loadgen {
namespace {

TEST(TargetTest, TakesTheUrlApart) {
  const auto target = parse_target("https://127.0.0.1:8443/mutate?timeout=10s");
  EXPECT_TRUE(target.tls);
  EXPECT_EQ(target.host, "127.0.0.1");
  EXPECT_EQ(target.port, "8443");
  EXPECT_EQ(target.target, "/mutate?timeout=10s");
  EXPECT_EQ(target.host_header, "127.0.0.1:8443");

  const auto plain = parse_target("http://localhost");
  EXPECT_FALSE(plain.tls);
  EXPECT_EQ(plain.port, "80");
  EXPECT_EQ(plain.target, "/");

  const auto v6 = parse_target("https://[::1]:9443?x=1");
  EXPECT_EQ(v6.host, "::1");
  EXPECT_EQ(v6.port, "9443");
  EXPECT_EQ(v6.target, "/?x=1");
  EXPECT_EQ(parse_target("https://[::1]/").port, "443");
}

TEST(TargetTest, RefusesMalformedUrls) {
  for (const char* url :
       {"ftp://127.0.0.1/", "127.0.0.1:8443", "https://:8443/", "https://h:0/", "https://h:70000/",
        "https://h:8x/", "https://[::1/", "https://u@h/", "https://[::1]x/"}) {
    EXPECT_THROW((void)parse_target(url), TargetError) << url;
  }
}

TEST(TargetTest, LoopbackTargetsResolve) {
  EXPECT_FALSE(resolve_target(parse_target("https://127.0.0.1:1/"), false).empty());
  EXPECT_FALSE(resolve_target(parse_target("https://[::1]:1/"), false).empty());
  EXPECT_FALSE(resolve_target(parse_target("https://localhost:1/"), false).empty());
}

TEST(TargetTest, OtherMachinesNeedConsent) {
  const auto remote = parse_target("https://192.0.2.10:443/mutate");
  try {
    (void)resolve_target(remote, false);
    FAIL() << "a remote address was accepted";
  } catch (const TargetError& error) {
    EXPECT_NE(std::string(error.what()).find("--allow-remote"), std::string::npos);
  }
  const auto endpoints = resolve_target(remote, true);
  ASSERT_EQ(endpoints.size(), 1U);
  EXPECT_EQ(endpoints[0].address().to_string(), "192.0.2.10");
}

}  // namespace
}  // namespace irsa::loadgen
