// What the host lets this process use, read once at start-up: the CPUs it may run on (to size
// the worker threads), the open-file limit (to size the connection limit) and the cgroup's
// memory limit (to size the request memory budget).
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

// The memory limit of this process's cgroup in bytes (v2 `memory.max`, else v1
// `memory.limit_in_bytes`); 0 when there is none or it cannot be read.
[[nodiscard]] std::size_t cgroup_memory_limit() noexcept;

// A limit as those files write it: a byte count, or "max" (v2) or a value near 2^63 (v1's
// "unlimited") for none, which give 0, as does anything unreadable.
[[nodiscard]] std::size_t memory_limit_from(std::string_view text) noexcept;

// Raises the soft limit on open descriptors to the hard one (idle keep-alive connections from
// many API server replicas add up) and returns the soft limit now in force.
[[nodiscard]] std::size_t raise_descriptor_limit() noexcept;

}  // namespace irsa::server
