// The HTTP/1 reader that the server's sessions and irsa-loadgen share: Beast's parser fed from a
// Wire. It does what Beast's http::async_read and async_read_header do (the same errors, the same
// use of the buffer) without their layers of composed operations. Include it from .cpp files
// only: it brings in Beast's parser.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/read_size.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/system/error_code.hpp>
#include <cstddef>

#include "irsa/net/wire.hpp"

namespace irsa::net {

struct HttpReadRules {
  std::size_t chunk = 65536;  // the most one read asks the Wire for
  // A TLS peer that closes without close_notify ends the message as a clean close would: a
  // client accepts an answer that the connection's end delimits either way.
  bool truncation_ends_message = false;
};

// Lets the buffer grow as far as the message needs.
struct AnyGrowth {
  bool operator()(std::size_t /*capacity*/) const noexcept { return true; }
};

// Feeds `parser` from `buffer`, reading more from `wire`, until `done(parser)`. At the end of
// the stream: http::error::end_of_stream when nothing of a message came, else what the parser
// makes of the end (a message delimited by it is complete; any other is partial_message).
// Each time the buffer has grown, `grow(capacity)` is asked whether that may be kept; when it
// says no, the read ends with http::error::buffer_overflow.
template <typename Buffer, typename Parser, typename Done, typename Grow = AnyGrowth>
boost::asio::awaitable<boost::system::error_code> read_http(Wire& wire, Buffer& buffer,
                                                            Parser& parser, Done done,
                                                            HttpReadRules rules = {},
                                                            Grow grow = {}) {
  namespace http = boost::beast::http;
  for (;;) {
    if (done(parser)) co_return boost::system::error_code{};
    if (buffer.size() > 0) {
      boost::system::error_code error;
      buffer.consume(parser.put(buffer.data(), error));
      if (error != http::error::need_more) {
        if (error) co_return error;
        continue;
      }
    }
    const std::size_t size = boost::beast::read_size(buffer, rules.chunk);
    if (size == 0) co_return http::error::buffer_overflow;
    const std::size_t capacity = buffer.capacity();
    const auto into = buffer.prepare(size);
    if (buffer.capacity() != capacity && !grow(buffer.capacity())) {
      co_return http::error::buffer_overflow;
    }
    auto [error, bytes] = co_await wire.read_some(into);
    buffer.commit(bytes);
    const bool ended =
        error == boost::asio::error::eof ||
        (rules.truncation_ends_message && error == boost::asio::ssl::error::stream_truncated);
    if (ended) {
      if (!parser.got_some()) co_return http::error::end_of_stream;
      error = {};
      parser.put_eof(error);
      co_return error;
    }
    if (error) co_return error;
  }
}

}  // namespace irsa::net
