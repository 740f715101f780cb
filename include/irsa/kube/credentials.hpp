// What each request to the API server authenticates with, kept current as credentials rotate:
// the kubelet rewrites the in-cluster token file, and an exec plugin's token expires. The
// ClientConfig says where credentials come from; CredentialSource turns that into a token and a
// client certificate per request, re-reading and re-running only when something is due.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "irsa/kube/client_config.hpp"
#include "irsa/kube/exec_plugin.hpp"

namespace irsa::kube {

struct Credentials {
  std::string bearer_token;  // empty: send no Authorization header
  std::string client_cert_pem;
  std::string client_key_pem;
};

struct CredentialsResult {
  Credentials credentials;
  std::string error;  // non-empty: one line; no usable credentials this time
};

// Injectable so that tests need not wait. Wall time judges an ExecCredential's
// expirationTimestamp (an absolute time); steady time paces token-file re-reads and retries.
struct CredentialClocks {
  std::function<std::chrono::system_clock::time_point()> wall = [] {
    return std::chrono::system_clock::now();
  };
  std::function<std::chrono::steady_clock::time_point()> steady = [] {
    return std::chrono::steady_clock::now();
  };
};

// Rules, following client-go: the token file (when set) gives the bearer token, the fixed token
// when the file was never readable; the config's client certificate is used as is. An exec
// plugin runs only for what the config does not supply itself (a token, a certificate, or both).
//
// Used from one strand and not thread-safe, but several coroutines on that strand may await
// current() at once: one plugin run serves them all. The source must outlive its current() calls.
class CredentialSource {
 public:
  // A token file is read again when it changed (device, inode, size, mtime) and at least this
  // often, for changes a stat cannot see.
  static constexpr std::chrono::seconds kTokenFileRecheck{60};
  // An exec credential is replaced this long before its expirationTimestamp (at most half of the
  // lifetime it had when it arrived, so that a short-lived one is still used a while).
  static constexpr std::chrono::seconds kExpiryMargin{10};
  // After a failed plugin run, calls get that failure for this long instead of a new run, so a
  // broken plugin is not spawned in a tight loop.
  static constexpr std::chrono::seconds kFailurePause{1};

  explicit CredentialSource(ClientConfig config,
                            std::chrono::milliseconds exec_timeout = std::chrono::seconds(30),
                            CredentialClocks clocks = {});
  ~CredentialSource();
  CredentialSource(const CredentialSource&) = delete;
  CredentialSource& operator=(const CredentialSource&) = delete;

  [[nodiscard]] boost::asio::awaitable<CredentialsResult> current();
  // The API server answered 401: forget the plugin's cached output and read the token file again
  // on the next current(). A plugin run already under way still delivers its (fresh) output.
  void invalidate();

 private:
  struct FileStamp {
    bool exists = false;
    std::uint64_t device = 0;
    std::uint64_t inode = 0;
    std::int64_t size = 0;
    std::int64_t modified_ns = 0;
    friend bool operator==(const FileStamp&, const FileStamp&) = default;
  };
  struct Flight;  // a plugin run under way, which other callers wait for

  void refresh_token_file();
  [[nodiscard]] boost::asio::awaitable<ExecOutcome> exec_credential();
  [[nodiscard]] bool cached_unexpired(std::chrono::system_clock::time_point now) const;
  ExecOutcome settle(ExecOutcome outcome);

  ClientConfig config_;
  std::chrono::milliseconds exec_timeout_;
  CredentialClocks clocks_;

  std::optional<std::string> file_token_;  // the last good read
  std::string file_error_;                 // the last read's error
  FileStamp file_stamp_;                   // the file as it was at the last read
  std::chrono::steady_clock::time_point file_read_at_{};
  bool file_stale_ = false;  // invalidate() asks for a read

  std::optional<ExecCredential> exec_cached_;
  std::optional<std::chrono::system_clock::time_point> exec_refresh_at_;  // none: until a 401
  std::string exec_failure_;
  std::chrono::steady_clock::time_point exec_retry_at_{};
  std::shared_ptr<Flight> flight_;
};

}  // namespace irsa::kube
