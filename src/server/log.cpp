#include "irsa/server/log.hpp"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <mutex>

#include "irsa/core/json_text.hpp"

namespace irsa::server {

namespace {

// Text values are quoted (JSON-style) when they are empty or hold characters that would make
// the line ambiguous, so a line always splits back into the same fields.
bool needs_quotes(std::string_view value) {
  if (value.empty()) return true;
  for (const char c : value) {
    if (c == ' ' || c == '"' || c == '=' || c == '\\' || static_cast<unsigned char>(c) < 0x20) {
      return true;
    }
  }
  return false;
}

// Standard error through a buffer that leaves with flush(). spdlog's own stderr sink flushes
// after every line, whatever the logger's flush policy, which would make deferred lines
// impossible.
class StderrSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  StderrSink() = default;
  StderrSink(const StderrSink&) = delete;
  StderrSink& operator=(const StderrSink&) = delete;
  ~StderrSink() override { flush_(); }

 protected:
  void sink_it_(const spdlog::details::log_msg& message) override {
    spdlog::memory_buf_t formatted;
    formatter_->format(message, formatted);
    buffer_.append(formatted.data(), formatted.size());
    if (buffer_.size() >= kMostBuffered) flush_();
  }

  void flush_() override {
    std::size_t written = 0;
    while (written < buffer_.size()) {
      const ssize_t result =
          ::write(STDERR_FILENO, buffer_.data() + written, buffer_.size() - written);
      if (result > 0) {
        written += static_cast<std::size_t>(result);
      } else if (result < 0 && errno != EINTR) {
        break;  // nowhere to report it; the lines are dropped as a failed fwrite would drop them
      }
    }
    buffer_.clear();
  }

 private:
  static constexpr std::size_t kMostBuffered = 64 * 1024;
  std::string buffer_;
};

std::shared_ptr<spdlog::logger> make_logger(LogFormat format, spdlog::sink_ptr sink,
                                            spdlog::level::level_enum flush_level) {
  auto logger = std::make_shared<spdlog::logger>("irsa-webhook", std::move(sink));
  const char* pattern = format == LogFormat::json
                            ? R"({"ts":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l",%v})"
                            : "%Y-%m-%dT%H:%M:%S.%eZ %l %v";
  logger->set_pattern(pattern, spdlog::pattern_time_type::utc);
  logger->set_level(spdlog::level::debug);
  logger->flush_on(flush_level);
  return logger;
}

}  // namespace

Logger::Logger(LogFormat format, int verbosity)
    : Logger(format, verbosity, std::make_shared<StderrSink>()) {}

Logger::Logger(LogFormat format, int verbosity, const std::string& path)
    : Logger(format, verbosity, std::make_shared<spdlog::sinks::basic_file_sink_mt>(path, true)) {}

Logger::Logger(LogFormat format, int verbosity, std::shared_ptr<spdlog::sinks::sink> sink)
    : format_(format),
      verbosity_(verbosity),
      logger_(make_logger(format, sink, spdlog::level::debug)),
      deferred_(make_logger(format, sink, spdlog::level::off)) {}

std::string Logger::format(std::string_view message, std::span<const LogField> fields) const {
  std::string out;
  out.reserve(64 + fields.size() * 24);
  if (format_ == LogFormat::json) {
    out.append("\"msg\":");
    core::append_json_string(out, message);
    for (const auto& field : fields) {
      out.push_back(',');
      core::append_json_string(out, field.key);
      out.push_back(':');
      core::append_json_string(out, field.value);
    }
    return out;
  }
  out.append(message);
  for (const auto& field : fields) {
    out.push_back(' ');
    out.append(field.key).push_back('=');
    if (needs_quotes(field.value)) {
      core::append_json_string(out, field.value);
    } else {
      out.append(field.value);
    }
  }
  return out;
}

void Logger::info(std::string_view message, std::initializer_list<LogField> fields) const {
  logger_->info("{}", format(message, fields));
}

void Logger::warn(std::string_view message, std::initializer_list<LogField> fields) const {
  logger_->warn("{}", format(message, fields));
}

void Logger::error(std::string_view message, std::initializer_list<LogField> fields) const {
  logger_->error("{}", format(message, fields));
}

void Logger::detail(int level, std::string_view message,
                    std::initializer_list<LogField> fields) const {
  if (!enabled(level)) return;
  logger_->debug("{}", format(message, fields));
}

void Logger::write(LogLevel level, std::string_view message,
                   std::span<const LogField> fields) const {
  switch (level) {
    case LogLevel::info:
      logger_->info("{}", format(message, fields));
      break;
    case LogLevel::warn:
      logger_->warn("{}", format(message, fields));
      break;
    case LogLevel::error:
      logger_->error("{}", format(message, fields));
      break;
  }
}

void Logger::deferred(LogLevel level, std::string_view message,
                      std::initializer_list<LogField> fields) const {
  switch (level) {
    case LogLevel::info:
      deferred_->info("{}", format(message, fields));
      break;
    case LogLevel::warn:
      deferred_->warn("{}", format(message, fields));
      break;
    case LogLevel::error:
      deferred_->error("{}", format(message, fields));
      break;
  }
}

void Logger::flush() const {
  logger_->flush();
}

}  // namespace irsa::server
