// Watch streams arrive in arbitrary chunks; lines come out whole.
#include "irsa/kube/line_splitter.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace irsa::kube {
namespace {

std::vector<std::string> drain(LineSplitter& splitter) {
  std::vector<std::string> lines;
  while (auto line = splitter.next_line()) lines.push_back(*line);
  return lines;
}

TEST(LineSplitter, LinesSplitAcrossChunksComeOutWhole) {
  LineSplitter splitter;
  ASSERT_TRUE(splitter.append(R"({"type":"ADD)"));
  EXPECT_TRUE(drain(splitter).empty());
  EXPECT_EQ(splitter.pending(), 12u);
  ASSERT_TRUE(splitter.append("ED\"}\n{\"type\":\"BOOKMARK\"}\r\n\n{\"ty"));
  EXPECT_EQ(drain(splitter),
            (std::vector<std::string>{R"({"type":"ADDED"})", R"({"type":"BOOKMARK"})"}));
  EXPECT_EQ(splitter.pending(), 4u) << "the unfinished line stays";
  ASSERT_TRUE(splitter.append("pe\":\"DELETED\"}\n"));
  EXPECT_EQ(drain(splitter), (std::vector<std::string>{R"({"type":"DELETED"})"}));
  EXPECT_EQ(splitter.pending(), 0u);
}

TEST(LineSplitter, EveryByteOnItsOwn) {
  LineSplitter splitter;
  const std::string stream = "a\nbb\n\nccc\n";
  std::vector<std::string> lines;
  for (const char c : stream) {
    ASSERT_TRUE(splitter.append(std::string_view(&c, 1)));
    for (auto& line : drain(splitter)) lines.push_back(line);
  }
  EXPECT_EQ(lines, (std::vector<std::string>{"a", "bb", "ccc"}));
}

TEST(LineSplitter, ARunawayLineIsRefused) {
  LineSplitter splitter(8);
  EXPECT_TRUE(splitter.append("12345678"));
  EXPECT_FALSE(splitter.append("9"));
  EXPECT_EQ(splitter.pending(), 0u) << "nothing kept after a refusal";
  // Complete lines longer than what is unfinished do not count against the limit.
  LineSplitter roomy(8);
  EXPECT_TRUE(roomy.append("short\nabc"));
  EXPECT_EQ(drain(roomy), (std::vector<std::string>{"short"}));
}

}  // namespace
}  // namespace irsa::kube
