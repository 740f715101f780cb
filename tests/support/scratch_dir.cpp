#include "support/scratch_dir.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "support/run_process.hpp"

namespace irsa::testing {

ScratchDir::ScratchDir(const std::string& prefix) {
  const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = prefix + "-" + std::to_string(::getpid());
  if (test != nullptr) name += std::string("-") + test->test_suite_name() + "-" + test->name();
  for (auto& c : name) {
    if (c == '/') c = '_';  // parameterised test names carry slashes
  }
  dir_ = std::filesystem::path(::testing::TempDir()) / name;
  std::filesystem::create_directories(dir_);
}

ScratchDir::~ScratchDir() {
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

std::string ScratchDir::path(const std::string& name) const {
  return (dir_ / name).string();
}

std::string ScratchDir::write(const std::string& name, const std::string& text) const {
  const std::string file = path(name);
  std::ofstream(file, std::ios::binary) << text;
  return file;
}

std::string make_self_signed_pair(const ScratchDir& dir, const std::string& name,
                                  const std::vector<std::string>& key_args) {
  std::vector<std::string> args = {"req",
                                   "-x509",
                                   "-nodes",
                                   "-days",
                                   "1",
                                   "-subj",
                                   "/CN=127.0.0.1",
                                   "-keyout",
                                   dir.path(name + ".key"),
                                   "-out",
                                   dir.path(name + ".crt")};
  args.insert(args.end(), key_args.begin(), key_args.end());
  auto result = run_process("/usr/bin/openssl", args);
  return result.exit_code == 0 ? std::string() : "openssl failed: " + result.err;
}

}  // namespace irsa::testing
