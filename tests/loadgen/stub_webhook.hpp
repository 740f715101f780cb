// A plain-HTTP stand-in for a webhook whose answers a test scripts: the right review, a wrong
// uid, an error status, a late answer, a closed connection. One thread per connection with
// blocking Beast calls: simple, and the load in these tests is small.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace irsa::testing {

struct StubReply {
  unsigned status = 200;
  std::string body;
  std::chrono::milliseconds delay{0};
  bool close = false;  // answer with Connection: close and close
  bool drop = false;   // close without answering
};

class StubWebhook {
 public:
  // Called for every request with its body and its number (from 0, over all connections).
  using Script = std::function<StubReply(const std::string& body, std::uint64_t number)>;

  explicit StubWebhook(Script script);
  ~StubWebhook();
  StubWebhook(const StubWebhook&) = delete;
  StubWebhook& operator=(const StubWebhook&) = delete;

  [[nodiscard]] std::string url(const std::string& path = "/mutate") const;
  [[nodiscard]] std::uint64_t requests() const noexcept { return requests_.load(); }
  [[nodiscard]] std::uint64_t connections() const noexcept { return connections_.load(); }

  // The answer a webhook gives to `review`: its uid back, allowed, and a patch when asked.
  static std::string answer(const std::string& review, bool with_patch);

 private:
  void accept_loop();
  void serve(boost::asio::ip::tcp::socket socket);

  Script script_;
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::atomic<bool> stopping_{false};
  std::atomic<std::uint64_t> requests_{0};
  std::atomic<std::uint64_t> connections_{0};
  std::mutex mutex_;
  std::vector<std::thread> sessions_;
  std::vector<int> open_sockets_;
  std::thread acceptor_thread_;
};

}  // namespace irsa::testing
