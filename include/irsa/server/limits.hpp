// Every timeout and size limit of the HTTPS listener, in one place.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace irsa::server {

struct ServerLimits {
  // A client that connects but never finishes the handshake loses its slot after this.
  std::chrono::milliseconds tls_handshake{10'000};
  // From the first byte of a request to the end of its headers.
  std::chrono::milliseconds request_header{10'000};
  // The body of one request (AdmissionReviews are small; 7 MiB at a crawl is an attack).
  std::chrono::milliseconds request_body{30'000};
  std::chrono::milliseconds response_write{10'000};
  // After sending our TLS close_notify, how long to wait for the client's before closing the
  // socket anyway. Clients that just drop the connection must not hold a slot (or a drain).
  std::chrono::milliseconds tls_close{1'000};
  // After refusing a request whose body is still coming (413, 431), how long the rest is read
  // and thrown away, and how much of it at most, so that the client gets to read the refusal.
  std::chrono::milliseconds lingering_close{5'000};
  std::size_t lingering_close_bytes = 16 * 1024 * 1024;
  // How long a keep-alive connection may wait for its next request. The API server keeps idle
  // connections for 90 s; outlasting that lets it, not us, close them, so it never sends on a
  // connection we are closing.
  std::chrono::milliseconds idle{120'000};
  // While three quarters of max_connections are open (until half are), new waits get these
  // shorter budgets instead, as Envoy's overload manager shortens its timeouts under pressure.
  std::chrono::milliseconds pressure_tls_handshake{2'000};
  std::chrono::milliseconds pressure_request_header{2'000};
  std::chrono::milliseconds pressure_idle{5'000};
  // After a stop signal, how long keep-alive connections idle between requests stay open (at
  // most half of --shutdown-timeout), answering with Connection: close whatever request arrives.
  // A client cannot know that the connection it is about to reuse is being closed; a tight loop
  // needs one round trip to learn it, and a request sent into a closing socket is lost.
  std::chrono::milliseconds drain_quiet_period{1'000};
  // From this many open connections on (until half as many), a connection waiting for its
  // client holds no TLS input buffer (17 KiB), at a system call more per wait. The API servers'
  // keep-alive connections stay below it; a flood of waiting connections does not.
  std::size_t lean_connections = 256;
  // controller-runtime's limit, which the API server's own request limits stay below.
  std::uint64_t body_limit = std::uint64_t{7} * 1024 * 1024;
  std::uint32_t header_limit = 16 * 1024;
  std::size_t max_connections = 4096;
};

}  // namespace irsa::server
