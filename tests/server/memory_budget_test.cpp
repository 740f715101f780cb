// The request memory budget: what is taken is given back, nothing is overdrawn, and pressure is
// reported once when it begins and once when it ends.
#include "irsa/server/memory_budget.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace irsa::server {
namespace {

class RecordingEvents final : public OverloadEvents {
 public:
  void connection_pressure(std::string_view, bool, std::size_t, std::size_t) override {}
  void closed_for_pressure(std::string_view, WaitingPhase) override {}
  void connection_refused(std::string_view) override {}
  void memory_pressure(bool active, std::size_t used, std::size_t) override {
    changes.push_back((active ? "began at " : "ended at ") + std::to_string(used));
  }
  void refused_for_memory(std::string_view) override {}
  std::vector<std::string> changes;
};

TEST(MemoryBudget, TakesWhatFitsAndRefusesTheRestWithoutTakingIt) {
  MemoryBudget budget(100, nullptr);
  EXPECT_TRUE(budget.take(60));
  EXPECT_FALSE(budget.take(41));
  EXPECT_EQ(budget.used(), 60u);
  EXPECT_TRUE(budget.take(40));
  EXPECT_FALSE(budget.take(1));
  budget.give_back(60);
  EXPECT_EQ(budget.used(), 40u);
  EXPECT_TRUE(budget.take(60));
  EXPECT_FALSE(MemoryBudget(10, nullptr).take(11)) << "more than the whole budget";
}

TEST(MemoryBudget, ASharesGivesItsBytesBackOnceWhenItGoes) {
  MemoryBudget budget(100, nullptr);
  ASSERT_TRUE(budget.take(30));
  {
    MemoryBudget::Share share(&budget, 30);
    MemoryBudget::Share moved(std::move(share));
    EXPECT_EQ(budget.used(), 30u);
    moved.release();
    EXPECT_EQ(budget.used(), 0u);
  }
  EXPECT_EQ(budget.used(), 0u) << "released once, not again by the destructor";
}

TEST(MemoryBudget, PressureBeginsAtThreeQuartersAndEndsAtHalf) {
  RecordingEvents events;
  MemoryBudget budget(100, &events);
  ASSERT_TRUE(budget.take(70));
  EXPECT_TRUE(events.changes.empty());
  ASSERT_TRUE(budget.take(5));
  ASSERT_TRUE(budget.take(10));
  budget.give_back(30);  // 55: still under pressure
  budget.give_back(5);   // 50: over
  ASSERT_TRUE(budget.take(10));
  EXPECT_EQ(events.changes, (std::vector<std::string>{"began at 75", "ended at 50"}));
}

TEST(MemoryBudget, TheDefaultIsAQuarterOfTheCgroupLimitOr64Mebibytes) {
  EXPECT_EQ(default_request_memory(256u * 1024 * 1024), 64u * 1024 * 1024);
  EXPECT_EQ(default_request_memory(1024u * 1024 * 1024), 256u * 1024 * 1024);
  EXPECT_EQ(default_request_memory(0), 64u * 1024 * 1024);
}

}  // namespace
}  // namespace irsa::server
