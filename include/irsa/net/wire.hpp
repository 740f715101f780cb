// One accepted connection's bytes: a socket, OpenSSL on top of it when the port speaks TLS, and
// the deadline of the phase in progress. The listener's sessions read and write through it.
//
// Why not Beast's ssl_stream<tcp_stream>: that stack runs every read through four composed
// operations (HTTP read, SSL io_op, the timed stream, the socket), each copying type-erased
// executors and re-arming a timer, and copies every byte through a second pair of buffers. On a
// keep-alive connection serving small reviews that cost more than the review itself. Here
// OpenSSL reads ciphertext straight from the one buffer a recv filled and writes into a buffer
// that is sent at once; the deadline timer is armed lazily, so that a connection re-arms it about
// once per idle period instead of once per socket operation.
#pragma once

#include <openssl/ssl.h>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/error_code.hpp>
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

namespace irsa::net {

class Wire {
 public:
  using Clock = std::chrono::steady_clock;

  // Which end of the TLS session this Wire is. The client end is what irsa-loadgen drives the
  // server with, so that both ends of a benchmark pay the same, lean, per-byte costs.
  struct Client {
    // Sent as SNI (unless an IP address) and, when the context verifies peers, matched against
    // the certificate as a DNS name or an IP address.
    std::string peer_name;
  };

  // `tls` null: plain TCP. Otherwise a server-side TLS session from that context, which must
  // outlive the handshake. The session and its buffers are made only once the client's first
  // bytes arrive: a connection that never sends costs a socket, not a TLS session.
  Wire(boost::asio::ip::tcp::socket socket, SSL_CTX* tls);
  // A client-side TLS session from `tls` (which must not be null).
  Wire(boost::asio::ip::tcp::socket socket, SSL_CTX* tls, const Client& client);
  ~Wire();
  Wire(const Wire&) = delete;
  Wire& operator=(const Wire&) = delete;

  boost::asio::ip::tcp::socket& socket() noexcept { return socket_; }

  // Lean: a wait for the peer's bytes holds no input buffer (17 KiB), at the cost of one more
  // system call per wait. For a server under pressure from thousands of waiting connections;
  // setting it also moves a wait in progress to the lean kind. Call on the Wire's strand.
  void set_lean(bool lean);

  // Whether anything from the peer waits to be read: plaintext OpenSSL holds, ciphertext this
  // Wire holds, or bytes still in the kernel's socket buffer.
  [[nodiscard]] bool readable() const;

  // Every wait for the socket from now on fails with a timeout once `budget` has passed (as
  // Beast's tcp_stream::expires_after): the budget of the phase that starts now.
  void expires_after(std::chrono::milliseconds budget);
  // The same with the phase's start given, for a caller that has just read the clock.
  void expires_at(Clock::time_point deadline) noexcept { deadline_ = deadline; }

  // The TLS handshake (nothing for plain TCP).
  boost::asio::awaitable<boost::system::error_code> handshake();
  // Some plaintext into `into`; asio::error::eof once the peer has closed cleanly.
  boost::asio::awaitable<std::pair<boost::system::error_code, std::size_t>> read_some(
      boost::asio::mutable_buffer into);
  // All of `bytes`, encrypted into as few records as TLS allows and sent with one send.
  boost::asio::awaitable<boost::system::error_code> write(std::string_view bytes);
  // Ends the connection politely: the TLS close_notify and the peer's (within `budget`), or
  // TCP's half-close. Errors are ignored; the socket closes with the Wire either way.
  boost::asio::awaitable<void> close(std::chrono::milliseconds budget);
  // Ends a connection whose client may still be sending a request we refused (a body over the
  // limit): our close_notify and TCP's half-close go out at once, then whatever the client sends
  // is read and thrown away until it closes, `budget` passes or `discard_limit` bytes have come.
  // Closing with unread bytes would make the kernel reset the connection, and a reset can destroy
  // the answer before the client reads it (a lingering close, as nginx does).
  boost::asio::awaitable<void> close_lingering(std::chrono::milliseconds budget,
                                               std::size_t discard_limit);

  // Input buffers are mappings of their own (see wire.cpp); this gives one back.
  struct UnmapInput {
    void operator()(unsigned char* buffer) const noexcept;
  };
  using InputBuffer = std::unique_ptr<unsigned char[], UnmapInput>;

  // The BIO between OpenSSL and this Wire's buffers (internal, for the BIO callbacks).
  struct Ciphertext {
    InputBuffer input;  // received, not yet taken by OpenSSL
    std::size_t input_begin = 0;
    std::size_t input_end = 0;
    std::string output;  // written by OpenSSL, not yet sent
    std::size_t output_sent = 0;
  };

 private:
  void start_tls(SSL_CTX* tls);
  void release_output();
  boost::asio::awaitable<boost::system::error_code> fill();
  boost::asio::awaitable<boost::system::error_code> flush();
  boost::system::error_code send_now();
  boost::asio::awaitable<boost::system::error_code> send_rest();
  boost::asio::awaitable<boost::system::error_code> send(std::string_view bytes, std::size_t& sent);
  [[nodiscard]] boost::system::error_code tls_error(int result) const;
  [[nodiscard]] bool input_empty() const noexcept {
    return ciphertext_.input_begin == ciphertext_.input_end;
  }

  // The lazy deadline: the timer is re-armed only when a wait begins with the timer set later
  // than the deadline (or not at all); when it fires early, it moves on to the deadline.
  void begin_wait();
  boost::system::error_code end_wait(boost::system::error_code error);
  void arm(Clock::time_point at);
  void on_timer(unsigned generation);

  boost::asio::ip::tcp::socket socket_;
  SSL_CTX* pending_tls_ = nullptr;  // a server session not begun yet (see the constructor)
  SSL* ssl_ = nullptr;
  Ciphertext ciphertext_;
  boost::asio::steady_timer timer_;
  Clock::time_point deadline_ = Clock::time_point::max();
  Clock::time_point armed_at_ = Clock::time_point::max();
  unsigned generation_ = 0;
  bool waiting_ = false;
  bool timed_out_ = false;
  bool lean_ = false;
  bool reading_into_input_ = false;  // fill() waits in a read holding the input buffer
  // Lets a timer handler that outlives the Wire see that it is gone.
  std::shared_ptr<Wire*> self_;
};

}  // namespace irsa::net
