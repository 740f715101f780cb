#include "irsa/server/log.hpp"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

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

std::shared_ptr<spdlog::logger> make_logger(LogFormat format, spdlog::sink_ptr sink) {
  auto logger = std::make_shared<spdlog::logger>("irsa-webhook", std::move(sink));
  const char* pattern = format == LogFormat::json
                            ? R"({"ts":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l",%v})"
                            : "%Y-%m-%dT%H:%M:%S.%eZ %l %v";
  logger->set_pattern(pattern, spdlog::pattern_time_type::utc);
  logger->set_level(spdlog::level::debug);
  logger->flush_on(spdlog::level::debug);
  return logger;
}

}  // namespace

Logger::Logger(LogFormat format, int verbosity)
    : format_(format),
      verbosity_(verbosity),
      logger_(make_logger(format, std::make_shared<spdlog::sinks::stderr_sink_mt>())) {}

Logger::Logger(LogFormat format, int verbosity, const std::string& path)
    : format_(format),
      verbosity_(verbosity),
      logger_(
          make_logger(format, std::make_shared<spdlog::sinks::basic_file_sink_mt>(path, true))) {}

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

void Logger::flush() const {
  logger_->flush();
}

}  // namespace irsa::server
