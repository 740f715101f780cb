// The instance identity fetch for --compose-role-arn, against a stand-in for IMDS on loopback
// that behaves as a real one (IMDSv2 tokens required) or as the broken and partial ones met in
// practice: metadata proxies that refuse the token PUT, server errors, bad documents, silence.
#include "irsa/aws/instance_metadata.hpp"

#include <gtest/gtest.h>

#include "support/fake_metadata_service.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <map>

namespace irsa::aws {
namespace {

using namespace std::chrono_literals;

using testing::FakeMetadataService;
using testing::kDocument;

Environment environment_of(std::map<std::string, std::string> values) {
  return [values = std::move(values)](const std::string& name) -> std::optional<std::string> {
    const auto it = values.find(name);
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
}

Environment pointing_at(const FakeMetadataService& service,
                        std::map<std::string, std::string> more = {}) {
  more["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = service.url();
  return environment_of(std::move(more));
}

// Generous per attempt (sanitizer builds are slow), short pauses: failing tests stay quick.
constexpr MetadataOptions kQuick{2'000ms, 3, 10ms};

// A loopback port that was just free and has no listener now: bound, read back, closed.
std::uint16_t free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  ::inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
  socklen_t length = sizeof(address);
  std::uint16_t port = 0;
  if (fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  if (fd >= 0) ::close(fd);
  return port;
}

bool mentions(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Where IMDS is.

TEST(MetadataEndpoint, DefaultsToTheIpv4Address) {
  const auto lookup = metadata_endpoint(environment_of({}));
  ASSERT_EQ(lookup.error, "");
  EXPECT_EQ(lookup.endpoint.host, "169.254.169.254");
  EXPECT_EQ(lookup.endpoint.port, 80);
  EXPECT_EQ(lookup.endpoint.url, "http://169.254.169.254");
}

TEST(MetadataEndpoint, ModeChoosesTheDefaultAddressInAnyCase) {
  for (const char* mode : {"IPv6", "ipv6", " IPV6 "}) {
    const auto lookup =
        metadata_endpoint(environment_of({{"AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", mode}}));
    ASSERT_EQ(lookup.error, "") << mode;
    EXPECT_EQ(lookup.endpoint.host, "fd00:ec2::254");
    EXPECT_EQ(lookup.endpoint.port, 80);
    EXPECT_EQ(lookup.endpoint.url, "http://[fd00:ec2::254]");
  }
  const auto ipv4 =
      metadata_endpoint(environment_of({{"AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "ipv4"}}));
  EXPECT_EQ(ipv4.endpoint.host, "169.254.169.254");
}

TEST(MetadataEndpoint, UnknownModeIsAnError) {
  const auto lookup =
      metadata_endpoint(environment_of({{"AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "dual"}}));
  EXPECT_TRUE(mentions(lookup.error, "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE")) << lookup.error;
  EXPECT_TRUE(mentions(lookup.error, "\"dual\"")) << lookup.error;
}

TEST(MetadataEndpoint, ExplicitEndpointWinsOverTheMode) {
  const auto lookup = metadata_endpoint(
      environment_of({{"AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:1338"},
                      {"AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "IPv6"}}));
  ASSERT_EQ(lookup.error, "");
  EXPECT_EQ(lookup.endpoint.host, "127.0.0.1");
  EXPECT_EQ(lookup.endpoint.port, 1338);
  EXPECT_EQ(lookup.endpoint.url, "http://127.0.0.1:1338");
}

TEST(MetadataEndpoint, AcceptsBracketedIpv6HostNamesAndATrailingSlash) {
  const std::map<std::string, MetadataEndpoint> cases = {
      {"http://[fd00:ec2::254]", {"fd00:ec2::254", 80, "http://[fd00:ec2::254]"}},
      {"http://[::1]:8080/", {"::1", 8080, "http://[::1]:8080"}},
      {"HTTP://imds.internal", {"imds.internal", 80, "http://imds.internal"}},
      {"http://localhost:1338/", {"localhost", 1338, "http://localhost:1338"}},
  };
  for (const auto& [url, expected] : cases) {
    const auto lookup =
        metadata_endpoint(environment_of({{"AWS_EC2_METADATA_SERVICE_ENDPOINT", url}}));
    ASSERT_EQ(lookup.error, "") << url;
    EXPECT_EQ(lookup.endpoint.host, expected.host) << url;
    EXPECT_EQ(lookup.endpoint.port, expected.port) << url;
    EXPECT_EQ(lookup.endpoint.url, expected.url) << url;
  }
}

TEST(MetadataEndpoint, EmptyEndpointCountsAsUnset) {
  const auto lookup =
      metadata_endpoint(environment_of({{"AWS_EC2_METADATA_SERVICE_ENDPOINT", ""}}));
  ASSERT_EQ(lookup.error, "");
  EXPECT_EQ(lookup.endpoint.host, "169.254.169.254");
}

TEST(MetadataEndpoint, RejectsWhatIsNotHttpHostAndPort) {
  for (const char* url :
       {"https://169.254.169.254", "169.254.169.254", "ftp://host", "http://", "http://:80",
        "http://host:", "http://host:0", "http://host:65536", "http://host:80x",
        "http://fd00:ec2::254", "http://[fd00:ec2::254", "http://[::1]x", "http://host/latest",
        "http://user@host", "http://host?x=1"}) {
    const auto lookup =
        metadata_endpoint(environment_of({{"AWS_EC2_METADATA_SERVICE_ENDPOINT", url}}));
    EXPECT_TRUE(mentions(lookup.error, "AWS_EC2_METADATA_SERVICE_ENDPOINT \"")) << url;
  }
}

// The document.

TEST(MetadataDocument, TakesAccountAndRegion) {
  const auto parsed = parse_identity_document(kDocument);
  ASSERT_EQ(parsed.error, "");
  EXPECT_EQ(parsed.identity.account_id, "123456789012");
  EXPECT_EQ(parsed.identity.region, "eu-west-1");
}

TEST(MetadataDocument, RejectsMalformedOrIncompleteDocuments) {
  const std::map<std::string, std::string> cases = {
      {"{\"accountId\": \"123456789012\", ", "not a JSON object"},
      {"[]", "not a JSON object"},
      {R"({"region": "eu-west-1"})", "no accountId"},
      {R"({"accountId": 123456789012, "region": "eu-west-1"})", "no accountId"},
      {R"({"accountId": "12345678901", "region": "eu-west-1"})", "not 12 digits"},
      {R"({"accountId": "12345678901x", "region": "eu-west-1"})", "not 12 digits"},
      {R"({"accountId": "123456789012"})", "no usable region"},
      {R"({"accountId": "123456789012", "region": ""})", "no usable region"},
      {R"({"accountId": "123456789012", "region": "eu west 1"})", "no usable region"},
  };
  for (const auto& [text, expected] : cases) {
    const auto parsed = parse_identity_document(text);
    EXPECT_TRUE(mentions(parsed.error, expected)) << text << " gave: " << parsed.error;
  }
}

// The fetch, against the stand-in.

TEST(InstanceMetadata, ReadsAccountAndRegionThroughImdsV2) {
  FakeMetadataService service({});
  const auto fetch = fetch_instance_identity(pointing_at(service), kQuick);
  ASSERT_EQ(fetch.error, "");
  EXPECT_EQ(fetch.identity.account_id, "123456789012");
  EXPECT_EQ(fetch.identity.region, "eu-west-1");
  EXPECT_EQ(service.token_requests(), 1);
  EXPECT_EQ(service.document_requests(), 1);
  EXPECT_FALSE(service.last_ttl().empty());
}

TEST(InstanceMetadata, RefusedTokenFallsBackToImdsV1) {
  for (const unsigned status : {403U, 404U, 405U}) {
    FakeMetadataService service(
        {.token = FakeMetadataService::Token::refuse, .refusal = status, .accepts_v1 = true});
    const auto fetch = fetch_instance_identity(pointing_at(service), kQuick);
    ASSERT_EQ(fetch.error, "") << status;
    EXPECT_EQ(fetch.identity.account_id, "123456789012");
    EXPECT_EQ(service.document_requests(), 1);
  }
}

TEST(InstanceMetadata, V1DisabledMakesARefusedTokenFatal) {
  FakeMetadataService service(
      {.token = FakeMetadataService::Token::refuse, .refusal = 403, .accepts_v1 = true});
  const auto fetch = fetch_instance_identity(
      pointing_at(service, {{"AWS_EC2_METADATA_V1_DISABLED", "true"}}), kQuick);
  EXPECT_TRUE(mentions(fetch.error, "403")) << fetch.error;
  EXPECT_TRUE(mentions(fetch.error, "AWS_EC2_METADATA_V1_DISABLED")) << fetch.error;
  EXPECT_EQ(service.document_requests(), 0);
  EXPECT_EQ(service.token_requests(), 1);  // the same answer would come again
}

TEST(InstanceMetadata, RefusedTokenAndNoImdsV1IsAnError) {
  FakeMetadataService service({.token = FakeMetadataService::Token::refuse, .refusal = 405});
  const auto fetch = fetch_instance_identity(pointing_at(service), kQuick);
  EXPECT_TRUE(mentions(fetch.error, service.url())) << fetch.error;
  EXPECT_TRUE(mentions(fetch.error, "405")) << fetch.error;
  EXPECT_TRUE(mentions(fetch.error, "401")) << fetch.error;
}

TEST(InstanceMetadata, ServerErrorIsRetriedThenReported) {
  FakeMetadataService service({.document = FakeMetadataService::Document::fail});
  const auto fetch = fetch_instance_identity(pointing_at(service), kQuick);
  EXPECT_TRUE(mentions(fetch.error, service.url())) << fetch.error;
  EXPECT_TRUE(mentions(fetch.error, "GET /latest/dynamic/instance-identity/document answered 500"))
      << fetch.error;
  EXPECT_TRUE(mentions(fetch.error, "after 3 attempts")) << fetch.error;
  EXPECT_EQ(service.document_requests(), 3);
  EXPECT_EQ(service.token_requests(), 3);
}

TEST(InstanceMetadata, BadDocumentIsReportedWithoutRetrying) {
  const std::map<std::string, std::string> cases = {
      {"<html>not json</html>", "not a JSON object"},
      {R"({"region": "eu-west-1"})", "no accountId"},
      {R"({"accountId": "1234", "region": "eu-west-1"})", "not 12 digits"},
  };
  for (const auto& [body, expected] : cases) {
    FakeMetadataService service({.body = body});
    const auto fetch = fetch_instance_identity(pointing_at(service), kQuick);
    EXPECT_TRUE(mentions(fetch.error, service.url())) << fetch.error;
    EXPECT_TRUE(mentions(fetch.error, expected)) << fetch.error;
    EXPECT_EQ(service.document_requests(), 1);
  }
}

TEST(InstanceMetadata, SilentServiceFailsWithinTheTimeout) {
  constexpr MetadataOptions options{200ms, 2, 10ms};
  for (const bool token_hangs : {true, false}) {
    FakeMetadataService service({.token = token_hangs ? FakeMetadataService::Token::hang
                                                      : FakeMetadataService::Token::issue,
                                 .document = FakeMetadataService::Document::hang});
    const auto started = std::chrono::steady_clock::now();
    const auto fetch = fetch_instance_identity(pointing_at(service), options);
    const auto took = std::chrono::steady_clock::now() - started;
    EXPECT_TRUE(mentions(fetch.error, "timed out")) << fetch.error;
    EXPECT_TRUE(mentions(fetch.error, token_hangs ? "PUT" : "GET")) << fetch.error;
    EXPECT_TRUE(mentions(fetch.error, "after 2 attempts")) << fetch.error;
    // Two attempts of 200 ms and a pause; well under a second even on a slow machine.
    EXPECT_GE(took, 400ms);
    EXPECT_LT(took, 1'500ms);
  }
}

TEST(InstanceMetadata, RefusedConnectionIsAnError) {
  const std::uint16_t port = free_loopback_port();
  ASSERT_NE(port, 0);
  const std::string url = "http://127.0.0.1:" + std::to_string(port);
  const auto fetch = fetch_instance_identity(
      environment_of({{"AWS_EC2_METADATA_SERVICE_ENDPOINT", url}}), {1'000ms, 2, 10ms});
  EXPECT_TRUE(mentions(fetch.error, "instance metadata at " + url)) << fetch.error;
  EXPECT_TRUE(mentions(fetch.error, "connect")) << fetch.error;
}

TEST(InstanceMetadata, DisabledByTheEnvironmentContactsNothing) {
  FakeMetadataService service({});
  for (const char* value : {"true", "TRUE", " True "}) {
    const auto fetch = fetch_instance_identity(
        pointing_at(service, {{"AWS_EC2_METADATA_DISABLED", value}}), kQuick);
    EXPECT_TRUE(mentions(fetch.error, "AWS_EC2_METADATA_DISABLED")) << fetch.error;
    EXPECT_TRUE(mentions(fetch.error, service.url())) << fetch.error;
  }
  EXPECT_EQ(service.token_requests(), 0);
  // Only "true" disables it, as in the SDKs.
  const auto enabled = fetch_instance_identity(
      pointing_at(service, {{"AWS_EC2_METADATA_DISABLED", "false"}}), kQuick);
  EXPECT_EQ(enabled.error, "");
}

TEST(InstanceMetadata, BadEndpointVariableIsReported) {
  const auto fetch = fetch_instance_identity(
      environment_of({{"AWS_EC2_METADATA_SERVICE_ENDPOINT", "https://169.254.169.254"}}), kQuick);
  EXPECT_TRUE(mentions(fetch.error, "AWS_EC2_METADATA_SERVICE_ENDPOINT")) << fetch.error;
}

}  // namespace
}  // namespace irsa::aws
