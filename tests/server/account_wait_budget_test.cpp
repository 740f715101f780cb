// How long an admission may wait for a ServiceAccount still on its way: the grace period, cut
// short so that the answer reaches the API server before its own ?timeout= runs out.
#include <gtest/gtest.h>

#include "irsa/server/account_wait_budget.hpp"

namespace irsa::server {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(AccountWaitBudget, IsTheGracePeriodWhenTheTimeoutLeavesRoom) {
  EXPECT_EQ(account_wait_budget("/mutate?timeout=10s", seconds(1)), seconds(1));
  EXPECT_EQ(account_wait_budget("/mutate?timeout=30s", seconds(5)), seconds(5));
}

TEST(AccountWaitBudget, NeverReachesTheApiServersTimeout) {
  // A tenth of the timeout, at least 250 ms, is left for the answer to travel.
  EXPECT_EQ(account_wait_budget("/mutate?timeout=10s", seconds(30)), seconds(9));
  EXPECT_EQ(account_wait_budget("/mutate?timeout=1s", seconds(5)), milliseconds(750));
  EXPECT_EQ(account_wait_budget("/mutate?x=1&timeout=2s", seconds(5)), milliseconds(1750));
  EXPECT_EQ(account_wait_budget("/mutate?timeout=200ms", seconds(1)), milliseconds(0));
}

TEST(AccountWaitBudget, WithoutAUsableTimeoutTheGracePeriodHolds) {
  EXPECT_EQ(account_wait_budget("/mutate", seconds(1)), seconds(1));
  EXPECT_EQ(account_wait_budget("/mutate?timeout=soon", seconds(1)), seconds(1));
  EXPECT_EQ(account_wait_budget("/mutate?timeouts=1s", seconds(2)), seconds(2));
  EXPECT_EQ(account_wait_budget("/mutate?timeout=0s", seconds(2)), seconds(2));
}

}  // namespace
}  // namespace irsa::server
