#include "support/raw_connection.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

namespace irsa::testing {

RawConnection::RawConnection(unsigned short port) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

RawConnection::~RawConnection() {
  if (ssl_ != nullptr) SSL_free(ssl_);
  if (context_ != nullptr) SSL_CTX_free(context_);
  if (fd_ >= 0) ::close(fd_);
}

bool RawConnection::handshake(const std::string& ca_file, std::chrono::milliseconds within) {
  if (fd_ < 0) return false;
  context_ = SSL_CTX_new(TLS_client_method());
  if (!ca_file.empty()) {
    if (SSL_CTX_load_verify_locations(context_, ca_file.c_str(), nullptr) != 1) return false;
    SSL_CTX_set_verify(context_, SSL_VERIFY_PEER, nullptr);
  }
  ssl_ = SSL_new(context_);
  SSL_set_fd(ssl_, fd_);
  // The handshake runs on the blocking socket; these bound each wait inside it.
  const timeval limit{static_cast<time_t>(within.count() / 1000),
                      static_cast<suseconds_t>((within.count() % 1000) * 1000)};
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof(limit));
  ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof(limit));
  if (SSL_connect(ssl_) != 1) return false;
  // From here on reads must not block: TLS 1.3 tickets arrive as records without data, and a
  // blocking read would then wait for the server instead of for our deadline.
  ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) | O_NONBLOCK);
  return true;
}

bool RawConnection::send(const std::string& bytes) {
  if (fd_ < 0) return false;
  if (ssl_ != nullptr) {
    std::size_t sent = 0;
    while (sent < bytes.size()) {
      const int n = SSL_write(ssl_, bytes.data() + sent, static_cast<int>(bytes.size() - sent));
      if (n > 0) {
        sent += static_cast<std::size_t>(n);
        continue;
      }
      const int error = SSL_get_error(ssl_, n);
      if (error != SSL_ERROR_WANT_WRITE && error != SSL_ERROR_WANT_READ) return false;
      pollfd poll_fd{fd_, static_cast<short>(error == SSL_ERROR_WANT_WRITE ? POLLOUT : POLLIN), 0};
      if (::poll(&poll_fd, 1, 10000) <= 0) return false;
    }
    return true;
  }
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

std::string RawConnection::read_until_closed(std::chrono::milliseconds within, bool& closed) {
  closed = false;
  std::string received;
  if (fd_ < 0) {
    closed = true;
    return received;
  }
  const auto deadline = std::chrono::steady_clock::now() + within;
  char buffer[16384];
  for (;;) {
    if (ssl_ == nullptr || SSL_pending(ssl_) == 0) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return received;
      pollfd poll_fd{fd_, POLLIN, 0};
      if (::poll(&poll_fd, 1, static_cast<int>(left.count())) <= 0) return received;
    }
    const int n = ssl_ != nullptr ? SSL_read(ssl_, buffer, sizeof(buffer))
                                  : static_cast<int>(::recv(fd_, buffer, sizeof(buffer), 0));
    if (n <= 0) {
      if (ssl_ != nullptr && SSL_get_error(ssl_, n) == SSL_ERROR_WANT_READ) continue;
      closed = true;
      return received;
    }
    received.append(buffer, static_cast<std::size_t>(n));
  }
}

std::string RawConnection::read_some(std::chrono::milliseconds within, bool* closed) {
  if (closed != nullptr) *closed = fd_ < 0;
  const auto deadline = std::chrono::steady_clock::now() + within;
  char buffer[16384];
  while (fd_ >= 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    if (ssl_ == nullptr || SSL_pending(ssl_) == 0) {
      pollfd poll_fd{fd_, POLLIN, 0};
      if (::poll(&poll_fd, 1, static_cast<int>(left.count())) <= 0) break;
    }
    const int n = ssl_ != nullptr ? SSL_read(ssl_, buffer, sizeof(buffer))
                                  : static_cast<int>(::recv(fd_, buffer, sizeof(buffer), 0));
    if (n > 0) return {buffer, static_cast<std::size_t>(n)};
    // A TLS record without data (a session ticket) leaves nothing to return yet.
    if (ssl_ == nullptr || SSL_get_error(ssl_, n) != SSL_ERROR_WANT_READ) {
      if (closed != nullptr) *closed = true;
      break;
    }
  }
  return {};
}

void RawConnection::reset() {
  if (fd_ < 0) return;
  linger option{1, 0};
  ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &option, sizeof(option));
  ::close(fd_);
  fd_ = -1;
}

}  // namespace irsa::testing
