// A stand-in for the EC2 instance metadata service (IMDS) on 127.0.0.1 for tests: IMDSv2 tokens
// required (or IMDSv1 allowed), and the broken or partial behaviours met in practice on request
// (a refused token PUT, server errors, silence). Plain HTTP on the shared test server
// (test_https_server.hpp), which closes each connection after its answer, as IMDS does.
#pragma once

#include <memory>
#include <string>

namespace irsa::testing {

// As IMDS prints it, pretty and with more than the two fields read.
inline constexpr const char* kDocument = R"({
  "accountId" : "123456789012",
  "architecture" : "x86_64",
  "availabilityZone" : "eu-west-1a",
  "imageId" : "ami-0abcdef1234567890",
  "instanceId" : "i-0123456789abcdef0",
  "instanceType" : "m5.large",
  "pendingTime" : "2024-01-02T03:04:05Z",
  "privateIp" : "10.0.1.2",
  "region" : "eu-west-1",
  "version" : "2017-09-30"
})";

inline constexpr const char* kTokenPath = "/latest/api/token";
inline constexpr const char* kDocumentPath = "/latest/dynamic/instance-identity/document";

class FakeMetadataService {
 public:
  enum class Token { issue, refuse, hang };
  enum class Document { serve, fail, hang };
  struct Behaviour {
    Token token = Token::issue;
    unsigned refusal = 403;   // the status of a refused PUT
    bool accepts_v1 = false;  // serves the document without a token, as IMDSv1 does
    Document document = Document::serve;
    std::string body = kDocument;
  };

  // Listens on a port of the kernel's choosing; a hanging answer holds its connection until the
  // client gives up or the fake goes.
  explicit FakeMetadataService(Behaviour behaviour);
  ~FakeMetadataService();
  FakeMetadataService(const FakeMetadataService&) = delete;
  FakeMetadataService& operator=(const FakeMetadataService&) = delete;

  [[nodiscard]] std::string url() const;  // "http://127.0.0.1:PORT"
  [[nodiscard]] int token_requests() const;
  [[nodiscard]] int document_requests() const;
  // The X-aws-ec2-metadata-token-ttl-seconds of the last token PUT.
  [[nodiscard]] std::string last_ttl() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace irsa::testing
