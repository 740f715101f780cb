// A WATCH response is one JSON object per line, but the bytes arrive in chunks that do not
// respect lines. LineSplitter collects them and hands out whole lines, refusing a line that
// grows past a limit (a ServiceAccount event is a few KiB; a runaway line is an error, not a
// reason to buffer without end).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace irsa::kube {

class LineSplitter {
 public:
  explicit LineSplitter(std::size_t max_line = 16 * 1024 * 1024) : max_line_(max_line) {}

  // Adds bytes; returns false (and keeps nothing) when the unfinished line is over the limit.
  [[nodiscard]] bool append(std::string_view bytes);
  // The next complete line without its "\n" (and without a "\r" before it); empty lines are
  // skipped. None when no complete line is buffered.
  [[nodiscard]] std::optional<std::string> next_line();
  // Bytes of an unfinished line still buffered (a stream that ends with some is truncated).
  [[nodiscard]] std::size_t pending() const noexcept { return buffer_.size() - start_; }

 private:
  std::size_t max_line_;
  std::string buffer_;
  std::size_t start_ = 0;  // where the next line begins in buffer_
};

}  // namespace irsa::kube
