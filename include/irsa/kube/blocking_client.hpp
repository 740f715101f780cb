// The API client for one-shot commands (`doctor`): each call runs the client's own io_context
// until the answer is in, so a command reads the cluster (or STS) step by step without an event
// loop of its own. Same HTTP stack, TLS checks and limits as the server's client.
#pragma once

#include <chrono>
#include <memory>

#include "irsa/kube/api_client.hpp"
#include "irsa/kube/client_config.hpp"

namespace irsa::kube {

class BlockingClient {
 public:
  // Throws std::invalid_argument when the configuration cannot work (see ApiClient).
  explicit BlockingClient(ClientConfig config, ApiLimits limits = {});
  ~BlockingClient();
  BlockingClient(const BlockingClient&) = delete;
  BlockingClient& operator=(const BlockingClient&) = delete;

  // Blocks until the answer (or the transport error) is in; `timeout` as ApiClient::send.
  [[nodiscard]] ApiReply send(ApiRequest request, std::chrono::milliseconds timeout = {});

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace irsa::kube
