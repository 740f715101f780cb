#include "irsa/aws/instance_metadata.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <exception>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>
#include <utility>

#include "irsa/kube/api_client.hpp"
#include "irsa/kube/blocking_client.hpp"

namespace irsa::aws {

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::string_view kTokenPath = "/latest/api/token";
constexpr std::string_view kDocumentPath = "/latest/dynamic/instance-identity/document";
constexpr std::string_view kTokenHeader = "X-aws-ec2-metadata-token";
constexpr std::string_view kTtlHeader = "X-aws-ec2-metadata-token-ttl-seconds";
// The token serves the one GET that follows it; a short life leaves nothing worth stealing.
constexpr std::string_view kTokenTtlSeconds = "60";

// Tokens are about 60 bytes and documents under 1 KiB: anything far larger is not IMDS.
constexpr std::uint64_t kTokenBodyLimit = std::uint64_t{4} * 1024;
constexpr std::uint64_t kDocumentBodyLimit = std::uint64_t{64} * 1024;
constexpr std::size_t kHeaderLimit = std::size_t{8} * 1024;

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())) != 0) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())) != 0) {
    text.remove_suffix(1);
  }
  return text;
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return std::ranges::equal(a, b, [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

// The SDKs treat only "true" (in any case) as set; "1" or "yes" leave the feature on.
bool is_true(const Environment& environment, const std::string& name) {
  const auto value = environment(name);
  return value && equals_ignoring_case(trim(*value), "true");
}

std::string bracketed(const std::string& host) {
  return host.find(':') == std::string::npos ? host : "[" + host + "]";
}

// http://host, with the port when it is not 80: how messages and the Host header name it.
std::string authority(const std::string& host, std::uint16_t port) {
  return bracketed(host) + (port == 80 ? "" : ":" + std::to_string(port));
}

std::optional<std::uint16_t> parse_port(std::string_view text) {
  if (text.empty() || text.size() > 5) return std::nullopt;
  unsigned value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  if (value == 0 || value > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(value);
}

// http://host[:port][/]. The SDKs accept any URL here; IMDS only ever speaks plain HTTP at the
// root, so anything else (https, a path) is a mistake worth stopping on rather than guessing.
MetadataEndpointLookup parse_endpoint_url(std::string_view text) {
  MetadataEndpointLookup lookup;
  const auto fail = [&](const std::string& why) {
    lookup.error = "AWS_EC2_METADATA_SERVICE_ENDPOINT \"" + std::string(text) + "\": " + why;
    return lookup;
  };
  constexpr std::string_view kScheme = "http://";
  if (text.size() < kScheme.size() ||
      !equals_ignoring_case(text.substr(0, kScheme.size()), kScheme)) {
    return fail("expected http://host[:port] (the instance metadata service is plain HTTP)");
  }
  std::string_view rest = text.substr(kScheme.size());
  if (rest.ends_with('/')) rest.remove_suffix(1);
  if (rest.find_first_of("/?#@") != std::string_view::npos) {
    return fail("expected http://host[:port], without a path, query or user");
  }
  std::string_view host;
  std::string_view port_text;
  if (rest.starts_with('[')) {
    const auto close = rest.find(']');
    if (close == std::string_view::npos) return fail("the IPv6 address has no closing ']'");
    host = rest.substr(1, close - 1);
    const std::string_view after = rest.substr(close + 1);
    if (!after.empty() && !after.starts_with(':')) return fail("unexpected text after ']'");
    if (!after.empty()) port_text = after.substr(1);
    if (!after.empty() && port_text.empty()) return fail("the port is empty");
  } else {
    const auto colon = rest.find(':');
    if (colon != std::string_view::npos && rest.find(':', colon + 1) != std::string_view::npos) {
      return fail("an IPv6 address must be written in brackets, such as http://[fd00:ec2::254]");
    }
    host = rest.substr(0, colon);
    if (colon != std::string_view::npos) {
      port_text = rest.substr(colon + 1);
      if (port_text.empty()) return fail("the port is empty");
    }
  }
  if (host.empty()) return fail("no host");
  std::uint16_t port = 80;
  if (!port_text.empty()) {
    const auto parsed = parse_port(port_text);
    if (!parsed) return fail("the port is not a number from 1 to 65535");
    port = *parsed;
  }
  lookup.endpoint.host = std::string(host);
  lookup.endpoint.port = port;
  lookup.endpoint.url = "http://" + authority(lookup.endpoint.host, port);
  return lookup;
}

// One HTTP exchange: the status line and body, or why none came.
struct Reply {
  unsigned status = 0;
  std::string reason;
  std::string body;
  std::string failure;  // non-empty: no complete answer (connect, send, read or the deadline)
};

std::string status_text(const Reply& reply) {
  std::string text = std::to_string(reply.status);
  if (!reply.reason.empty()) text.append(" ").append(reply.reason);
  return text;
}

// The step of a failed exchange as this client has always named it.
std::string failed_step_text(const kube::ApiReply& answer) {
  switch (answer.failed_step) {
    case kube::ApiStep::resolve:
      return "resolving the host: ";
    case kube::ApiStep::connect:
      return "connect: ";
    case kube::ApiStep::send:
      return "send: ";
    case kube::ApiStep::receive:
      return "reading the answer: ";
    case kube::ApiStep::none:
    case kube::ApiStep::unsupported:
    case kube::ApiStep::credentials:
      break;
  }
  return {};
}

// One request through the Kubernetes client's HTTP stack, on a client of its own whose limits
// are what is left of the attempt's deadline. IMDS closes every connection after its answer
// (and the stand-ins in the tests do too), so nothing is pooled between the two requests.
Reply exchange(const MetadataEndpoint& endpoint, kube::ApiRequest request,
               Clock::time_point deadline, std::size_t body_limit) {
  Reply reply;
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  if (left.count() <= 0) {
    reply.failure = "connect: timed out";
    return reply;
  }
  kube::ClientConfig config;
  config.server = endpoint.url;
  config.description = "instance metadata at " + endpoint.url;
  kube::ApiLimits limits;
  limits.connect = left;
  limits.request = left;
  limits.max_body = body_limit;
  limits.max_header = kHeaderLimit;
  limits.max_idle_connections = 0;
  kube::ApiReply answer;
  try {
    kube::BlockingClient client(std::move(config), limits);
    answer = client.send(std::move(request), left);
  } catch (const std::exception& error) {
    reply.failure = error.what();  // the client refused the endpoint's URL
    return reply;
  }
  if (!answer.error.empty()) {
    reply.failure = failed_step_text(answer) + (answer.cause.empty() ? answer.error : answer.cause);
    return reply;
  }
  reply.status = answer.status;
  reply.reason = std::move(answer.reason);
  reply.body = std::move(answer.body);
  return reply;
}

kube::ApiRequest make_request(std::string method, std::string_view path) {
  kube::ApiRequest request;
  request.method = std::move(method);
  request.target = std::string(path);
  request.content_type.clear();
  request.accept.clear();
  return request;
}

// Rate limiting and server trouble pass; other client errors will answer the same again.
bool worth_retrying(unsigned status) {
  return status == 429 || status >= 500;
}

// IMDSv2 is tried first. When the token PUT is refused with 403, 404 or 405, the SDKs (and so
// upstream, through aws-sdk-go) read the document without a token (IMDSv1), unless
// AWS_EC2_METADATA_V1_DISABLED is true. We do the same: a drop-in replacement must start where
// upstream starts, such as behind metadata proxies that refuse the PUT. The risk IMDSv2 guards
// against (a request forged through an application) does not arise for one fixed GET that we
// make ourselves, and the document holds no secret. Other failures of the PUT (400, 5xx, no
// answer) are errors, as they are in the SDKs.
bool refuses_tokens(unsigned status) {
  return status == 403 || status == 404 || status == 405;
}

struct Outcome {
  InstanceIdentity identity;
  std::string error;
  bool retry = false;
};

Outcome failed(std::string error, bool retry) {
  return Outcome{{}, std::move(error), retry};
}

Outcome attempt(const MetadataEndpoint& endpoint, bool v1_allowed,
                std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;

  auto token_request = make_request("PUT", kTokenPath);
  token_request.headers.emplace_back(kTtlHeader, kTokenTtlSeconds);
  const Reply token_reply = exchange(endpoint, std::move(token_request), deadline, kTokenBodyLimit);
  const std::string put = "PUT " + std::string(kTokenPath);
  if (!token_reply.failure.empty()) return failed(put + ": " + token_reply.failure, true);

  std::string token;
  std::string fallback_note;  // says why the GET carries no token, when it does not
  if (token_reply.status == 200) {
    token = std::string(trim(token_reply.body));
    if (token.empty()) return failed(put + " answered an empty token", true);
  } else if (refuses_tokens(token_reply.status) && v1_allowed) {
    fallback_note =
        put + " answered " + status_text(token_reply) + ", then without a token (IMDSv1): ";
  } else if (refuses_tokens(token_reply.status)) {
    return failed(put + " answered " + status_text(token_reply) +
                      " and AWS_EC2_METADATA_V1_DISABLED forbids IMDSv1 without a token",
                  false);
  } else {
    return failed(put + " answered " + status_text(token_reply),
                  worth_retrying(token_reply.status));
  }

  auto document_request = make_request("GET", kDocumentPath);
  if (!token.empty()) document_request.headers.emplace_back(kTokenHeader, token);
  const Reply document_reply =
      exchange(endpoint, std::move(document_request), deadline, kDocumentBodyLimit);
  const std::string get = fallback_note + "GET " + std::string(kDocumentPath);
  if (!document_reply.failure.empty()) return failed(get + ": " + document_reply.failure, true);
  if (document_reply.status != 200) {
    // 401: the token lapsed or was not accepted; a new attempt asks for a new one.
    return failed(get + " answered " + status_text(document_reply),
                  document_reply.status == 401 || worth_retrying(document_reply.status));
  }
  auto parsed = parse_identity_document(document_reply.body);
  if (!parsed.error.empty()) return failed(get + ": " + parsed.error, false);
  return Outcome{std::move(parsed.identity), {}, false};
}

bool is_region_text(std::string_view region) {
  return !region.empty() && std::ranges::all_of(region, [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

}  // namespace

MetadataEndpointLookup metadata_endpoint(const Environment& environment) {
  // An explicit endpoint wins over the mode, as in the SDKs; an empty value counts as unset.
  if (const auto url = environment("AWS_EC2_METADATA_SERVICE_ENDPOINT")) {
    const std::string_view text = trim(*url);
    if (!text.empty()) return parse_endpoint_url(text);
  }
  MetadataEndpointLookup lookup;
  const auto mode = environment("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE");
  const std::string_view mode_text = mode ? trim(*mode) : std::string_view();
  if (mode_text.empty() || equals_ignoring_case(mode_text, "IPv4")) {
    lookup.endpoint.host = "169.254.169.254";
  } else if (equals_ignoring_case(mode_text, "IPv6")) {
    lookup.endpoint.host = "fd00:ec2::254";
  } else {
    lookup.error =
        "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE \"" + *mode + "\": expected IPv4 or IPv6";
    return lookup;
  }
  lookup.endpoint.url = "http://" + authority(lookup.endpoint.host, lookup.endpoint.port);
  return lookup;
}

InstanceIdentityFetch parse_identity_document(std::string_view json_text) {
  InstanceIdentityFetch fetch;
  const auto document = nlohmann::json::parse(json_text, nullptr, false);
  if (document.is_discarded() || !document.is_object()) {
    fetch.error = "the identity document is not a JSON object";
    return fetch;
  }
  const auto text_member = [&document](const char* key) -> std::optional<std::string> {
    const auto it = document.find(key);
    if (it == document.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
  };
  const auto account = text_member("accountId");
  if (!account) {
    fetch.error = "the identity document has no accountId string";
    return fetch;
  }
  if (account->size() != 12 ||
      !std::ranges::all_of(*account, [](char c) { return c >= '0' && c <= '9'; })) {
    fetch.error = "the identity document's accountId \"" + *account + "\" is not 12 digits";
    return fetch;
  }
  const auto region = text_member("region");
  if (!region || !is_region_text(*region)) {
    fetch.error = "the identity document has no usable region (lower-case letters, digits, '-')";
    return fetch;
  }
  fetch.identity = InstanceIdentity{*account, *region};
  return fetch;
}

InstanceIdentityFetch fetch_instance_identity(const Environment& environment,
                                              const MetadataOptions& options) {
  InstanceIdentityFetch fetch;
  const auto lookup = metadata_endpoint(environment);
  if (is_true(environment, "AWS_EC2_METADATA_DISABLED")) {
    const std::string where =
        lookup.error.empty() ? "instance metadata at " + lookup.endpoint.url : "instance metadata";
    fetch.error = where + ": not contacted, AWS_EC2_METADATA_DISABLED is true";
    return fetch;
  }
  if (!lookup.error.empty()) {
    fetch.error = "instance metadata: " + lookup.error;
    return fetch;
  }
  const bool v1_allowed = !is_true(environment, "AWS_EC2_METADATA_V1_DISABLED");
  const int attempts = std::max(options.attempts, 1);

  auto pause = options.backoff;
  Outcome outcome;
  int made = 0;
  while (made < attempts) {
    if (made > 0) {
      std::this_thread::sleep_for(pause);
      pause *= 2;
    }
    ++made;
    outcome = attempt(lookup.endpoint, v1_allowed, options.timeout);
    if (outcome.error.empty() || !outcome.retry) break;
  }
  if (outcome.error.empty()) {
    fetch.identity = std::move(outcome.identity);
    return fetch;
  }
  fetch.error = "instance metadata at " + lookup.endpoint.url + ": " + outcome.error;
  if (made > 1) fetch.error += " (after " + std::to_string(made) + " attempts)";
  return fetch;
}

}  // namespace irsa::aws
