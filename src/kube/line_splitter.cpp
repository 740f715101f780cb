#include "irsa/kube/line_splitter.hpp"

namespace irsa::kube {

bool LineSplitter::append(std::string_view bytes) {
  // Drop what has been handed out before growing, so the buffer holds one line's worth.
  if (start_ > 0) {
    buffer_.erase(0, start_);
    start_ = 0;
  }
  buffer_.append(bytes);
  const auto last_newline = buffer_.rfind('\n');
  const std::size_t unfinished =
      last_newline == std::string::npos ? buffer_.size() : buffer_.size() - last_newline - 1;
  if (unfinished > max_line_) {
    buffer_.clear();
    return false;
  }
  return true;
}

std::optional<std::string> LineSplitter::next_line() {
  for (;;) {
    const auto newline = buffer_.find('\n', start_);
    if (newline == std::string::npos) return std::nullopt;
    std::size_t end = newline;
    if (end > start_ && buffer_[end - 1] == '\r') --end;
    std::string line = buffer_.substr(start_, end - start_);
    start_ = newline + 1;
    if (!line.empty()) return line;
  }
}

}  // namespace irsa::kube
