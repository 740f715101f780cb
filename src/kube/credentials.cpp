#include "irsa/kube/credentials.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <utility>

#include "irsa/net/no_throw.hpp"
#include "irsa/store/manifests.hpp"

namespace irsa::kube {

namespace asio = boost::asio;

// Callers that find a run under way wait on `done`, which never expires: the run cancels it
// when it ends, waking them all at once.
struct CredentialSource::Flight {
  explicit Flight(const asio::any_io_executor& executor)
      : done(executor, asio::steady_timer::time_point::max()) {}
  asio::steady_timer done;
  bool ended = false;
  std::optional<ExecOutcome> outcome;  // none after ending: the run was cancelled
};

namespace {

std::string trim(const std::string& text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

}  // namespace

CredentialSource::CredentialSource(ClientConfig config, std::chrono::milliseconds exec_timeout,
                                   CredentialClocks clocks)
    : config_(std::move(config)), exec_timeout_(exec_timeout), clocks_(std::move(clocks)) {}

CredentialSource::~CredentialSource() = default;

void CredentialSource::invalidate() {
  exec_cached_.reset();
  exec_refresh_at_.reset();
  file_stale_ = true;
}

void CredentialSource::refresh_token_file() {
  // stat follows the symlink the kubelet swaps when it rotates the token, so a new token shows
  // as a new inode. The stamp is taken before the read: a change in between shows up next time.
  FileStamp stamp;
  struct stat info {};
  if (::stat(config_.token_file.c_str(), &info) == 0) {
    stamp = {true, static_cast<std::uint64_t>(info.st_dev), static_cast<std::uint64_t>(info.st_ino),
             static_cast<std::int64_t>(info.st_size),
             static_cast<std::int64_t>(info.st_mtim.tv_sec) * 1'000'000'000 + info.st_mtim.tv_nsec};
  }
  const auto now = clocks_.steady();
  const bool due = !file_token_ || file_stale_ || stamp != file_stamp_ ||
                   now - file_read_at_ >= kTokenFileRecheck;
  if (!due) return;
  file_stale_ = false;
  file_stamp_ = stamp;
  file_read_at_ = now;
  auto read = store::read_text(config_.token_file);
  if (!read.error.empty()) {
    file_error_ = "token file: " + read.error;
    return;
  }
  std::string token = trim(read.text);
  if (token.empty()) {
    file_error_ = "token file " + config_.token_file + " is empty";
    return;
  }
  // A failed read above keeps the last good token: the kubelet may be midway through a swap.
  file_token_ = std::move(token);
  file_error_.clear();
}

bool CredentialSource::cached_unexpired(std::chrono::system_clock::time_point now) const {
  if (!exec_cached_) return false;
  if (!exec_cached_->expires_at) return true;
  return now <
         std::chrono::system_clock::time_point(std::chrono::seconds(*exec_cached_->expires_at));
}

ExecOutcome CredentialSource::settle(ExecOutcome outcome) {
  const auto now = clocks_.wall();
  if (outcome.error.empty()) {
    exec_cached_ = outcome.credential;
    exec_failure_.clear();
    exec_refresh_at_.reset();
    if (outcome.credential.expires_at) {
      const std::chrono::system_clock::time_point expiry(
          std::chrono::seconds(*outcome.credential.expires_at));
      const auto margin = std::clamp<std::chrono::system_clock::duration>(
          (expiry - now) / 2, std::chrono::system_clock::duration::zero(), kExpiryMargin);
      exec_refresh_at_ = expiry - margin;
    }
    return outcome;
  }
  exec_failure_ = outcome.error;
  exec_retry_at_ = clocks_.steady() + kFailurePause;
  // A refresh that fails before the old credential expired need not break requests yet.
  if (cached_unexpired(now)) return ExecOutcome{*exec_cached_, {}};
  exec_cached_.reset();
  exec_refresh_at_.reset();
  return outcome;
}

asio::awaitable<ExecOutcome> CredentialSource::exec_credential() {
  using net::kNoThrow;
  for (;;) {
    const auto now = clocks_.wall();
    if (exec_cached_ && (!exec_refresh_at_ || now < *exec_refresh_at_)) {
      co_return ExecOutcome{*exec_cached_, {}};
    }
    if (!exec_failure_.empty() && clocks_.steady() < exec_retry_at_) {
      if (cached_unexpired(now)) co_return ExecOutcome{*exec_cached_, {}};
      co_return ExecOutcome{{}, exec_failure_};
    }
    if (!flight_ || flight_->ended) break;
    const auto flight = flight_;
    co_await flight->done.async_wait(kNoThrow);
    if (flight->outcome) co_return *flight->outcome;
    // The run was cancelled before it finished (or this waiter was): look again.
  }

  auto flight = std::make_shared<Flight>(co_await asio::this_coro::executor);
  flight_ = flight;
  ExecOutcome outcome;
  try {
    outcome = co_await run_exec_plugin(*config_.exec, exec_timeout_);
  } catch (...) {
    // Cancelled: the waiters must not wait for a result that will never come.
    flight->ended = true;
    flight->done.cancel();
    throw;
  }
  flight->outcome = settle(std::move(outcome));
  flight->ended = true;
  flight->done.cancel();
  if (flight_ == flight) flight_.reset();
  co_return *flight->outcome;
}

asio::awaitable<CredentialsResult> CredentialSource::current() {
  CredentialsResult result;
  Credentials& credentials = result.credentials;
  credentials.client_cert_pem = config_.client_cert_pem;
  credentials.client_key_pem = config_.client_key_pem;
  if (!config_.token_file.empty()) {
    refresh_token_file();
    if (file_token_) {
      credentials.bearer_token = *file_token_;
    } else if (!config_.token.empty()) {
      credentials.bearer_token = config_.token;  // client-go's fallback when the file fails
    } else {
      result.error = file_error_;
      co_return result;
    }
  } else {
    credentials.bearer_token = config_.token;
  }

  const bool own_token = !config_.token.empty() || !config_.token_file.empty();
  const bool own_certificate = !config_.client_cert_pem.empty();
  if (!config_.exec || (own_token && own_certificate)) co_return result;
  auto exec = co_await exec_credential();
  if (!exec.error.empty()) {
    result.error = std::move(exec.error);
    co_return result;
  }
  if (!own_token) credentials.bearer_token = std::move(exec.credential.token);
  if (!own_certificate) {
    credentials.client_cert_pem = std::move(exec.credential.client_cert_pem);
    credentials.client_key_pem = std::move(exec.credential.client_key_pem);
  }
  co_return result;
}

}  // namespace irsa::kube
