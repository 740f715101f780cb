// The route table: each path on the port that serves it, the three routes upstream instruments,
// and the debugging routes that only --enable-debugging-handlers switches on.
#include "irsa/server/routes.hpp"

#include <gtest/gtest.h>

namespace irsa::server {
namespace {

TEST(Routes, EachPathIsFoundOnItsOwnPortOnly) {
  for (const char* path :
       {"/mutate", "/healthz", "/livez", "/readyz", "/debug/alpha/deny", "/debug/alpha/500"}) {
    ASSERT_NE(find_route(Port::webhook, path), nullptr) << path;
    EXPECT_EQ(find_route(Port::webhook, path)->path, path);
    EXPECT_EQ(find_route(Port::metrics, path), nullptr) << path;
  }
  for (const char* path : {"/metrics", "/debug/alpha/cache", "/debug/alpha/cache/clear"}) {
    ASSERT_NE(find_route(Port::metrics, path), nullptr) << path;
    EXPECT_EQ(find_route(Port::webhook, path), nullptr) << path;
  }
  EXPECT_EQ(find_route(Port::webhook, "/"), nullptr);
  EXPECT_EQ(find_route(Port::webhook, "/mutate/"), nullptr);
  EXPECT_EQ(find_route(Port::metrics, "/debug/alpha/cache/"), nullptr);
}

TEST(Routes, UpstreamInstrumentsMutateAndItsTwoDebugRoutes) {
  EXPECT_TRUE(find_route(Port::webhook, "/mutate")->instrumented);
  EXPECT_TRUE(find_route(Port::webhook, "/debug/alpha/deny")->instrumented);
  EXPECT_TRUE(find_route(Port::webhook, "/debug/alpha/500")->instrumented);
  EXPECT_FALSE(find_route(Port::webhook, "/readyz")->instrumented);
  EXPECT_FALSE(find_route(Port::metrics, "/metrics")->instrumented);
}

TEST(Routes, DebuggingRoutesNeedTheFlag) {
  for (const char* path : {"/debug/alpha/deny", "/debug/alpha/500"}) {
    EXPECT_FALSE(find_route(Port::webhook, path)->enabled(false)) << path;
    EXPECT_TRUE(find_route(Port::webhook, path)->enabled(true)) << path;
  }
  for (const char* path : {"/debug/alpha/cache", "/debug/alpha/cache/clear"}) {
    EXPECT_FALSE(find_route(Port::metrics, path)->enabled(false)) << path;
    EXPECT_TRUE(find_route(Port::metrics, path)->enabled(true)) << path;
  }
  EXPECT_TRUE(find_route(Port::webhook, "/mutate")->enabled(false));
  EXPECT_TRUE(find_route(Port::metrics, "/metrics")->enabled(false));
}

}  // namespace
}  // namespace irsa::server
