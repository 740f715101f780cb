// AnyStream: Beast's plain and TLS streams behind one type. Real sockets on loopback, real TLS.
#include "irsa/net/any_stream.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <string>
#include <utility>
#include <vector>

#include "irsa/net/no_throw.hpp"
#include "support/scratch_dir.hpp"

namespace irsa::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

// Two connected TCP streams on loopback, on one io_context.
struct Loopback {
  Loopback() : client(io), server(io) {
    tcp::acceptor acceptor(io, {asio::ip::address_v4::loopback(), 0});
    client.socket().connect(acceptor.local_endpoint());
    server.socket() = acceptor.accept();
  }
  asio::io_context io;
  beast::tcp_stream client;
  beast::tcp_stream server;
};

template <class Awaitable>
auto run(asio::io_context& io, Awaitable work) {
  auto done = asio::co_spawn(io, std::move(work), asio::use_future);
  io.run();
  io.restart();
  return done.get();
}

TEST(AnyStream, AWriteTakesAtMostEightBuffersAndAFullWriteSendsThemAll) {
  Loopback pair;
  AnyStream server(pair.server);
  const std::string text = "abcdefghij";
  std::vector<asio::const_buffer> pieces;
  for (const char& c : text) pieces.emplace_back(&c, 1);

  const auto [error, some] =
      run(pair.io, [&]() -> asio::awaitable<std::pair<boost::system::error_code, std::size_t>> {
        auto [e, n] = co_await server.async_write_some(pieces, kNoThrow);
        co_return std::make_pair(e, n);
      }());
  ASSERT_FALSE(error) << error.message();
  EXPECT_EQ(some, 8U);

  const auto [all_error, all] =
      run(pair.io, [&]() -> asio::awaitable<std::pair<boost::system::error_code, std::size_t>> {
        auto [e, n] = co_await asio::async_write(server, pieces, kNoThrow);
        co_return std::make_pair(e, n);
      }());
  ASSERT_FALSE(all_error) << all_error.message();
  EXPECT_EQ(all, text.size());

  // What both writes sent, no more: the first eight bytes, then all ten.
  std::string got(some + all, '\0');
  asio::read(pair.client.socket(), asio::buffer(got));
  EXPECT_EQ(got, text.substr(0, some) + text);
}

TEST(AnyStream, AReadFillsTheFirstBufferThatHasRoom) {
  Loopback pair;
  AnyStream server(pair.server);
  asio::write(pair.client.socket(), asio::buffer(std::string("hello")));
  std::string into(5, '\0');
  const std::vector<asio::mutable_buffer> buffers{asio::mutable_buffer(), asio::buffer(into)};

  const auto [error, read] =
      run(pair.io, [&]() -> asio::awaitable<std::pair<boost::system::error_code, std::size_t>> {
        auto [e, n] = co_await asio::async_read(server, buffers, kNoThrow);
        co_return std::make_pair(e, n);
      }());
  ASSERT_FALSE(error) << error.message();
  EXPECT_EQ(read, 5U);
  EXPECT_EQ(into, "hello");
}

// One request and its answer through Beast's HTTP operations, with AnyStream at both ends.
std::string exchange(asio::io_context& io, AnyStream client, AnyStream server) {
  http::request<http::string_body> request{http::verb::post, "/mutate", 11};
  request.body() = std::string(100000, 'r');  // several reads and writes, several TLS records
  request.prepare_payload();
  auto answer = [&]() -> asio::awaitable<void> {
    beast::flat_buffer buffer;
    http::request<http::string_body> got;
    auto [read_error, read] = co_await http::async_read(server, buffer, got, kNoThrow);
    if (read_error) throw boost::system::system_error(read_error);
    http::response<http::string_body> response{http::status::ok, 11};
    response.body() = std::string(got.target()) + " " + std::to_string(got.body().size());
    response.prepare_payload();
    auto [write_error, written] = co_await http::async_write(server, response, kNoThrow);
    if (write_error) throw boost::system::system_error(write_error);
  };
  auto ask = [&]() -> asio::awaitable<std::string> {
    auto [write_error, written] = co_await http::async_write(client, request, kNoThrow);
    if (write_error) co_return "write: " + write_error.message();
    beast::flat_buffer buffer;
    http::response<http::string_body> response;
    auto [read_error, read] = co_await http::async_read(client, buffer, response, kNoThrow);
    if (read_error) co_return "read: " + read_error.message();
    co_return response.body();
  };
  auto served = asio::co_spawn(io, answer(), asio::use_future);
  auto asked = asio::co_spawn(io, ask(), asio::use_future);
  io.run();
  io.restart();
  served.get();
  return asked.get();
}

TEST(AnyStream, CarriesHttpOverPlainTcp) {
  Loopback pair;
  EXPECT_EQ(exchange(pair.io, AnyStream(pair.client), AnyStream(pair.server)), "/mutate 100000");
}

TEST(AnyStream, CarriesHttpOverTls) {
  const testing::ScratchDir dir("any-stream");
  ASSERT_EQ(testing::make_self_signed_pair(dir, "server", {"-newkey", "rsa:2048"}), "");
  asio::ssl::context server_tls(asio::ssl::context::tls_server);
  server_tls.use_certificate_chain_file(dir.path("server.crt"));
  server_tls.use_private_key_file(dir.path("server.key"), asio::ssl::context::pem);
  asio::ssl::context client_tls(asio::ssl::context::tls_client);
  client_tls.load_verify_file(dir.path("server.crt"));
  client_tls.set_verify_mode(asio::ssl::verify_peer);

  Loopback pair;
  AnyStream::TlsStream client(std::move(pair.client), client_tls);
  AnyStream::TlsStream server(std::move(pair.server), server_tls);
  auto handshake = [](AnyStream::TlsStream& stream, asio::ssl::stream_base::handshake_type type)
      -> asio::awaitable<boost::system::error_code> {
    auto [error] = co_await stream.async_handshake(type, kNoThrow);
    co_return error;
  };
  auto client_done =
      asio::co_spawn(pair.io, handshake(client, asio::ssl::stream_base::client), asio::use_future);
  auto server_done =
      asio::co_spawn(pair.io, handshake(server, asio::ssl::stream_base::server), asio::use_future);
  pair.io.run();
  pair.io.restart();
  ASSERT_FALSE(client_done.get());
  ASSERT_FALSE(server_done.get());

  EXPECT_EQ(exchange(pair.io, AnyStream(client), AnyStream(server)), "/mutate 100000");
  // Both ends reach their TCP stream through the wrapper (where deadlines are set).
  EXPECT_EQ(&AnyStream(client).lowest(), &beast::get_lowest_layer(client));
}

}  // namespace
}  // namespace irsa::net
