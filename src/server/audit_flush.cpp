#include "audit_flush.hpp"

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace irsa::server {

namespace asio = boost::asio;

asio::awaitable<void> AuditFlush::written() {
  co_await asio::async_initiate<decltype(asio::use_awaitable), void()>(
      [this](auto handler) { wait(std::move(handler)); }, asio::use_awaitable);
}

template <typename Handler>
void AuditFlush::wait(Handler handler) {
  // Resumed on its own executor (the connection's strand), whichever thread flushes.
  const auto executor = asio::get_associated_executor(handler, io_.get_executor());
  const std::scoped_lock lock(mutex_);
  waiting_.emplace_back([executor, handler = std::move(handler)]() mutable {
    asio::post(executor, std::move(handler));
  });
  if (scheduled_) return;
  scheduled_ = true;
  asio::post(io_, [this] { flush(); });
}

void AuditFlush::flush() {
  std::vector<asio::any_completion_handler<void()>> resumed;
  {
    const std::scoped_lock lock(mutex_);
    resumed.swap(waiting_);
    scheduled_ = false;
  }
  log_.flush();
  for (auto& resume : resumed) std::move(resume)();
}

AuditFlushes::AuditFlushes(const std::vector<asio::io_context*>& contexts, const Logger& log) {
  for (asio::io_context* context : contexts) {
    flushes_.push_back(std::make_unique<AuditFlush>(*context, log));
  }
}

AuditFlush& AuditFlushes::of(const asio::any_io_executor& executor) {
  const auto& context = asio::query(executor, asio::execution::context);
  for (const auto& flush : flushes_) {
    if (&flush->context() == &context) return *flush;
  }
  return *flushes_.front();
}

}  // namespace irsa::server
