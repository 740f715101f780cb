#include "irsa/server/log.hpp"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <mutex>

#include "irsa/core/json_text.hpp"

namespace irsa::server {

namespace {

// Text values are quoted (JSON-style) when they are empty or hold characters that would make
// the line ambiguous, so a line always splits back into the same fields. A table, since every
// byte of every value of every line goes through this test.
constexpr std::array<bool, 256> kAmbiguous = [] {
  std::array<bool, 256> table{};
  for (int c = 0; c < 0x20; ++c) table[c] = true;
  for (const unsigned char c : {' ', '"', '=', '\\'}) table[c] = true;
  return table;
}();

bool needs_quotes(std::string_view value) {
  if (value.empty()) return true;
  for (const char c : value) {
    if (kAmbiguous[static_cast<unsigned char>(c)]) return true;
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
  // Formats straight into the buffer, whose capacity stays from flush to flush: a line longer
  // than a stack buffer then costs no allocation.
  void sink_it_(const spdlog::details::log_msg& message) override {
    formatter_->format(message, buffer_);
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
  spdlog::memory_buf_t buffer_;
};

std::shared_ptr<spdlog::logger> make_logger(LogFormat format,
                                            const std::vector<spdlog::sink_ptr>& sinks,
                                            spdlog::level::level_enum flush_level) {
  auto logger = std::make_shared<spdlog::logger>("irsa-webhook", sinks.begin(), sinks.end());
  const char* pattern = format == LogFormat::json
                            ? R"({"ts":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l",%v})"
                            : "%Y-%m-%dT%H:%M:%S.%eZ %l %v";
  logger->set_pattern(pattern, spdlog::pattern_time_type::utc);
  logger->set_level(spdlog::level::debug);
  logger->flush_on(flush_level);
  return logger;
}

// klog's severities as the sink levels that pass them: detail lines are written at debug level,
// and klog counts them as INFO.
spdlog::level::level_enum level_of_severity(int severity) {
  switch (severity) {
    case 0:
      return spdlog::level::debug;
    case 1:
      return spdlog::level::warn;
    case 2:
      return spdlog::level::err;
    default:
      return spdlog::level::off;
  }
}

std::vector<spdlog::sink_ptr> sinks_for(const LogOutput& output) {
  if (output.file.empty()) return {std::make_shared<StderrSink>()};
  spdlog::sink_ptr file;
  if (output.file_max_bytes == 0) {
    file = std::make_shared<spdlog::sinks::basic_file_sink_mt>(output.file, /*truncate=*/false);
  } else {
    file = std::make_shared<spdlog::sinks::rotating_file_sink_mt>(
        output.file, static_cast<std::size_t>(output.file_max_bytes), /*max_files=*/1);
  }
  auto to_stderr = std::make_shared<StderrSink>();
  to_stderr->set_level(level_of_severity(output.stderr_threshold));
  return {file, to_stderr};
}

}  // namespace

Logger::Logger(LogFormat format, int verbosity) : Logger(format, verbosity, LogOutput{}) {}

Logger::Logger(LogFormat format, int verbosity, const LogOutput& output)
    : Logger(format, verbosity, sinks_for(output)) {}

Logger::Logger(LogFormat format, int verbosity, const std::string& path)
    : Logger(format, verbosity,
             std::vector<spdlog::sink_ptr>{
                 std::make_shared<spdlog::sinks::basic_file_sink_mt>(path, true)}) {}

Logger::Logger(LogFormat format, int verbosity, const std::vector<spdlog::sink_ptr>& sinks)
    : format_(format),
      verbosity_(verbosity),
      logger_(make_logger(format, sinks, spdlog::level::debug)),
      deferred_(make_logger(format, sinks, spdlog::level::off)) {}

std::string Logger::format(std::string_view message, std::span<const LogField> fields) const {
  std::string out;
  out.reserve(64 + fields.size() * 24);
  append_payload(out, message, fields);
  return out;
}

void Logger::append_payload(std::string& out, std::string_view message,
                            std::span<const LogField> fields) const {
  if (format_ == LogFormat::json) {
    out.append("\"msg\":");
    core::append_json_string(out, message);
    for (const auto& field : fields) {
      out.push_back(',');
      core::append_json_string(out, field.key);
      out.push_back(':');
      core::append_json_string(out, field.value);
    }
    return;
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
}

namespace {

spdlog::level::level_enum spdlog_level(LogLevel level) {
  switch (level) {
    case LogLevel::info:
      return spdlog::level::info;
    case LogLevel::warn:
      return spdlog::level::warn;
    case LogLevel::error:
      return spdlog::level::err;
  }
  return spdlog::level::err;
}

}  // namespace

// The payload is formatted into a buffer of the calling thread that keeps its capacity, and
// handed to spdlog as it is (no "{}" formatting pass, which would copy it once more).
void Logger::emit(spdlog::logger& logger, spdlog::level::level_enum level, std::string_view message,
                  std::span<const LogField> fields) const {
  thread_local std::string payload;
  payload.clear();
  append_payload(payload, message, fields);
  logger.log(level, spdlog::string_view_t(payload.data(), payload.size()));
}

void Logger::info(std::string_view message, std::initializer_list<LogField> fields) const {
  emit(*logger_, spdlog::level::info, message, fields);
}

void Logger::warn(std::string_view message, std::initializer_list<LogField> fields) const {
  emit(*logger_, spdlog::level::warn, message, fields);
}

void Logger::error(std::string_view message, std::initializer_list<LogField> fields) const {
  emit(*logger_, spdlog::level::err, message, fields);
}

void Logger::detail(int level, std::string_view message,
                    std::initializer_list<LogField> fields) const {
  if (!enabled(level)) return;
  emit(*logger_, spdlog::level::debug, message, fields);
}

void Logger::write(LogLevel level, std::string_view message,
                   std::span<const LogField> fields) const {
  emit(*logger_, spdlog_level(level), message, fields);
}

void Logger::deferred(LogLevel level, std::string_view message,
                      std::initializer_list<LogField> fields) const {
  emit(*deferred_, spdlog_level(level), message, fields);
}

void Logger::flush() const {
  logger_->flush();
}

}  // namespace irsa::server
