#include "irsa/server/tls_options.hpp"

#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <boost/asio/ssl/context.hpp>
#include <string>
#include <vector>

#include "support/scratch_dir.hpp"

namespace irsa::server {
namespace {

TEST(TlsOptions, MinVersionTakesUpstreamsSpellings) {
  EXPECT_EQ(parse_tls_options("", "").min_version, TLS1_2_VERSION);
  EXPECT_EQ(parse_tls_options("1.0", "").min_version, TLS1_VERSION);
  EXPECT_EQ(parse_tls_options("VersionTLS11", "").min_version, TLS1_1_VERSION);
  EXPECT_EQ(parse_tls_options("1.3", "").min_version, TLS1_3_VERSION);
  for (const char* bad : {"TLS1.2", "1.4", "v1.2", " 1.2"}) {
    EXPECT_THROW((void)parse_tls_options(bad, ""), std::invalid_argument) << bad;
  }
}

TEST(TlsOptions, CipherSuitesAreTrimmedMappedAndTls13NamesIgnored) {
  auto options =
      parse_tls_options("",
                        " TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,,TLS_AES_128_GCM_SHA256, "
                        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305 ");
  EXPECT_EQ(options.cipher_list, "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305");
  EXPECT_EQ(options.min_version, TLS1_2_VERSION);
  EXPECT_EQ(parse_tls_options("", "").cipher_list, "");
}

TEST(TlsOptions, OnlyTls13NamesLeaveTls12WithoutASuite) {
  const auto options = parse_tls_options("1.2", "TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384");
  EXPECT_EQ(options.min_version, TLS1_3_VERSION);
  EXPECT_EQ(options.cipher_list, "");
  EXPECT_EQ(parse_tls_options("1.2", " , ").min_version, TLS1_2_VERSION) << "nothing named";
}

TEST(TlsOptions, UnknownCipherSuiteIsAnErrorNamingIt) {
  try {
    (void)parse_tls_options("", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_MADE_UP");
    FAIL() << "accepted an unknown suite";
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find("TLS_MADE_UP"), std::string::npos);
  }
}

class ServerContextTest : public ::testing::Test {
 protected:
  void make_pair(const std::string& name, const std::vector<std::string>& key_args) {
    ASSERT_EQ(irsa::testing::make_self_signed_pair(dir_, name, key_args), "");
  }
  std::string path(const std::string& name) const { return dir_.path(name); }

  irsa::testing::ScratchDir dir_{"irsa-tls"};
};

TEST_F(ServerContextTest, LoadsRsaAndEcdsaPairs) {
  make_pair("rsa", {"-newkey", "rsa:2048"});
  make_pair("ec", {"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"});
  const TlsOptions options = parse_tls_options("", "");
  EXPECT_NE(make_server_context(path("rsa.crt"), path("rsa.key"), options), nullptr);
  EXPECT_NE(make_server_context(path("ec.crt"), path("ec.key"), options), nullptr);
}

// What a context offers for TLS 1.2 and below (TLS 1.3's suites, named TLS_*, left out).
struct Offered {
  std::vector<std::string> names;
  bool all_ecdhe_aead = true;
};

Offered offered_below_tls13(boost::asio::ssl::context& context) {
  Offered offered;
  STACK_OF(SSL_CIPHER)* ciphers = SSL_CTX_get_ciphers(context.native_handle());
  for (int i = 0; i < sk_SSL_CIPHER_num(ciphers); ++i) {
    const SSL_CIPHER* cipher = sk_SSL_CIPHER_value(ciphers, i);
    const std::string name = SSL_CIPHER_get_name(cipher);
    if (name.rfind("TLS_", 0) == 0) continue;
    offered.names.push_back(name);
    if (SSL_CIPHER_get_kx_nid(cipher) != NID_kx_ecdhe || SSL_CIPHER_is_aead(cipher) != 1) {
      offered.all_ecdhe_aead = false;
    }
  }
  return offered;
}

bool has(const Offered& offered, const std::string& name) {
  return std::find(offered.names.begin(), offered.names.end(), name) != offered.names.end();
}

TEST_F(ServerContextTest, DefaultSuitesAreEcdheWithAuthenticatedEncryptionOnly) {
  make_pair("rsa", {"-newkey", "rsa:2048"});
  auto context = make_server_context(path("rsa.crt"), path("rsa.key"), parse_tls_options("", ""));
  const Offered offered = offered_below_tls13(*context);
  EXPECT_EQ(offered.names.size(), 6u);
  EXPECT_TRUE(offered.all_ecdhe_aead) << ::testing::PrintToString(offered.names);
  EXPECT_FALSE(has(offered, "AES128-SHA")) << "static RSA key exchange";
  EXPECT_FALSE(has(offered, "ECDHE-RSA-AES128-SHA256")) << "CBC";

  // TLS 1.0 and 1.1 have no AEAD suite: allowing them adds ECDHE with CBC, still no static RSA.
  auto legacy = make_server_context(path("rsa.crt"), path("rsa.key"), parse_tls_options("1.0", ""));
  const Offered legacy_offered = offered_below_tls13(*legacy);
  EXPECT_TRUE(has(legacy_offered, "ECDHE-RSA-AES128-SHA"));
  EXPECT_FALSE(has(legacy_offered, "AES128-SHA"));
}

TEST_F(ServerContextTest, ChosenSuitesAreExactlyWhatIsNamed) {
  make_pair("rsa", {"-newkey", "rsa:2048"});
  auto context = make_server_context(
      path("rsa.crt"), path("rsa.key"),
      parse_tls_options("", "TLS_RSA_WITH_AES_128_CBC_SHA,TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"));
  EXPECT_EQ(offered_below_tls13(*context).names,
            (std::vector<std::string>{"AES128-SHA", "ECDHE-RSA-AES128-SHA"}));
}

TEST_F(ServerContextTest, MismatchedOrMissingFilesAreErrorsNamingTheFile) {
  make_pair("a", {"-newkey", "rsa:2048"});
  make_pair("b", {"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"});
  const TlsOptions options = parse_tls_options("", "");
  try {
    (void)make_server_context(path("a.crt"), path("b.key"), options);
    FAIL() << "a key of another certificate was accepted";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find(path("b.key")), std::string::npos) << error.what();
  }
  try {
    (void)make_server_context(path("missing.crt"), path("a.key"), options);
    FAIL() << "a missing certificate was accepted";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("missing.crt"), std::string::npos) << error.what();
  }
}

}  // namespace
}  // namespace irsa::server
