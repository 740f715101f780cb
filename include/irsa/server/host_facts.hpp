// What the host lets this process use, read once at start-up: the CPUs it may run on (to size
// the worker threads) and the open-file limit (to size the connection limit).
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace irsa::server {

// The CPUs this process may use: its affinity mask, lowered to its cgroup's CPU quota rounded up
// (a pod with a CPU limit of 1 on a 16-core node gets 1, not 16 threads that the quota would
// throttle in turns). At least 1.
[[nodiscard]] unsigned usable_cpus() noexcept;

// The CPUs a cgroup v2 `cpu.max` line ("<quota> <period>" in microseconds, or "max <period>")
// allows, rounded up; nothing when unlimited or unreadable.
[[nodiscard]] std::optional<unsigned> cpus_allowed_by_quota(std::string_view cpu_max) noexcept;

// Raises the soft limit on open descriptors to the hard one (idle keep-alive connections from
// many API server replicas add up) and returns the soft limit now in force.
[[nodiscard]] std::size_t raise_descriptor_limit() noexcept;

}  // namespace irsa::server
