// The fake API server's TokenRequest subresource and issuer discovery over real HTTPS: tokens
// carry the API server's claims and verify against the published JWKS with OpenSSL, and the
// refusals are the API server's. No test prints a token.
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "support/base64url.hpp"
#include "support/fake_kube_api.hpp"
#include "support/https_client.hpp"
#include "support/scratch_dir.hpp"

namespace irsa::testing {
namespace {

using nlohmann::json;

constexpr const char* kTokenPath = "/api/v1/namespaces/shop/serviceaccounts/api/token";

struct TokenCluster {
  TokenCluster() : dir("fake-tokens") {
    EXPECT_EQ(make_self_signed_pair(dir, "server",
                                    {"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                                     "-addext", "subjectAltName=IP:127.0.0.1"}),
              "");
    FakeKubeApiOptions options;
    options.cert_file = dir.path("server.crt");
    options.key_file = dir.path("server.key");
    api = std::make_unique<FakeKubeApi>(options);
    api->put_service_account("shop", "api");
    client = std::make_unique<HttpClient>(api->port(), dir.path("server.crt"));
  }
  HttpResult request_token(const std::string& body) { return client->post_json(kTokenPath, body); }
  ScratchDir dir;
  std::unique_ptr<FakeKubeApi> api;
  std::unique_ptr<HttpClient> client;
};

struct Jwt {
  json header, claims;
  std::string signed_part, signature;
};

Jwt split_jwt(const std::string& token) {
  Jwt jwt;
  const auto first = token.find('.');
  const auto second = token.find('.', first + 1);
  if (first == std::string::npos || second == std::string::npos) return jwt;
  jwt.header = json::parse(base64url_decode(token.substr(0, first)).value_or(""), nullptr, false);
  jwt.claims = json::parse(
      base64url_decode(token.substr(first + 1, second - first - 1)).value_or(""), nullptr, false);
  jwt.signed_part = token.substr(0, second);
  jwt.signature = base64url_decode(token.substr(second + 1)).value_or("");
  return jwt;
}

// RS256 verification with the RSA public key a JWK describes, as an OIDC relying party does.
bool verifies_with(const Jwt& jwt, const json& jwk) {
  const auto n = base64url_decode(jwk.value("n", ""));
  const auto e = base64url_decode(jwk.value("e", ""));
  if (!n || !e) return false;
  BIGNUM* modulus = BN_bin2bn(reinterpret_cast<const unsigned char*>(n->data()),
                              static_cast<int>(n->size()), nullptr);
  BIGNUM* exponent = BN_bin2bn(reinterpret_cast<const unsigned char*>(e->data()),
                               static_cast<int>(e->size()), nullptr);
  OSSL_PARAM_BLD* builder = OSSL_PARAM_BLD_new();
  OSSL_PARAM_BLD_push_BN(builder, OSSL_PKEY_PARAM_RSA_N, modulus);
  OSSL_PARAM_BLD_push_BN(builder, OSSL_PKEY_PARAM_RSA_E, exponent);
  OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(builder);
  EVP_PKEY_CTX* from_data = EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr);
  EVP_PKEY* key = nullptr;
  bool ok = EVP_PKEY_fromdata_init(from_data) == 1 &&
            EVP_PKEY_fromdata(from_data, &key, EVP_PKEY_PUBLIC_KEY, params) == 1;
  EVP_MD_CTX* verify = EVP_MD_CTX_new();
  ok = ok && EVP_DigestVerifyInit(verify, nullptr, EVP_sha256(), nullptr, key) == 1 &&
       EVP_DigestVerify(verify, reinterpret_cast<const unsigned char*>(jwt.signature.data()),
                        jwt.signature.size(),
                        reinterpret_cast<const unsigned char*>(jwt.signed_part.data()),
                        jwt.signed_part.size()) == 1;
  EVP_MD_CTX_free(verify);
  EVP_PKEY_free(key);
  EVP_PKEY_CTX_free(from_data);
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(builder);
  BN_free(modulus);
  BN_free(exponent);
  return ok;
}

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// --- TokenRequest ------------------------------------------------------------------------------

TEST(FakeKubeTokens, ATokenRequestIsAnsweredWithASignedServiceAccountToken) {
  TokenCluster cluster;
  const auto result = cluster.request_token(R"({"apiVersion":"authentication.k8s.io/v1",
      "kind":"TokenRequest","spec":{"audiences":["sts.amazonaws.com"],"expirationSeconds":86400}})");
  ASSERT_EQ(result.status, 201);  // the body holds a token: not printed
  const auto answer = json::parse(result.body);
  EXPECT_EQ(answer["kind"], "TokenRequest");
  EXPECT_EQ(answer["apiVersion"], "authentication.k8s.io/v1");
  EXPECT_EQ(answer["metadata"]["name"], "api");
  EXPECT_EQ(answer["metadata"]["namespace"], "shop");
  EXPECT_EQ(answer["spec"]["audiences"], json::array({"sts.amazonaws.com"}));
  EXPECT_EQ(answer["spec"]["expirationSeconds"], 86400);
  const auto expiry = answer["status"]["expirationTimestamp"].get<std::string>();
  EXPECT_EQ(expiry.size(), 20u);
  EXPECT_EQ(expiry.back(), 'Z');

  const auto jwt = split_jwt(answer["status"]["token"].get<std::string>());
  EXPECT_EQ(jwt.header, json({{"alg", "RS256"}, {"kid", cluster.api->signing_key_id()}}));
  const auto& claims = jwt.claims;
  EXPECT_EQ(claims["aud"], json::array({"sts.amazonaws.com"}));
  EXPECT_EQ(claims["iss"], "https://kubernetes.default.svc.cluster.local");
  EXPECT_EQ(claims["sub"], "system:serviceaccount:shop:api");
  EXPECT_EQ(claims["exp"].get<std::int64_t>() - claims["iat"].get<std::int64_t>(), 86400);
  EXPECT_EQ(claims["nbf"], claims["iat"]);
  EXPECT_LE(std::abs(claims["iat"].get<std::int64_t>() - now_seconds()), 5);
  EXPECT_EQ(claims["jti"].get<std::string>().size(), 36u);
  // The account's uid, as GET shows it.
  const auto account =
      json::parse(cluster.client->get("/api/v1/namespaces/shop/serviceaccounts/api").body);
  EXPECT_EQ(claims["kubernetes.io"],
            json({{"namespace", "shop"},
                  {"serviceaccount", {{"name", "api"}, {"uid", account["metadata"]["uid"]}}}}));
  EXPECT_EQ(cluster.api->token_requests(), 1);
}

TEST(FakeKubeTokens, TheSignatureVerifiesAgainstThePublishedKeySet) {
  TokenCluster cluster;
  const auto result = cluster.request_token(R"({"kind":"TokenRequest","spec":{}})");
  ASSERT_EQ(result.status, 201);
  const auto jwt = split_jwt(json::parse(result.body)["status"]["token"].get<std::string>());
  const auto jwks = cluster.client->get("/openid/v1/jwks");
  ASSERT_EQ(jwks.status, 200);
  EXPECT_EQ(jwks.headers.at("content-type"), "application/jwk-set+json");
  const auto keys = json::parse(jwks.body)["keys"];
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_EQ(keys[0]["kid"], jwt.header["kid"]);
  EXPECT_EQ(keys[0]["use"], "sig");
  EXPECT_EQ(keys[0]["kty"], "RSA");
  EXPECT_EQ(keys[0]["alg"], "RS256");
  EXPECT_EQ(keys[0]["e"], "AQAB");
  EXPECT_TRUE(verifies_with(jwt, keys[0]));
  // A token altered after signing does not verify.
  Jwt tampered = jwt;
  tampered.signed_part.back() = tampered.signed_part.back() == 'A' ? 'B' : 'A';
  EXPECT_FALSE(verifies_with(tampered, keys[0]));
}

TEST(FakeKubeTokens, WithoutAudiencesTheTokenIsForTheIssuerAndLastsAnHour) {
  TokenCluster cluster;
  const auto result = cluster.request_token(R"({"spec":{}})");  // kind and apiVersion implied
  ASSERT_EQ(result.status, 201);
  const auto answer = json::parse(result.body);
  EXPECT_EQ(answer["spec"]["audiences"],
            json::array({"https://kubernetes.default.svc.cluster.local"}));
  EXPECT_EQ(answer["spec"]["expirationSeconds"], 3600);
  const auto claims = split_jwt(answer["status"]["token"].get<std::string>()).claims;
  EXPECT_EQ(claims["aud"], json::array({"https://kubernetes.default.svc.cluster.local"}));
  EXPECT_EQ(claims["exp"].get<std::int64_t>() - claims["iat"].get<std::int64_t>(), 3600);
}

TEST(FakeKubeTokens, TheTokensIssuerCanDifferFromDiscovery) {
  TokenCluster cluster;
  cluster.api->set_issuer("https://oidc.eks.us-west-2.amazonaws.com/id/EXAMPLE");
  cluster.api->set_token_issuer("https://kubernetes.default.svc");
  EXPECT_EQ(cluster.api->token_issuer(), "https://kubernetes.default.svc");
  const auto token = json::parse(cluster.request_token(R"({"spec":{}})").body);
  const auto claims = split_jwt(token["status"]["token"].get<std::string>()).claims;
  EXPECT_EQ(claims["iss"], "https://kubernetes.default.svc");
  EXPECT_EQ(claims["aud"], json::array({"https://kubernetes.default.svc"}));
  EXPECT_EQ(json::parse(cluster.client->get("/.well-known/openid-configuration").body)["issuer"],
            "https://oidc.eks.us-west-2.amazonaws.com/id/EXAMPLE");
  cluster.api->set_token_issuer("");
  const auto again = json::parse(cluster.request_token(R"({"spec":{}})").body);
  EXPECT_EQ(split_jwt(again["status"]["token"].get<std::string>()).claims["iss"],
            "https://oidc.eks.us-west-2.amazonaws.com/id/EXAMPLE");
}

TEST(FakeKubeTokens, ATokenBoundToAPodNamesIt) {
  TokenCluster cluster;
  cluster.api->put_object({{"kind", "Pod"},
                           {"metadata", {{"name", "web-1"}, {"namespace", "shop"}, {"uid", "p-1"}}},
                           {"spec", {{"serviceAccountName", "api"}}}});
  const auto bound = cluster.request_token(
      R"({"spec":{"boundObjectRef":{"kind":"Pod","apiVersion":"v1","name":"web-1"}}})");
  ASSERT_EQ(bound.status, 201);
  const auto claims =
      split_jwt(json::parse(bound.body)["status"]["token"].get<std::string>()).claims;
  EXPECT_EQ(claims["kubernetes.io"]["pod"], json({{"name", "web-1"}, {"uid", "p-1"}}));
  const auto missing = cluster.request_token(
      R"({"spec":{"boundObjectRef":{"kind":"Pod","apiVersion":"v1","name":"gone"}}})");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(json::parse(missing.body)["message"], "pods \"gone\" not found");
  const auto other_uid = cluster.request_token(
      R"({"spec":{"boundObjectRef":{"kind":"Pod","name":"web-1","uid":"p-2"}}})");
  EXPECT_EQ(other_uid.status, 409);
}

TEST(FakeKubeTokens, RefusalsAreTheApiServers) {
  TokenCluster cluster;
  const auto missing = cluster.client->post_json(
      "/api/v1/namespaces/shop/serviceaccounts/nope/token", R"({"kind":"TokenRequest"})");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(json::parse(missing.body)["message"], "serviceaccounts \"nope\" not found");
  EXPECT_EQ(json::parse(missing.body)["details"],
            json({{"name", "nope"}, {"kind", "serviceaccounts"}}));

  const auto short_lived = cluster.request_token(
      R"({"kind":"TokenRequest","apiVersion":"authentication.k8s.io/v1","spec":{"expirationSeconds":599}})");
  EXPECT_EQ(short_lived.status, 422);
  const auto invalid = json::parse(short_lived.body);
  EXPECT_EQ(invalid["reason"], "Invalid");
  EXPECT_EQ(invalid["message"],
            "TokenRequest.authentication.k8s.io \"\" is invalid: spec.expirationSeconds: Invalid "
            "value: 599: may not specify a duration less than 10 minutes");
  EXPECT_EQ(invalid["details"]["causes"][0]["field"], "spec.expirationSeconds");

  const auto pod = cluster.request_token(R"({"kind":"Pod","apiVersion":"v1"})");
  EXPECT_EQ(pod.status, 400);
  EXPECT_EQ(json::parse(pod.body)["reason"], "BadRequest");
  EXPECT_EQ(cluster.request_token("not json").status, 400);
  const auto other_ns = cluster.request_token(R"({"metadata":{"namespace":"blog"},"spec":{}})");
  EXPECT_EQ(other_ns.status, 400);
  // Only POST creates tokens.
  EXPECT_EQ(cluster.client->get(kTokenPath).status, 405);
  EXPECT_EQ(cluster.api->token_requests(), 6);
}

TEST(FakeKubeTokens, NoRecordHoldsTheToken) {
  TokenCluster cluster;
  const auto result = cluster.request_token(R"({"spec":{}})");
  ASSERT_EQ(result.status, 201);
  const auto token = json::parse(result.body)["status"]["token"].get<std::string>();
  const auto requests = cluster.api->requests();
  EXPECT_EQ(requests.back(), std::string("POST ") + kTokenPath);
  for (const auto& line : requests) EXPECT_EQ(line.find(token), std::string::npos);
}

// --- Discovery ---------------------------------------------------------------------------------

TEST(FakeKubeDiscovery, TheProviderConfigurationPointsAtTheKeySet) {
  TokenCluster cluster;
  const auto result = cluster.client->get("/.well-known/openid-configuration");
  ASSERT_EQ(result.status, 200);
  EXPECT_EQ(json::parse(result.body),
            json({{"issuer", "https://kubernetes.default.svc.cluster.local"},
                  {"jwks_uri", cluster.api->url() + "/openid/v1/jwks"},
                  {"response_types_supported", {"id_token"}},
                  {"subject_types_supported", {"public"}},
                  {"id_token_signing_alg_values_supported", {"RS256"}}}));
  cluster.api->set_issuer("https://oidc.example/id/1");
  EXPECT_EQ(cluster.api->issuer(), "https://oidc.example/id/1");
  EXPECT_EQ(json::parse(cluster.client->get("/.well-known/openid-configuration").body)["issuer"],
            "https://oidc.example/id/1");
}

TEST(FakeKubeDiscovery, CanBeMadeUnavailable) {
  TokenCluster cluster;
  cluster.api->set_discovery_available(false);
  const auto configuration = cluster.client->get("/.well-known/openid-configuration");
  EXPECT_EQ(configuration.status, 404);
  EXPECT_EQ(json::parse(configuration.body)["reason"], "NotFound");
  EXPECT_EQ(cluster.client->get("/openid/v1/jwks").status, 404);
  cluster.api->set_discovery_available(true);
  EXPECT_EQ(cluster.client->get("/openid/v1/jwks").status, 200);
  EXPECT_EQ(cluster.client->post_json("/openid/v1/jwks", "{}").status, 405);
}

TEST(FakeKubeDiscovery, EachFakeHasAKeyOfItsOwn) {
  TokenCluster first;
  TokenCluster second;
  EXPECT_NE(first.api->signing_key_id(), second.api->signing_key_id());
  EXPECT_EQ(first.api->signing_key_id().size(), 43u);  // base64url of a SHA-256
}

}  // namespace
}  // namespace irsa::testing
