// How many worker threads "one per CPU" means: the affinity mask, lowered to the cgroup's CPU
// quota, so that a pod limited to one CPU on a large node does not run a thread per node core.
#include <gtest/gtest.h>
#include <sched.h>

#include "irsa/server/host_facts.hpp"

namespace irsa::server {
namespace {

TEST(CpuQuota, RoundsTheQuotaUpToWholeCpus) {
  EXPECT_EQ(cpus_allowed_by_quota("100000 100000"), 1U);
  EXPECT_EQ(cpus_allowed_by_quota("150000 100000\n"), 2U);
  EXPECT_EQ(cpus_allowed_by_quota("400000 100000"), 4U);
  // Half a CPU still needs a thread.
  EXPECT_EQ(cpus_allowed_by_quota("50000 100000"), 1U);
}

TEST(CpuQuota, NoLimitOrNonsenseMeansNoQuota) {
  EXPECT_EQ(cpus_allowed_by_quota("max 100000"), std::nullopt);
  EXPECT_EQ(cpus_allowed_by_quota(""), std::nullopt);
  EXPECT_EQ(cpus_allowed_by_quota("100000"), std::nullopt);
  EXPECT_EQ(cpus_allowed_by_quota("0 100000"), std::nullopt);
  EXPECT_EQ(cpus_allowed_by_quota("100000 0"), std::nullopt);
  EXPECT_EQ(cpus_allowed_by_quota("-5 100000"), std::nullopt);
  EXPECT_EQ(cpus_allowed_by_quota("1e5 100000"), std::nullopt);
}

// The memory limit that sizes the request memory budget, as cgroup v2 and v1 write it.
TEST(CgroupMemory, LimitsAreReadAndTheWaysOfSayingNoneGiveZero) {
  EXPECT_EQ(memory_limit_from("268435456\n"), 268435456u);
  EXPECT_EQ(memory_limit_from("536870912"), 536870912u);
  EXPECT_EQ(memory_limit_from("max\n"), 0u) << "v2: no limit";
  EXPECT_EQ(memory_limit_from("9223372036854771712\n"), 0u) << "v1: no limit";
  EXPECT_EQ(memory_limit_from(""), 0u);
  EXPECT_EQ(memory_limit_from("256Mi"), 0u);
  EXPECT_EQ(memory_limit_from("-1"), 0u);
}

TEST(UsableCpus, NeverMoreThanTheAffinityMaskAllows) {
  cpu_set_t set;
  CPU_ZERO(&set);
  ASSERT_EQ(::sched_getaffinity(0, sizeof(set), &set), 0);
  const unsigned cpus = usable_cpus();
  EXPECT_GE(cpus, 1U);
  EXPECT_LE(cpus, static_cast<unsigned>(CPU_COUNT(&set)));
}

}  // namespace
}  // namespace irsa::server
