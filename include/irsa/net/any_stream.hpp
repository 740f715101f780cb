// A Beast stream that is either plain TCP or TLS over TCP, chosen at run time, as one type.
//
// Why: Beast's HTTP operations are templates over the stream and the completion handler. Code
// that serves or speaks both http:// and https:// through std::variant<tcp_stream, ssl_stream>
// compiled every HTTP read and write twice, each time with the SSL layer's composed operations
// nested inside: the API client's 500 lines took 38 s to compile under ASan, into 96 MB of object
// code. Through AnyStream each HTTP operation is compiled once, and the two streams' reads and
// writes once for the whole program (any_stream.cpp), behind asio::any_completion_handler: 14 s
// and 19 MB.
//
// It refers to the stream it wraps, which must outlive it; deadlines stay on that stream's
// lowest layer (beast::tcp_stream::expires_after), as do the TLS handshake and shutdown.
#pragma once

#include <array>
#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/system/error_code.hpp>
#include <cstddef>
#include <variant>

namespace irsa::net {

class AnyStream {
 public:
  using executor_type = boost::asio::any_io_executor;
  using PlainStream = boost::beast::tcp_stream;
  using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;
  using Handler = boost::asio::any_completion_handler<void(boost::system::error_code, std::size_t)>;

  explicit AnyStream(PlainStream& plain) : stream_(&plain) {}
  explicit AnyStream(TlsStream& tls) : stream_(&tls) {}

  executor_type get_executor() noexcept;
  PlainStream& lowest() noexcept;

  // Beast's AsyncReadStream and AsyncWriteStream. A read or a write may move fewer bytes than
  // the buffers hold (Beast loops): reads fill the first buffer, writes take up to kGather of
  // them, which covers an HTTP header and its body in one call.
  template <class MutableBuffers, class Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [this](auto handler, boost::asio::mutable_buffer into) {
          start_read(into, Handler(std::move(handler)));
        },
        token, first_of(buffers));
  }

  template <class ConstBuffers, class Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [this](auto handler, const Gathered& from) {
          start_write(from, Handler(std::move(handler)));
        },
        token, gather(buffers));
  }

 private:
  static constexpr std::size_t kGather = 8;
  using Gathered = std::array<boost::asio::const_buffer, kGather>;

  template <class MutableBuffers>
  static boost::asio::mutable_buffer first_of(const MutableBuffers& buffers) {
    for (auto it = boost::asio::buffer_sequence_begin(buffers);
         it != boost::asio::buffer_sequence_end(buffers); ++it) {
      boost::asio::mutable_buffer buffer(*it);
      if (buffer.size() != 0) return buffer;
    }
    return {};
  }

  // The first kGather buffers (the rest are empty): a buffer sequence of one fixed type.
  template <class ConstBuffers>
  static Gathered gather(const ConstBuffers& buffers) {
    Gathered gathered{};
    std::size_t used = 0;
    for (auto it = boost::asio::buffer_sequence_begin(buffers);
         it != boost::asio::buffer_sequence_end(buffers) && used < kGather; ++it) {
      boost::asio::const_buffer buffer(*it);
      if (buffer.size() != 0) gathered[used++] = buffer;
    }
    return gathered;
  }

  void start_read(boost::asio::mutable_buffer into, Handler handler);
  void start_write(const Gathered& from, Handler handler);

  std::variant<PlainStream*, TlsStream*> stream_;
};

}  // namespace irsa::net
