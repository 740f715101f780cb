// A folder of its own for one test, removed when the test ends, and the files tests put there.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace irsa::testing {

class ScratchDir {
 public:
  // A fresh folder under the test temp dir, named after prefix, the process and the running
  // test, so that parallel ctest runs never share one.
  explicit ScratchDir(const std::string& prefix);
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  [[nodiscard]] std::string path(const std::string& name) const;
  // Writes text to name and returns its path.
  std::string write(const std::string& name, const std::string& text) const;

 private:
  std::filesystem::path dir_;
};

// A self-signed certificate for 127.0.0.1 made by the openssl command line, as an operator
// would: <name>.crt and <name>.key in dir. key_args choose the key ({"-newkey", "rsa:2048"}).
// Returns openssl's error output, empty on success.
[[nodiscard]] std::string make_self_signed_pair(const ScratchDir& dir, const std::string& name,
                                                const std::vector<std::string>& key_args);

}  // namespace irsa::testing
