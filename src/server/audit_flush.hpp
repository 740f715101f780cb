// Group commit of the audit lines. An admission's answer leaves only once its audit line has been
// written, as if every line were written on its own, but the lines of all admissions answered in
// the same pass through a context's ready queue share one write(2): the flush is posted behind
// the handlers already queued, and each waiting admission resumes after the flush that covered
// its line.
#pragma once

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <memory>
#include <mutex>
#include <vector>

#include "irsa/server/log.hpp"

namespace irsa::server {

class AuditFlush {
 public:
  AuditFlush(boost::asio::io_context& io, const Logger& log) : io_(io), log_(log) {}

  [[nodiscard]] const boost::asio::execution_context& context() const noexcept { return io_; }

  // Completes once every line logged before the call has been written.
  boost::asio::awaitable<void> written();

 private:
  template <typename Handler>
  void wait(Handler handler);
  void flush();

  boost::asio::io_context& io_;
  const Logger& log_;
  std::mutex mutex_;
  bool scheduled_ = false;
  std::vector<boost::asio::any_completion_handler<void()>> waiting_;
  std::vector<boost::asio::any_completion_handler<void()>> resuming_;  // the flush's, unlocked
};

// One group commit per io_context, so that a flush never crosses threads.
class AuditFlushes {
 public:
  // The first context's flush also serves executors of any other context.
  AuditFlushes(const std::vector<boost::asio::io_context*>& contexts, const Logger& log);

  // The group commit of the context that `executor` (a connection's) runs on.
  [[nodiscard]] AuditFlush& of(const boost::asio::any_io_executor& executor);

 private:
  std::vector<std::unique_ptr<AuditFlush>> flushes_;
};

}  // namespace irsa::server
