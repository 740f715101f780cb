#include "irsa/net/any_stream.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <utility>

namespace irsa::net {

namespace {

namespace asio = boost::asio;

// Hands the wrapped stream a handler whose executor is the stream's own. Boost 1.81's
// any_completion_handler reports an any_completion_executor, which Beast's stream cannot post
// to (it asks for blocking.never, which that executor does not offer). Running this step on the
// stream's executor is what the caller expects anyway: Beast's HTTP operation above completes on
// its own handler's executor, whatever this step ran on. Cancellation still reaches the step.
template <class Stream>
auto on_stream_executor(Stream& stream, AnyStream::Handler handler) {
  auto slot = asio::get_associated_cancellation_slot(handler);
  return asio::bind_cancellation_slot(
      slot, asio::bind_executor(stream.get_executor(),
                                [handler = std::move(handler)](boost::system::error_code error,
                                                               std::size_t bytes) mutable {
                                  std::move(handler)(error, bytes);
                                }));
}

}  // namespace

AnyStream::executor_type AnyStream::get_executor() noexcept {
  return lowest().get_executor();
}

AnyStream::PlainStream& AnyStream::lowest() noexcept {
  return std::visit(
      [](auto* stream) -> PlainStream& { return boost::beast::get_lowest_layer(*stream); },
      stream_);
}

void AnyStream::start_read(asio::mutable_buffer into, Handler handler) {
  std::visit(
      [&](auto* stream) {
        stream->async_read_some(into, on_stream_executor(*stream, std::move(handler)));
      },
      stream_);
}

void AnyStream::start_write(const Gathered& from, Handler handler) {
  std::visit(
      [&](auto* stream) {
        stream->async_write_some(from, on_stream_executor(*stream, std::move(handler)));
      },
      stream_);
}

}  // namespace irsa::net
