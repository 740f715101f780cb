// An in-process stand-in for AWS STS, for tests of what calls AssumeRoleWithWebIdentity: HTTPS
// on 127.0.0.1 with the Query API (POST form or GET query), configured like an AWS account
// (IAM OIDC providers and roles whose trust names subjects), answering with the XML documents
// and error codes STS uses. The token's signature is not checked; its claims are.
//
// It serves from its own thread; every method may be called from any other thread.
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace irsa::testing {

struct FakeStsOptions {
  std::string cert_file, key_file;  // server pair, PEM
  unsigned short port = 0;          // 0: the kernel picks one
};

class FakeSts {
 public:
  // Binds 127.0.0.1:port and starts serving; throws std::runtime_error when the certificate or
  // key cannot be used or the port cannot be bound.
  explicit FakeSts(FakeStsOptions options);
  ~FakeSts();
  FakeSts(const FakeSts&) = delete;
  FakeSts& operator=(const FakeSts&) = delete;

  [[nodiscard]] std::string url() const;  // "https://127.0.0.1:PORT"
  [[nodiscard]] unsigned short port() const;

  // An IAM OIDC identity provider: the issuer URL (as the token's iss carries it; a trailing
  // slash or a missing https:// does not matter) and its client IDs (accepted audiences).
  void add_provider(const std::string& issuer_url, const std::vector<std::string>& client_ids);
  // A role (arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME) whose trust policy lets these token
  // subjects assume it: "*" is any subject, and '*' / '?' in a subject are wildcards (the
  // policy's StringLike). trusted_issuer non-empty: only tokens of that provider. Throws
  // std::invalid_argument for an ARN that is no role ARN.
  void add_role(const std::string& role_arn, const std::vector<std::string>& allowed_subjects,
                const std::string& trusted_issuer = "");
  // The next `count` calls that pass the form checks answer this error instead:
  // IDPCommunicationError (400), Throttling (400) or IDPRejectedClaim (403). Throws
  // std::invalid_argument for another code.
  void fail_next(int count, const std::string& code);

  // A request as the fake saw it, with the token left out: WebIdentityToken's value is
  // replaced by kRedactedToken and only the token's sub and aud are kept.
  struct SeenRequest {
    std::string method;
    std::string content_type;
    std::vector<std::pair<std::string, std::string>> fields;  // query and form, in order
    std::string token_subject;   // "" when there was no token or it is no JWT
    std::string token_audience;  // aud, several joined by ','
    [[nodiscard]] std::string field(const std::string& name) const;
  };
  static constexpr const char* kRedactedToken = "[token redacted]";
  [[nodiscard]] std::vector<SeenRequest> requests() const;
  // The SecretAccessKey and SessionToken values handed out so far, so that a test can check
  // that none of them shows up where it must not.
  [[nodiscard]] std::vector<std::string> issued_secrets() const;
  // The AccessKeyIds handed out so far.
  [[nodiscard]] std::vector<std::string> issued_access_key_ids() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace irsa::testing
