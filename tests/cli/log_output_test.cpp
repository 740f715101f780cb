// klog's output flags as a log destination: what is honoured, what is refused and what is only
// noted, case by case.
#include "cli/log_output.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace irsa::cli {
namespace {

KlogFlags klog(bool logtostderr, std::string log_file = {}, std::string log_dir = {}) {
  KlogFlags flags;
  flags.logtostderr = logtostderr;
  flags.log_file = std::move(log_file);
  flags.log_dir = std::move(log_dir);
  return flags;
}

TEST(LogOutput, KlogsDefaultWritesEverythingToStandardError) {
  const auto output = to_log_output(KlogFlags{});
  EXPECT_TRUE(output.file.empty());
  // klog ignores the file flags while --logtostderr holds; so does the server, and says so.
  const auto ignored = to_log_output(klog(true, "/var/log/w.log", "/var/log"));
  EXPECT_TRUE(ignored.file.empty());
  EXPECT_EQ(unused_log_output_flags(klog(true, "/var/log/w.log", "/var/log")),
            "--log_file, --log_dir");
  EXPECT_EQ(unused_log_output_flags(KlogFlags{}), "");
}

TEST(LogOutput, LogFileIsHonouredWithItsSizeAndStderrThreshold) {
  auto flags = klog(false, "/var/log/w.log");
  flags.log_file_max_size = 5;
  auto output = to_log_output(flags);
  EXPECT_EQ(output.file, "/var/log/w.log");
  EXPECT_EQ(output.file_max_bytes, 5u * 1024 * 1024);
  EXPECT_EQ(output.stderr_threshold, 2) << "klog's default: errors also reach stderr";
  flags.stderrthreshold = 1;
  EXPECT_EQ(to_log_output(flags).stderr_threshold, 1);
  flags.alsologtostderr = true;
  EXPECT_EQ(to_log_output(flags).stderr_threshold, 0);
  flags.log_file_max_size = 0;
  EXPECT_EQ(to_log_output(flags).file_max_bytes, 0u) << "0 is klog's no limit";
  // The file wins over the folder, as in klog.
  EXPECT_EQ(unused_log_output_flags(klog(false, "/var/log/w.log", "/var/log")), "--log_dir");
  EXPECT_EQ(unused_log_output_flags(klog(false, "/var/log/w.log")), "");
}

TEST(LogOutput, KlogsPerSeverityFilesAreRefusedByName) {
  for (const auto& flags : {klog(false), klog(false, "", "/var/log")}) {
    try {
      (void)to_log_output(flags);
      ADD_FAILURE() << "accepted --logtostderr=false without --log_file";
    } catch (const std::invalid_argument& error) {
      const std::string what = error.what();
      EXPECT_NE(what.find("--logtostderr=false needs --log_file"), std::string::npos) << what;
      EXPECT_EQ(what.find("--log_dir") != std::string::npos, !flags.log_dir.empty()) << what;
    }
  }
}

}  // namespace
}  // namespace irsa::cli
