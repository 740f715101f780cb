// The log's file destination: lines are appended, and a file at its size limit moves aside to
// <stem>.1<extension> instead of growing without end or being cut.
#include "irsa/server/log.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "support/scratch_dir.hpp"

namespace irsa::server {
namespace {

std::string contents(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(LogFile, LinesAreAppendedToWhatTheFileHeld) {
  testing::ScratchDir dir("irsa-log");
  dir.write("server.log", "from an earlier run\n");
  {
    const Logger log(LogFormat::text, 0, LogOutput{.file = dir.path("server.log")});
    log.info("started", {{"port", "8443"}});
  }
  const std::string text = contents(dir.path("server.log"));
  EXPECT_EQ(text.rfind("from an earlier run\n", 0), 0u) << text;
  EXPECT_NE(text.find(" info started port=8443\n"), std::string::npos) << text;
}

TEST(LogFile, AFullFileMovesAsideAndTheNewestLinesStay) {
  testing::ScratchDir dir("irsa-log");
  constexpr std::uint64_t kLimit = 4096;
  {
    const Logger log(LogFormat::text, 0,
                     LogOutput{.file = dir.path("server.log"), .file_max_bytes = kLimit});
    for (int i = 0; i < 200; ++i) log.info("line", {{"number", std::to_string(i)}});
  }
  const std::string current = contents(dir.path("server.log"));
  const std::string previous = contents(dir.path("server.1.log"));
  EXPECT_LE(current.size(), kLimit);
  EXPECT_LE(previous.size(), kLimit);
  EXPECT_GT(previous.size(), kLimit / 2) << "the moved file was full";
  EXPECT_NE(current.find("number=199\n"), std::string::npos) << current;
  EXPECT_FALSE(std::filesystem::exists(dir.path("server.2.log"))) << "one older file is kept";
}

}  // namespace
}  // namespace irsa::server
