#include "irsa/server/host_facts.hpp"

#include <sched.h>
#include <sys/resource.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <fstream>
#include <string>
#include <thread>

namespace irsa::server {

std::optional<unsigned> cpus_allowed_by_quota(std::string_view cpu_max) noexcept {
  const auto space = cpu_max.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  const std::string_view quota_text = cpu_max.substr(0, space);
  std::string_view period_text = cpu_max.substr(space + 1);
  while (!period_text.empty() && (period_text.back() == '\n' || period_text.back() == ' ')) {
    period_text.remove_suffix(1);
  }
  std::uint64_t quota = 0;
  std::uint64_t period = 0;
  const auto parse = [](std::string_view text, std::uint64_t& value) {
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    return error == std::errc{} && end == text.data() + text.size();
  };
  if (!parse(quota_text, quota) || !parse(period_text, period) || quota == 0 || period == 0) {
    return std::nullopt;  // "max" (no limit) lands here too
  }
  return static_cast<unsigned>(std::max<std::uint64_t>(1, (quota + period - 1) / period));
}

unsigned usable_cpus() noexcept {
  unsigned cpus = std::max(1U, std::thread::hardware_concurrency());
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0) {
    cpus = static_cast<unsigned>(CPU_COUNT(&set));
  }
  // cgroup v2, as on every current Kubernetes node; v1 nodes keep the affinity count.
  std::ifstream cpu_max("/sys/fs/cgroup/cpu.max");
  std::string line;
  if (cpu_max && std::getline(cpu_max, line)) {
    if (const auto quota = cpus_allowed_by_quota(line)) cpus = std::min(cpus, *quota);
  }
  return cpus;
}

std::size_t memory_limit_from(std::string_view text) noexcept {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
  std::uint64_t bytes = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), bytes);
  if (error != std::errc{} || end != text.data() + text.size()) return 0;
  // cgroup v1 writes "no limit" as the largest page-aligned signed 64-bit value.
  constexpr std::uint64_t kUnlimitedFrom = std::uint64_t{1} << 62;
  if (bytes >= kUnlimitedFrom) return 0;
  return static_cast<std::size_t>(bytes);
}

std::size_t cgroup_memory_limit() noexcept {
  for (const char* path :
       {"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"}) {
    std::ifstream file(path);
    std::string line;
    if (file && std::getline(file, line)) return memory_limit_from(line);
  }
  return 0;
}

std::size_t raise_descriptor_limit() noexcept {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return 1024;
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  return static_cast<std::size_t>(limit.rlim_cur);
}

}  // namespace irsa::server
