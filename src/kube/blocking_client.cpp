#include "irsa/kube/blocking_client.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <exception>
#include <optional>
#include <utility>

namespace irsa::kube {

namespace asio = boost::asio;

struct BlockingClient::Impl {
  Impl(ClientConfig config, ApiLimits limits)
      : client(asio::make_strand(io), std::move(config), limits) {}
  asio::io_context io;
  ApiClient client;
};

BlockingClient::BlockingClient(ClientConfig config, ApiLimits limits)
    : impl_(std::make_unique<Impl>(std::move(config), limits)) {}

BlockingClient::~BlockingClient() = default;

ApiReply BlockingClient::send(ApiRequest request, std::chrono::milliseconds timeout) {
  std::optional<ApiReply> reply;
  asio::co_spawn(impl_->client.executor(), impl_->client.send(std::move(request), timeout),
                 [&reply](const std::exception_ptr& failure, ApiReply answer) {
                   if (failure) {
                     reply = ApiReply{};
                     reply->error = "the request failed unexpectedly";
                     try {
                       std::rethrow_exception(failure);
                     } catch (const std::exception& error) {
                       reply->error = error.what();
                     } catch (...) {
                     }
                     return;
                   }
                   reply = std::move(answer);
                 });
  impl_->io.restart();
  impl_->io.run();
  if (reply) return std::move(*reply);
  ApiReply unfinished;
  unfinished.error = "the request did not complete";
  return unfinished;
}

}  // namespace irsa::kube
