#include "support/fake_metadata_service.hpp"

#include <charconv>
#include <mutex>
#include <set>
#include <system_error>
#include <utility>

#include "support/test_https_server.hpp"

namespace irsa::testing {

namespace {

TestHttpResponse reply(int status, std::string body = {}) {
  TestHttpResponse response{status, "text/plain", std::move(body), {}};
  response.close_connection = true;  // IMDS answers once per connection
  return response;
}

TestHttpResponse no_answer() {
  TestHttpResponse response;
  response.silent = true;
  return response;
}

// IMDS requires a TTL from 1 to 21600 seconds and answers 400 otherwise.
bool valid_ttl(const std::string& text) {
  int ttl = 0;
  const auto [end, parsed] = std::from_chars(text.data(), text.data() + text.size(), ttl);
  return parsed == std::errc() && end == text.data() + text.size() && ttl >= 1 && ttl <= 21600;
}

}  // namespace

struct FakeMetadataService::Impl {
  explicit Impl(Behaviour given) : behaviour(std::move(given)) {}

  TestHttpResponse answer(const TestHttpRequest& request);
  TestHttpResponse token(const TestHttpRequest& request);
  TestHttpResponse document(const TestHttpRequest& request);

  const Behaviour behaviour;
  mutable std::mutex mutex;  // the counts are read from the test's thread
  int token_requests = 0;
  int document_requests = 0;
  std::string last_ttl;
  std::set<std::string> issued;
  std::unique_ptr<TestHttpsServer> server;  // last: it stops before the state goes
};

TestHttpResponse FakeMetadataService::Impl::answer(const TestHttpRequest& request) {
  const std::scoped_lock lock(mutex);
  if (request.target == kTokenPath) return token(request);
  if (request.target == kDocumentPath && request.method == "GET") return document(request);
  return reply(404);
}

TestHttpResponse FakeMetadataService::Impl::token(const TestHttpRequest& request) {
  if (request.method != "PUT") return reply(405);
  ++token_requests;
  last_ttl = request.header("x-aws-ec2-metadata-token-ttl-seconds");
  if (behaviour.token == Token::hang) return no_answer();
  if (behaviour.token == Token::refuse) return reply(static_cast<int>(behaviour.refusal));
  if (!valid_ttl(last_ttl)) return reply(400);
  const std::string issued_token = "token-" + std::to_string(token_requests);
  issued.insert(issued_token);
  auto response = reply(200, issued_token);
  response.headers.emplace_back("X-aws-ec2-metadata-token-ttl-seconds", last_ttl);
  return response;
}

TestHttpResponse FakeMetadataService::Impl::document(const TestHttpRequest& request) {
  ++document_requests;
  const auto given = request.headers.find("x-aws-ec2-metadata-token");
  const bool without_token = given == request.headers.end();
  const bool v1 = without_token && behaviour.accepts_v1;
  if (!v1 && (without_token || !issued.contains(given->second))) return reply(401);
  if (behaviour.document == Document::hang) return no_answer();
  if (behaviour.document == Document::fail) return reply(500);
  return reply(200, behaviour.body);
}

FakeMetadataService::FakeMetadataService(Behaviour behaviour)
    : impl_(std::make_unique<Impl>(std::move(behaviour))) {
  TestHttpsServerOptions options;  // no certificate: plain HTTP, as IMDS speaks
  options.name = "fake instance metadata service";
  impl_->server = std::make_unique<TestHttpsServer>(
      options,
      [impl = impl_.get()](const TestHttpRequest& request) { return impl->answer(request); });
}

FakeMetadataService::~FakeMetadataService() = default;

std::string FakeMetadataService::url() const {
  return impl_->server->url();
}

int FakeMetadataService::token_requests() const {
  const std::scoped_lock lock(impl_->mutex);
  return impl_->token_requests;
}

int FakeMetadataService::document_requests() const {
  const std::scoped_lock lock(impl_->mutex);
  return impl_->document_requests;
}

std::string FakeMetadataService::last_ttl() const {
  const std::scoped_lock lock(impl_->mutex);
  return impl_->last_ttl;
}

}  // namespace irsa::testing
