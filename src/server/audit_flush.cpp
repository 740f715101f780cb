#include "audit_flush.hpp"

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/bind_allocator.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/recycling_allocator.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace irsa::server {

namespace asio = boost::asio;

asio::awaitable<void> AuditFlush::written() {
  co_await asio::async_initiate<decltype(asio::use_awaitable), void()>(
      [this](auto handler) { wait(std::move(handler)); }, asio::use_awaitable);
}

template <typename Handler>
void AuditFlush::wait(Handler handler) {
  // Resumed on its own executor (the connection's context), whichever thread flushes.
  const auto executor = asio::get_associated_executor(handler, io_.get_executor());
  const std::scoped_lock lock(mutex_);
  // The type-erased handler is allocated per admission; the thread's recycling cache serves it
  // (as it does coroutine frames) instead of the heap.
  waiting_.emplace_back(asio::bind_allocator(asio::recycling_allocator<void>(),
                                             [executor, handler = std::move(handler)]() mutable {
                                               asio::post(executor, std::move(handler));
                                             }));
  if (scheduled_) return;
  scheduled_ = true;
  asio::post(io_, [this] { flush(); });
}

void AuditFlush::flush() {
  // Only this context's thread flushes, so resuming_ needs no lock. Swapping the two lists, not
  // moving one out, keeps both their capacities: no allocation per flush.
  {
    const std::scoped_lock lock(mutex_);
    resuming_.swap(waiting_);
    scheduled_ = false;
  }
  log_.flush();
  for (auto& resume : resuming_) std::move(resume)();
  resuming_.clear();
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
