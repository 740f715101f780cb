#include "stub_webhook.hpp"

#include <sys/socket.h>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <nlohmann/json.hpp>

namespace irsa::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

StubWebhook::StubWebhook(Script script)
    : script_(std::move(script)),
      acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
  acceptor_thread_ = std::thread([this] { accept_loop(); });
}

StubWebhook::~StubWebhook() {
  stopping_ = true;
  boost::system::error_code ignored;
  // Wakes the blocking accept, then every session blocked in a read.
  ::shutdown(acceptor_.native_handle(), SHUT_RDWR);
  acceptor_thread_.join();
  {
    const std::scoped_lock lock(mutex_);
    for (const int socket : open_sockets_) ::shutdown(socket, SHUT_RDWR);
  }
  for (auto& session : sessions_) session.join();
  acceptor_.close(ignored);
}

std::string StubWebhook::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()) + path;
}

std::string StubWebhook::answer(const std::string& review, bool with_patch) {
  const auto request = nlohmann::json::parse(review);
  nlohmann::json response = {{"uid", request["request"]["uid"]}, {"allowed", true}};
  if (with_patch) {
    // [{"op":"add","path":"/metadata/labels/x","value":"y"}]
    response["patchType"] = "JSONPatch";
    response["patch"] = "W3sib3AiOiJhZGQiLCJwYXRoIjoiL21ldGFkYXRhL2xhYmVscy94IiwidmFsdWUiOiJ5In1d";
  }
  return nlohmann::json{
      {"apiVersion", "admission.k8s.io/v1"}, {"kind", "AdmissionReview"}, {"response", response}}
      .dump();
}

void StubWebhook::accept_loop() {
  for (;;) {
    tcp::socket socket(io_);
    boost::system::error_code error;
    acceptor_.accept(socket, error);
    if (error || stopping_) return;
    connections_.fetch_add(1);
    const std::scoped_lock lock(mutex_);
    open_sockets_.push_back(socket.native_handle());
    sessions_.emplace_back(
        [this, connection = std::move(socket)]() mutable { serve(std::move(connection)); });
  }
}

void StubWebhook::serve(tcp::socket socket) {
  beast::flat_buffer buffer;
  for (;;) {
    http::request<http::string_body> request;
    boost::system::error_code error;
    http::read(socket, buffer, request, error);
    if (error || stopping_) break;
    const StubReply reply = script_(request.body(), requests_.fetch_add(1));
    if (reply.delay.count() > 0) std::this_thread::sleep_for(reply.delay);
    if (reply.drop) break;
    http::response<http::string_body> response{static_cast<http::status>(reply.status), 11};
    response.set(http::field::content_type, "application/json");
    response.keep_alive(!reply.close);
    response.body() = reply.body;
    response.prepare_payload();
    http::write(socket, response, error);
    if (error || reply.close) break;
  }
  const std::scoped_lock lock(mutex_);
  std::erase(open_sockets_, socket.native_handle());
  boost::system::error_code ignored;
  socket.shutdown(tcp::socket::shutdown_both, ignored);
  socket.close(ignored);
}

}  // namespace irsa::testing
