// Connections that misbehave on purpose: plain sockets and OpenSSL on a blocking socket, for
// the fault tests (stalled handshakes, bytes that are not TLS, one byte per second, resets).
#pragma once

#include <openssl/ssl.h>

#include <chrono>
#include <string>

namespace irsa::testing {

class RawConnection {
 public:
  // A TCP connection to 127.0.0.1:port; fd() is -1 when it failed.
  explicit RawConnection(unsigned short port);
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  [[nodiscard]] int fd() const noexcept { return fd_; }
  // Completes a TLS handshake (no certificate check); false when the server refused.
  bool handshake();
  // Sends bytes, through TLS once handshake() succeeded; false when the peer is gone.
  bool send(const std::string& bytes);
  // Everything the server sends until it closes the connection or `within` passes.
  // `closed` says whether it closed.
  std::string read_until_closed(std::chrono::milliseconds within, bool& closed);
  // What the server sends within `within`, returning as soon as anything has arrived.
  std::string read_some(std::chrono::milliseconds within);
  // Closes with a TCP reset instead of an orderly close.
  void reset();

 private:
  int fd_ = -1;
  SSL_CTX* context_ = nullptr;
  SSL* ssl_ = nullptr;
};

}  // namespace irsa::testing
