// Structured log lines through spdlog, on standard error or in a file as klog's output flags say:
// a message and key=value fields, written as text ("2026-01-02T03:04:05.678Z info msg key=value")
// or as one JSON object per line ({"ts":..,"level":..,"msg":..,"key":"value"}). Verbosity follows
// klog: detail lines carry a level and are written only when -v is at least that level.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace spdlog {
class logger;
namespace level {
enum level_enum : int;
}
namespace sinks {
class sink;
}
}  // namespace spdlog

namespace irsa::server {

enum class LogFormat { text, json };
enum class LogLevel { info, warn, error };

struct LogField {
  std::string_view key;
  std::string_view value;
};

// Where lines go when not (only) to standard error: klog's --logtostderr=false --log_file.
struct LogOutput {
  // Lines are appended to this file; empty: every line goes to standard error instead.
  std::string file;
  // When a line would take the file past this size, the file is renamed to <stem>.1<extension>
  // (replacing an older one) and a new one begun; 0: no limit.
  std::uint64_t file_max_bytes = 0;
  // With a file, lines of at least this klog severity are written to standard error as well:
  // 0 everything (detail lines included), 1 warnings and errors, 2 errors, 3 none.
  int stderr_threshold = 2;
};

class Logger {
 public:
  // Writes to standard error.
  Logger(LogFormat format, int verbosity);
  // Writes where `output` says. Throws (std::exception) when the file cannot be opened.
  Logger(LogFormat format, int verbosity, const LogOutput& output);
  // Writes to `path` (truncated first); for tests.
  Logger(LogFormat format, int verbosity, const std::string& path);

  void info(std::string_view message, std::initializer_list<LogField> fields = {}) const;
  void warn(std::string_view message, std::initializer_list<LogField> fields = {}) const;
  void error(std::string_view message, std::initializer_list<LogField> fields = {}) const;
  // A detail line, written only when the verbosity is at least `level` (klog's V(level)).
  void detail(int level, std::string_view message,
              std::initializer_list<LogField> fields = {}) const;
  [[nodiscard]] bool enabled(int level) const noexcept { return level <= verbosity_; }
  // For fields gathered at run time (a braced list is the usual way).
  void write(LogLevel level, std::string_view message, std::span<const LogField> fields) const;
  // A line that waits in the buffer for the next flush() (or for any other line, which flushes
  // as it is written): a busy server then writes the lines of many admissions with one write(2).
  void deferred(LogLevel level, std::string_view message,
                std::initializer_list<LogField> fields) const;
  void flush() const;

  // The payload of a line in the chosen format (without timestamp and level); public for tests.
  [[nodiscard]] std::string format(std::string_view message,
                                   std::span<const LogField> fields) const;

 private:
  Logger(LogFormat format, int verbosity,
         const std::vector<std::shared_ptr<spdlog::sinks::sink>>& sinks);
  void append_payload(std::string& out, std::string_view message,
                      std::span<const LogField> fields) const;
  void emit(spdlog::logger& logger, spdlog::level::level_enum level, std::string_view message,
            std::span<const LogField> fields) const;

  LogFormat format_;
  int verbosity_;
  std::shared_ptr<spdlog::logger> logger_;    // flushes every line
  std::shared_ptr<spdlog::logger> deferred_;  // the same sink, flushed by flush()
};

}  // namespace irsa::server
