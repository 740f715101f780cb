// A client connection at the byte level: a TCP socket, optionally TLS through OpenSSL, with a
// deadline on every wait. The fault tests use it to misbehave on purpose (stalled handshakes,
// bytes that are not TLS, one byte per second, resets); HttpClient speaks HTTP over it.
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
  // Completes a TLS handshake within `within`; false when the server refused or took too long.
  // With a CA file the server's certificate must chain to it; without one it is not checked.
  bool handshake(const std::string& ca_file = {},
                 std::chrono::milliseconds within = std::chrono::seconds(10));
  // The TLS session after handshake() (null before).
  [[nodiscard]] SSL* ssl() const noexcept { return ssl_; }
  // Sends bytes, through TLS once handshake() succeeded; false when the peer is gone.
  bool send(const std::string& bytes);
  // Everything the server sends until it closes the connection or `within` passes.
  // `closed` says whether it closed.
  std::string read_until_closed(std::chrono::milliseconds within, bool& closed);
  // What the server sends within `within`, returning as soon as anything has arrived. Empty when
  // nothing came; then `closed` (if given) says whether the server closed the connection.
  std::string read_some(std::chrono::milliseconds within, bool* closed = nullptr);
  // Closes with a TCP reset instead of an orderly close.
  void reset();

 private:
  int fd_ = -1;
  SSL_CTX* context_ = nullptr;
  SSL* ssl_ = nullptr;
};

}  // namespace irsa::testing
