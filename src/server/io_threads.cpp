#include "io_threads.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <thread>
#include <vector>

namespace irsa::server {

namespace asio = boost::asio;

// One thread runs each context (concurrency hint 1), so no thread hands a connection's work to
// another. With one context shared by every thread, every handler of every connection went
// through one scheduler lock and one epoll set, and a second thread bought little.
IoThreads::IoThreads(unsigned threads) : main_(1) {
  for (unsigned i = 1; i < threads; ++i) {
    auto& context = workers_.emplace_back(std::make_unique<asio::io_context>(1));
    guards_.push_back(asio::make_work_guard(*context));
  }
}

std::vector<asio::io_context*> IoThreads::contexts() {
  std::vector<asio::io_context*> all{&main_};
  for (const auto& worker : workers_) all.push_back(worker.get());
  return all;
}

std::vector<asio::io_context*> IoThreads::connection_contexts() {
  if (workers_.empty()) return {};
  return contexts();
}

void IoThreads::prepare_for_connections(std::size_t connections) {
  auto targets = connection_contexts();
  if (targets.empty()) targets.push_back(&main_);
  // Connections go to the contexts in turn; a few more for those over the cap while others close.
  constexpr std::size_t kSlack = 64;
  const std::size_t each = connections / targets.size() + kSlack;
  for (asio::io_context* context : targets) {
    std::vector<asio::ip::tcp::socket> sockets;
    sockets.reserve(each);
    for (std::size_t i = 0; i < each; ++i) {
      boost::system::error_code error;
      asio::ip::tcp::socket socket(*context);
      socket.open(asio::ip::tcp::v4(), error);
      if (error) break;  // out of descriptors: reserve what the limit allows
      sockets.push_back(std::move(socket));
    }
  }
}

void IoThreads::run() {
  std::vector<std::thread> threads;
  threads.reserve(workers_.size() + 1);
  threads.emplace_back([this] { main_.run(); });
  for (const auto& worker : workers_) {
    threads.emplace_back([&context = *worker] { context.run(); });
  }
  for (auto& thread : threads) thread.join();
}

void IoThreads::stop() {
  main_.stop();
  guards_.clear();
  for (const auto& worker : workers_) worker->stop();
}

}  // namespace irsa::server
