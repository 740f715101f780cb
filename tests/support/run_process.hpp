// Runs the real irsa-webhook binary from tests, capturing what it prints.
#pragma once

#include <string>
#include <vector>

namespace irsa::testing {

struct ProcessResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs program with args (no shell), feeding stdin_text; waits for it to exit.
[[nodiscard]] ProcessResult run_process(const std::string& program,
                                        const std::vector<std::string>& args,
                                        const std::string& stdin_text = {});

}  // namespace irsa::testing
