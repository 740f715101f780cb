#include "malloc_tunables.hpp"

#include <unistd.h>

#include <cstdlib>
#include <string>
#include <string_view>

namespace irsa::cli {

namespace {

constexpr std::string_view kTcacheCount = "glibc.malloc.tcache_count";
constexpr std::string_view kServerTcacheCount = "glibc.malloc.tcache_count=2";

}  // namespace

void apply_malloc_tunables(char** argv) {
  const char* current = std::getenv("GLIBC_TUNABLES");
  const std::string_view tunables = current != nullptr ? current : "";
  if (tunables.find(kTcacheCount) != std::string_view::npos) return;
  std::string value(tunables);
  if (!value.empty()) value.push_back(':');
  value.append(kServerTcacheCount);
  if (::setenv("GLIBC_TUNABLES", value.c_str(), 1) != 0) return;
  ::execv("/proc/self/exe", argv);
  // Still here: run with glibc's defaults, without claiming otherwise to a child process.
  if (current != nullptr) {
    ::setenv("GLIBC_TUNABLES", current, 1);
  } else {
    ::unsetenv("GLIBC_TUNABLES");
  }
}

}  // namespace irsa::cli
