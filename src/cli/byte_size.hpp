// A size of memory as Kubernetes writes quantities: a whole number of bytes with an optional
// binary (Ki, Mi, Gi) or decimal (k, M, G) suffix, so that a flag can take the same text as the
// pod's resources.
#pragma once

#include <cstdint>
#include <string_view>

namespace irsa::cli {

// Throws std::invalid_argument naming `flag` when `text` is not such a size or does not fit in
// 64 bits.
[[nodiscard]] std::uint64_t parse_byte_size(std::string_view text, std::string_view flag);

}  // namespace irsa::cli
