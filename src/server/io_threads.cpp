#include "io_threads.hpp"

#include <thread>

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
