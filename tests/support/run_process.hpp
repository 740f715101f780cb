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

// execv's argument vector for `program args...`, pointing into the strings given. Build it before
// fork: when the test process has threads (a fake server's), another thread may hold the
// allocator's lock at fork, and a child that allocates then waits for it forever (under ASan it
// spins). Until exec the child makes async-signal-safe calls only.
[[nodiscard]] std::vector<char*> exec_argv(const std::string& program,
                                           const std::vector<std::string>& args);

}  // namespace irsa::testing
