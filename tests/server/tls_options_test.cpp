#include "irsa/server/tls_options.hpp"

#include <gtest/gtest.h>
#include <openssl/ssl.h>

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
  EXPECT_EQ(parse_tls_options("", "").cipher_list, "");
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
