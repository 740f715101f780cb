#include "irsa/net/wire.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <cerrno>
#include <climits>
#include <cstring>
#include <new>
#include <stdexcept>
#include <utility>
#include <vector>

#include "irsa/net/http_url.hpp"
#include "irsa/net/no_throw.hpp"

namespace irsa::net {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {

// One TLS record with its overhead (17 KiB, as Asio's SSL engine buffers), rounded up to whole
// pages: a request of up to 16 KiB arrives with one recv.
constexpr std::size_t kInputCapacity = 20 * 1024;
// What a connection keeps of its output buffer between responses: a few typical answers.
constexpr std::size_t kKeptOutputBytes = 32 * 1024;

using InputBuffer = Wire::InputBuffer;

// Input buffers given up by lean Wires (see set_lean), kept for the next one to read on this
// thread, so that a busy lean server maps nothing per read.
constexpr std::size_t kSpareInputs = 8;
thread_local std::vector<InputBuffer> spare_inputs;

// Each buffer is a mapping of its own, not a heap block: a flood makes and frees thousands, and
// heap blocks of this size would leave the small blocks made in between scattered over pages
// that could not go back to the kernel once the flood is over.
InputBuffer take_input() {
  if (spare_inputs.empty()) {
    void* mapped =
        ::mmap(nullptr, kInputCapacity, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mapped == MAP_FAILED) throw std::bad_alloc();
    return InputBuffer(static_cast<unsigned char*>(mapped));
  }
  InputBuffer buffer = std::move(spare_inputs.back());
  spare_inputs.pop_back();
  return buffer;
}

void give_back_input(InputBuffer buffer) {
  if (buffer && spare_inputs.size() < kSpareInputs) spare_inputs.push_back(std::move(buffer));
}

Wire::Ciphertext& ciphertext_of(BIO* bio) {
  return *static_cast<Wire::Ciphertext*>(BIO_get_data(bio));
}

// OpenSSL takes ciphertext from what the last recv left in the buffer; when it is empty, it is
// told to retry, and the Wire waits for the socket through Asio's reactor.
int bio_read(BIO* bio, char* out, int size) {
  BIO_clear_retry_flags(bio);
  auto& ciphertext = ciphertext_of(bio);
  const std::size_t available = ciphertext.input_end - ciphertext.input_begin;
  if (available == 0 || size <= 0) {
    BIO_set_retry_read(bio);
    return -1;
  }
  const std::size_t taken = std::min(available, static_cast<std::size_t>(size));
  std::memcpy(out, ciphertext.input.get() + ciphertext.input_begin, taken);
  ciphertext.input_begin += taken;
  if (ciphertext.input_begin == ciphertext.input_end) {
    ciphertext.input_begin = ciphertext.input_end = 0;
  }
  return static_cast<int>(taken);
}

// Records are collected and sent together after the OpenSSL call that wrote them.
int bio_write(BIO* bio, const char* data, int size) {
  BIO_clear_retry_flags(bio);
  if (size <= 0) return 0;
  ciphertext_of(bio).output.append(data, static_cast<std::size_t>(size));
  return size;
}

long bio_ctrl(BIO* bio, int command, long /*number*/, void* /*pointer*/) {
  switch (command) {
    case BIO_CTRL_FLUSH:
      return 1;
    case BIO_CTRL_PENDING: {
      const auto& ciphertext = ciphertext_of(bio);
      return static_cast<long>(ciphertext.input_end - ciphertext.input_begin);
    }
    case BIO_CTRL_WPENDING: {
      const auto& ciphertext = ciphertext_of(bio);
      return static_cast<long>(ciphertext.output.size() - ciphertext.output_sent);
    }
    default:
      return 0;
  }
}

int bio_create(BIO* bio) {
  BIO_set_init(bio, 1);
  return 1;
}

const BIO_METHOD* buffer_bio_method() {
  static const BIO_METHOD* method = [] {
    BIO_METHOD* made = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "irsa wire");
    if (made == nullptr) throw std::bad_alloc();
    BIO_meth_set_read(made, bio_read);
    BIO_meth_set_write(made, bio_write);
    BIO_meth_set_ctrl(made, bio_ctrl);
    BIO_meth_set_create(made, bio_create);
    return made;
  }();
  return method;
}

// OpenSSL's error queue must be empty before an SSL_* call for SSL_get_error to be right.
// ERR_clear_error wipes every slot of the queue even when it is empty, which costs more than a
// small record's decryption; looking first is cheap.
void clear_tls_errors() {
  if (ERR_peek_error() != 0) ERR_clear_error();
}

int clamp_to_int(std::size_t size) {
  return static_cast<int>(std::min<std::size_t>(size, INT_MAX));
}

}  // namespace

Wire::Wire(asio::ip::tcp::socket socket, SSL_CTX* tls)
    : socket_(std::move(socket)),
      timer_(socket_.get_executor()),
      self_(std::make_shared<Wire*>(this)) {
  error_code ignored;
  socket_.non_blocking(true, ignored);
  pending_tls_ = tls;
}

Wire::Wire(asio::ip::tcp::socket socket, SSL_CTX* tls, const Client& client)
    : Wire(std::move(socket), nullptr) {
  start_tls(tls);
  const std::string& name = client.peer_name;
  const bool is_address = is_ip_literal(name);
  if (!name.empty() && !is_address) {
    // SSL_set_tlsext_host_name is a macro around this call, with a C-style cast in it.
    SSL_ctrl(ssl_, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
             const_cast<char*>(name.c_str()));
  }
  if (!name.empty() && (SSL_get_verify_mode(ssl_) & SSL_VERIFY_PEER) != 0) {
    X509_VERIFY_PARAM* check = SSL_get0_param(ssl_);
    const int set = is_address ? X509_VERIFY_PARAM_set1_ip_asc(check, name.c_str())
                               : X509_VERIFY_PARAM_set1_host(check, name.c_str(), name.size());
    if (set != 1) throw std::invalid_argument("cannot verify a peer named " + name);
  }
  SSL_set_connect_state(ssl_);
}

void Wire::start_tls(SSL_CTX* tls) {
  ssl_ = SSL_new(tls);
  BIO* bio = BIO_new(buffer_bio_method());
  if (ssl_ == nullptr || bio == nullptr) {
    BIO_free(bio);
    SSL_free(ssl_);
    ssl_ = nullptr;
    throw std::bad_alloc();
  }
  BIO_set_data(bio, &ciphertext_);
  SSL_set_bio(ssl_, bio, bio);
  // As Asio's engine did: idle keep-alive connections do not keep OpenSSL's record buffers.
  SSL_set_mode(ssl_, SSL_MODE_RELEASE_BUFFERS);
}

void Wire::UnmapInput::operator()(unsigned char* buffer) const noexcept {
  ::munmap(buffer, kInputCapacity);
}

Wire::~Wire() {
  *self_ = nullptr;
  SSL_free(ssl_);
  give_back_input(std::move(ciphertext_.input));
}

void Wire::expires_after(std::chrono::milliseconds budget) {
  deadline_ = Clock::now() + budget;
}

asio::awaitable<error_code> Wire::handshake() {
  if (pending_tls_ != nullptr) {
    begin_wait();
    auto [waited] = co_await socket_.async_wait(asio::socket_base::wait_read, kNoThrow);
    if (const error_code error = end_wait(waited)) co_return error;
    start_tls(std::exchange(pending_tls_, nullptr));
    SSL_set_accept_state(ssl_);
  }
  if (ssl_ == nullptr) co_return error_code{};
  for (;;) {
    clear_tls_errors();
    const int result = SSL_do_handshake(ssl_);
    // An alert for a broken handshake goes out too, before the error is reported.
    const error_code sent = co_await flush();
    if (result == 1) co_return sent;
    if (SSL_get_error(ssl_, result) != SSL_ERROR_WANT_READ) co_return tls_error(result);
    if (sent) co_return sent;
    if (const error_code error = co_await fill()) co_return error;
  }
}

asio::awaitable<std::pair<error_code, std::size_t>> Wire::read_some(asio::mutable_buffer into) {
  if (ssl_ == nullptr) {
    begin_wait();
    auto [error, bytes] = co_await socket_.async_read_some(into, kNoThrow);
    co_return std::pair{end_wait(error), bytes};
  }
  // With nothing received and nothing buffered inside OpenSSL, SSL_read could only ask for
  // more: go to the socket first.
  bool need_input = input_empty() && SSL_has_pending(ssl_) == 0;
  for (;;) {
    if (need_input) {
      if (const error_code error = co_await fill()) co_return std::pair{error, std::size_t{0}};
    }
    clear_tls_errors();
    const int result = SSL_read(ssl_, into.data(), clamp_to_int(into.size()));
    // Reading can make OpenSSL answer (a key update, an alert); usually it has nothing to say.
    if (!ciphertext_.output.empty()) {
      if (const error_code error = co_await flush()) co_return std::pair{error, std::size_t{0}};
    }
    if (result > 0) co_return std::pair{error_code{}, static_cast<std::size_t>(result)};
    if (SSL_get_error(ssl_, result) != SSL_ERROR_WANT_READ) {
      co_return std::pair{tls_error(result), std::size_t{0}};
    }
    need_input = true;
  }
}

bool Wire::readable() const {
  if (!input_empty()) return true;
  if (ssl_ != nullptr && SSL_pending(ssl_) > 0) return true;
  error_code error;
  const std::size_t in_kernel = socket_.available(error);
  return !error && in_kernel > 0;
}

asio::awaitable<error_code> Wire::write(std::string_view bytes) {
  if (ssl_ == nullptr) {
    std::size_t sent = 0;
    co_return co_await send(bytes, sent);
  }
  while (!bytes.empty()) {
    clear_tls_errors();
    // The BIO never refuses bytes, so OpenSSL writes everything it is given.
    const int result = SSL_write(ssl_, bytes.data(), clamp_to_int(bytes.size()));
    if (result <= 0) co_return tls_error(result);
    bytes.remove_prefix(static_cast<std::size_t>(result));
  }
  // flush(), written out: one coroutine frame fewer for every response.
  error_code error = send_now();
  if (!error && !ciphertext_.output.empty()) error = co_await send_rest();
  release_output();
  co_return error;
}

asio::awaitable<void> Wire::close(std::chrono::milliseconds budget) {
  if (!socket_.is_open()) co_return;
  if (ssl_ == nullptr) {
    error_code ignored;
    socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
    co_return;
  }
  // Our close_notify, then the peer's: what Asio's async_shutdown waits for.
  expires_after(budget);
  bool sent_ours = false;
  for (;;) {
    clear_tls_errors();
    const int result = SSL_shutdown(ssl_);
    if (co_await flush()) co_return;
    if (result == 1) co_return;
    if (result == 0 && !sent_ours) {
      sent_ours = true;
      continue;
    }
    if (result < 0 && SSL_get_error(ssl_, result) != SSL_ERROR_WANT_READ) co_return;
    if (co_await fill()) co_return;
  }
}

asio::awaitable<void> Wire::close_lingering(std::chrono::milliseconds budget,
                                            std::size_t discard_limit) {
  if (!socket_.is_open()) co_return;
  expires_after(budget);
  if (ssl_ != nullptr) {
    clear_tls_errors();
    SSL_shutdown(ssl_);  // queues our close_notify; the client's is not waited for
    if (co_await flush()) co_return;
  }
  error_code ignored;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  // Raw bytes, not decrypted: after our close_notify nothing the client sends is read. They go
  // into the ciphertext buffer (whatever it held is not needed any more), which plain TCP has not.
  if (!ciphertext_.input) ciphertext_.input = take_input();
  std::size_t discarded = 0;
  while (discarded < discard_limit) {
    begin_wait();
    auto [error, bytes] = co_await socket_.async_read_some(
        asio::buffer(ciphertext_.input.get(), kInputCapacity), kNoThrow);
    if (end_wait(error)) co_return;  // the client closed, reset, or the budget is spent
    discarded += bytes;
  }
}

void Wire::set_lean(bool lean) {
  lean_ = lean;
  // The read in progress gives its buffer up: it is cancelled, and fill() waits again, leanly.
  if (lean && reading_into_input_) {
    error_code ignored;
    socket_.cancel(ignored);
  }
}

// One recv's worth of ciphertext into the (empty) input buffer. Asio's read tries the socket
// first and waits only when nothing is there; a lean Wire waits for readability first and takes
// its buffer once bytes have come (Asio re-arms epoll for such a wait: a system call more).
asio::awaitable<error_code> Wire::fill() {
  for (;;) {
    if (lean_) {
      give_back_input(std::move(ciphertext_.input));
      begin_wait();
      auto [waited] = co_await socket_.async_wait(asio::socket_base::wait_read, kNoThrow);
      if (const error_code error = end_wait(waited)) co_return error;
    }
    if (!ciphertext_.input) ciphertext_.input = take_input();
    begin_wait();
    reading_into_input_ = true;
    auto [error, bytes] = co_await socket_.async_read_some(
        asio::buffer(ciphertext_.input.get(), kInputCapacity), kNoThrow);
    reading_into_input_ = false;
    if (error == asio::error::operation_aborted && lean_ && !timed_out_) {
      waiting_ = false;
      continue;  // set_lean() took the wait over
    }
    error = end_wait(error);
    // A peer that closes without close_notify has cut the stream short, as Asio reports it.
    if (error == asio::error::eof) co_return asio::ssl::error::stream_truncated;
    if (error) co_return error;
    ciphertext_.input_begin = 0;
    ciphertext_.input_end = bytes;
    co_return error_code{};
  }
}

asio::awaitable<error_code> Wire::flush() {
  error_code error = send_now();
  if (!error && !ciphertext_.output.empty()) error = co_await send_rest();
  release_output();
  co_return error;
}

// Empties the output buffer; one that a large response grew is given back rather than kept for
// the life of the connection.
void Wire::release_output() {
  auto& output = ciphertext_.output;
  if (output.capacity() > kKeptOutputBytes) {
    std::string().swap(output);
  } else {
    output.clear();
  }
  ciphertext_.output_sent = 0;
}

// Sends what the socket takes without waiting: usually everything, which spares the coroutine
// frames and the trip through the reactor of an asynchronous write. What was sent leaves the
// output buffer; what remains is counted by output_sent.
error_code Wire::send_now() {
  auto& output = ciphertext_.output;
  while (ciphertext_.output_sent < output.size()) {
    const std::size_t sent = ciphertext_.output_sent;
    const ssize_t result =
        ::send(socket_.native_handle(), output.data() + sent, output.size() - sent, MSG_NOSIGNAL);
    if (result > 0) {
      ciphertext_.output_sent += static_cast<std::size_t>(result);
      continue;
    }
    if (result < 0 && errno == EINTR) continue;
    if (result < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
      return error_code(errno, boost::system::system_category());
    }
    return error_code{};  // the socket is full; the rest waits for send_rest
  }
  output.clear();
  ciphertext_.output_sent = 0;
  return error_code{};
}

// What send_now left behind, written by Asio as the socket drains.
asio::awaitable<error_code> Wire::send_rest() {
  const std::size_t sent = ciphertext_.output_sent;
  begin_wait();
  auto [error, written] = co_await asio::async_write(
      socket_, asio::buffer(ciphertext_.output.data() + sent, ciphertext_.output.size() - sent),
      kNoThrow);
  ciphertext_.output_sent += written;
  co_return end_wait(error);
}

// Plain TCP: sends at once when the socket has room, the rest as it drains.
asio::awaitable<error_code> Wire::send(std::string_view bytes, std::size_t& sent) {
  while (sent < bytes.size()) {
    const ssize_t result =
        ::send(socket_.native_handle(), bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (result > 0) {
      sent += static_cast<std::size_t>(result);
      continue;
    }
    if (result < 0 && errno == EINTR) continue;
    if (result < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
      co_return error_code(errno, boost::system::system_category());
    }
    break;
  }
  if (sent == bytes.size()) co_return error_code{};
  begin_wait();
  auto [error, written] = co_await asio::async_write(
      socket_, asio::buffer(bytes.data() + sent, bytes.size() - sent), kNoThrow);
  sent += written;
  co_return end_wait(error);
}

error_code Wire::tls_error(int result) const {
  if (SSL_get_error(ssl_, result) == SSL_ERROR_ZERO_RETURN) return asio::error::eof;
  const unsigned long detail = ERR_get_error();
  if (detail != 0) return {static_cast<int>(detail), asio::error::get_ssl_category()};
  return asio::ssl::error::stream_truncated;
}

void Wire::begin_wait() {
  if (armed_at_ > deadline_) arm(deadline_);
  waiting_ = true;
}

error_code Wire::end_wait(error_code error) {
  waiting_ = false;
  return timed_out_ ? asio::error::timed_out : error;
}

void Wire::arm(Clock::time_point at) {
  armed_at_ = at;
  const unsigned generation = ++generation_;
  timer_.expires_at(at);
  timer_.async_wait([self = self_, generation](error_code error) {
    if (!error && *self != nullptr) (*self)->on_timer(generation);
  });
}

void Wire::on_timer(unsigned generation) {
  if (generation != generation_) return;  // re-armed since; a newer wait is pending
  armed_at_ = Clock::time_point::max();
  if (!waiting_) return;  // the next wait arms the timer again
  if (Clock::now() < deadline_) {
    arm(deadline_);
    return;
  }
  // As Beast's timeout: the socket closes, and the pending operation fails.
  timed_out_ = true;
  error_code ignored;
  socket_.close(ignored);
}

}  // namespace irsa::net
