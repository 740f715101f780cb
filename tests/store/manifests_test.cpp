// read_text and add_identity_documents: files to text, manifests to the identities the mutation
// looks up, and the errors a user gets for manifests that are not what the webhook expects.
#include "irsa/store/manifests.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "irsa/core/identity_sources.hpp"
#include "irsa/core/settings.hpp"
#include "irsa/store/yaml_json.hpp"

namespace irsa::store {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;
using ::testing::StartsWith;

constexpr std::string_view kRole = "arn:aws:iam::111122223333:role/app";

std::vector<nlohmann::json> documents(std::string_view yaml) {
  DocumentsParse parsed = parse_documents(yaml);
  EXPECT_EQ(parsed.error, "") << yaml;
  return parsed.documents;
}

// A fresh file under the test temp directory, removed at the end of the test.
class TempFile {
 public:
  explicit TempFile(std::string_view contents) {
    path_ = std::filesystem::temp_directory_path() /
            ("irsa_store_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter_++));
    std::ofstream out(path_, std::ios::binary);
    out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  [[nodiscard]] std::string path() const { return path_.string(); }

 private:
  static inline int counter_ = 0;
  std::filesystem::path path_;
};

// --- read_text ------------------------------------------------------------------------------

TEST(ReadText, ReadsWholeFileByteForByte) {
  const std::string contents =
      std::string("a: 1\r\n") + std::string(1, '\0') + std::string(200000, 'x') + "\xFF\nend";
  TempFile file(contents);
  TextRead read = read_text(file.path());
  EXPECT_EQ(read.error, "");
  EXPECT_EQ(read.text, contents);
}

TEST(ReadText, EmptyFileIsEmptyText) {
  TempFile file("");
  TextRead read = read_text(file.path());
  EXPECT_EQ(read.error, "");
  EXPECT_EQ(read.text, "");
}

TEST(ReadText, MissingFileNamesPathAndReason) {
  const std::string path = "/nonexistent-irsa-dir/service-accounts.yaml";
  TextRead read = read_text(path);
  EXPECT_THAT(read.error, HasSubstr(path));
  EXPECT_THAT(read.error, HasSubstr("No such file or directory"));
  EXPECT_EQ(read.text, "");
}

TEST(ReadText, DirectoryIsAnError) {
  TextRead read = read_text(std::filesystem::temp_directory_path().string());
  EXPECT_THAT(read.error, HasSubstr(std::filesystem::temp_directory_path().string()));
  EXPECT_THAT(read.error, HasSubstr("directory"));
  EXPECT_EQ(read.text, "");
}

TEST(ReadText, DashReadsStandardInput) {
  TempFile file("from stdin\n");
  // Point this process's standard input at the file; nothing else in the test binary reads it.
  ASSERT_NE(std::freopen(file.path().c_str(), "rb", stdin), nullptr);
  TextRead read = read_text("-");
  EXPECT_EQ(read.error, "");
  EXPECT_EQ(read.text, "from stdin\n");
}

// --- add_identity_documents -----------------------------------------------------------------

class Manifests : public ::testing::Test {
 protected:
  std::string add(std::string_view yaml) {
    return add_identity_documents(documents(yaml), settings, identities, problems);
  }

  core::Settings settings;
  core::StaticIdentities identities;
  std::vector<std::string> problems;
};

TEST_F(Manifests, ServiceAccountAnnotationsBecomeTheEntry) {
  ASSERT_EQ(add(R"(
apiVersion: v1
kind: ServiceAccount
metadata:
  name: app
  namespace: shop
  annotations:
    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/app
    eks.amazonaws.com/audience: my-audience
    eks.amazonaws.com/sts-regional-endpoints: "true"
    eks.amazonaws.com/token-expiration: "3600"
    unrelated.example.com/note: hello
)"),
            "");
  auto entry = identities.find_service_account("shop", "app");
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(entry->role_arn, kRole);
  EXPECT_EQ(entry->audience, "my-audience");
  EXPECT_TRUE(entry->use_regional_sts);
  EXPECT_EQ(entry->token_expiration, 3600);
  EXPECT_THAT(entry->problems, IsEmpty());
  EXPECT_THAT(problems, IsEmpty());
  EXPECT_EQ(identities.find_service_account("default", "app"), nullptr);
  EXPECT_EQ(identities.service_account_count(), 1U);
}

TEST_F(Manifests, NamespacesBringTheirLabelsForRolePolicies) {
  ASSERT_EQ(add(R"(
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    team: shop
---
apiVersion: v1
kind: Namespace
metadata:
  name: bare
)"),
            "");
  ASSERT_NE(identities.namespace_labels("shop"), nullptr);
  EXPECT_EQ(*identities.namespace_labels("shop"),
            (core::Labels{{"kubernetes.io/metadata.name", "shop"}, {"team", "shop"}}));
  ASSERT_NE(identities.namespace_labels("bare"), nullptr);
  EXPECT_EQ(identities.namespace_labels("bare")->size(), 1U);
  EXPECT_EQ(identities.namespace_labels("other"), nullptr);
  EXPECT_EQ(add("kind: Namespace\nmetadata:\n  name: x\n  labels: [a]\n"),
            "document 1: Namespace x labels is not an object");
}

TEST_F(Manifests, NamespaceDefaultsAndUnannotatedAccountsAreKnown) {
  ASSERT_EQ(add(R"(
kind: ServiceAccount
metadata:
  name: plain
---
kind: ServiceAccount
metadata:
  name: empty-annotations
  namespace: ""
  annotations:
)"),
            "");
  auto plain = identities.find_service_account("default", "plain");
  ASSERT_NE(plain, nullptr);
  EXPECT_EQ(plain->role_arn, "");
  // Flag defaults fill what annotations do not say.
  EXPECT_EQ(plain->audience, settings.web_identity.audience);
  EXPECT_EQ(plain->token_expiration, settings.token_expiration);
  EXPECT_NE(identities.find_service_account("default", "empty-annotations"), nullptr);
}

TEST_F(Manifests, SettingsReachTheCore) {
  settings.annotation_prefix = "example.com";
  ASSERT_EQ(add(R"(
kind: ServiceAccount
metadata:
  name: app
  annotations:
    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/ignored
    example.com/role-arn: arn:aws:iam::111122223333:role/app
)"),
            "");
  auto entry = identities.find_service_account("default", "app");
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(entry->role_arn, kRole);
}

TEST_F(Manifests, AnnotationProblemsStayWithTheEntry) {
  ASSERT_EQ(add(R"(
kind: ServiceAccount
metadata:
  name: app
  annotations:
    eks.amazonaws.com/token-expiration: "soon"
)"),
            "");
  auto entry = identities.find_service_account("default", "app");
  ASSERT_NE(entry, nullptr);
  EXPECT_THAT(entry->problems, SizeIs(1));
  EXPECT_THAT(problems, IsEmpty());
}

TEST_F(Manifests, ListsAndSeveralDocuments) {
  ASSERT_EQ(add(R"(
apiVersion: v1
kind: List
items:
  - kind: ServiceAccount
    metadata: {name: one, namespace: a}
  - kind: ServiceAccount
    metadata:
      name: two
      namespace: a
      annotations: {eks.amazonaws.com/role-arn: "arn:aws:iam::111122223333:role/app"}
---
apiVersion: v1
kind: ServiceAccountList
metadata: {resourceVersion: "1"}
items:
  - kind: ServiceAccount
    metadata: {name: three, namespace: b}
---
kind: List
items: []
---
kind: ServiceAccount
metadata: {name: four, namespace: b}
)"),
            "");
  EXPECT_EQ(identities.service_account_count(), 4U);
  EXPECT_NE(identities.find_service_account("a", "one"), nullptr);
  auto two = identities.find_service_account("a", "two");
  ASSERT_NE(two, nullptr);
  EXPECT_EQ(two->role_arn, kRole);
  EXPECT_NE(identities.find_service_account("b", "three"), nullptr);
  EXPECT_NE(identities.find_service_account("b", "four"), nullptr);
}

TEST_F(Manifests, JsonListFromKubectlWorks) {
  ASSERT_EQ(add(R"({
  "apiVersion": "v1",
  "kind": "List",
  "items": [
    {"apiVersion": "v1", "kind": "ServiceAccount",
     "metadata": {"name": "app", "namespace": "shop",
                  "annotations": {"eks.amazonaws.com/role-arn": "arn:aws:iam::111122223333:role/app"}}}
  ]
})"),
            "");
  auto entry = identities.find_service_account("shop", "app");
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(entry->role_arn, kRole);
}

TEST_F(Manifests, ConfigMapEntriesAreAddedAndTheirProblemsReported) {
  ASSERT_EQ(add(R"(
apiVersion: v1
kind: ConfigMap
metadata:
  name: pod-identity-webhook
  namespace: kube-system
data:
  config: |
    {
      "shop/app": {"RoleARN": "arn:aws:iam::111122223333:role/app", "UseRegionalSTS": true},
      "not-a-key": {"RoleARN": "arn:aws:iam::111122223333:role/other"}
    }
---
kind: ServiceAccount
metadata: {name: other}
)"),
            "");
  auto entry = identities.find_config_map_entry("shop", "app");
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(entry->role_arn, kRole);
  EXPECT_TRUE(entry->use_regional_sts);
  // A ConfigMap mapping is not a ServiceAccount of its own.
  EXPECT_EQ(identities.find_service_account("shop", "app"), nullptr);
  EXPECT_NE(identities.find_service_account("default", "other"), nullptr);
  ASSERT_THAT(problems, SizeIs(1));
  EXPECT_THAT(problems[0], StartsWith("document 1: ConfigMap kube-system/pod-identity-webhook"));
  EXPECT_THAT(problems[0], HasSubstr("not-a-key"));
}

TEST_F(Manifests, ConfigMapInsideAList) {
  ASSERT_EQ(add(R"(
kind: List
items:
  - kind: ConfigMap
    metadata: {name: pod-identity-webhook}
    data:
      config: '{"*/builder": {"RoleARN": "arn:aws:iam::111122223333:role/app"}}'
)"),
            "");
  auto entry = identities.find_config_map_entry("*", "builder");
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(entry->role_arn, kRole);
}

TEST_F(Manifests, BrokenConfigMapIsAnError) {
  EXPECT_THAT(add(R"(
kind: ConfigMap
metadata: {name: pod-identity-webhook}
data:
  config: "not json"
)"),
              StartsWith("document 1: ConfigMap default/pod-identity-webhook data.config: "));
  EXPECT_THAT(add(R"(
kind: ConfigMap
metadata: {name: pod-identity-webhook}
data: {other: x}
)"),
              HasSubstr("has no data.config"));
}

TEST_F(Manifests, OtherConfigMapIsAnError) {
  EXPECT_EQ(add(R"(
kind: ConfigMap
metadata: {name: settings}
data: {config: "{}"}
)"),
            "document 1: ConfigMap settings is not the pod-identity-webhook ConfigMap");
}

TEST_F(Manifests, OtherKindNamesDocument) {
  EXPECT_EQ(add(R"(
kind: ServiceAccount
metadata: {name: fine}
---
apiVersion: v1
kind: Pod
metadata: {name: web}
)"),
            "document 2: kind Pod is not a ServiceAccount");
}

TEST_F(Manifests, ErrorsLeaveIdentitiesAndProblemsUntouched) {
  std::string error = add(R"(
kind: ConfigMap
metadata: {name: pod-identity-webhook}
data:
  config: '{"bad": {}, "a/b": {"RoleARN": "arn:aws:iam::111122223333:role/app"}}'
---
kind: ServiceAccount
metadata: {name: fine}
---
kind: Secret
metadata: {name: nope}
)");
  EXPECT_EQ(error, "document 3: kind Secret is not a ServiceAccount");
  EXPECT_EQ(identities.find_service_account("default", "fine"), nullptr);
  EXPECT_EQ(identities.find_config_map_entry("a", "b"), nullptr);
  EXPECT_EQ(identities.service_account_count(), 0U);
  EXPECT_THAT(problems, IsEmpty());
}

TEST_F(Manifests, MissingOrBadNameIsAnError) {
  EXPECT_EQ(add("kind: ServiceAccount\nmetadata: {namespace: shop}\n"),
            "document 1: ServiceAccount has no metadata.name");
  EXPECT_EQ(add("kind: ServiceAccount\n"), "document 1: ServiceAccount has no metadata.name");
  EXPECT_EQ(add("kind: ServiceAccount\nmetadata: {name: \"\"}\n"),
            "document 1: ServiceAccount has no metadata.name");
  EXPECT_THAT(add("kind: ServiceAccount\nmetadata: {name: 12}\n"),
              StartsWith("document 1: ServiceAccount metadata.name is not a string"));
  EXPECT_THAT(add("kind: ServiceAccount\nmetadata: {name: a, namespace: [x]}\n"),
              StartsWith("document 1: ServiceAccount metadata.namespace is not a string"));
  EXPECT_THAT(add("kind: ServiceAccount\nmetadata: text\n"),
              StartsWith("document 1: ServiceAccount metadata is not an object"));
}

TEST_F(Manifests, NonObjectOrKindlessDocumentIsAnError) {
  EXPECT_THAT(add("a: 1\n---\n- kind: ServiceAccount\n"), StartsWith("document 1: has no kind"));
  EXPECT_THAT(add("kind: ServiceAccount\nmetadata: {name: a}\n---\n- kind: ServiceAccount\n"),
              StartsWith("document 2: not a Kubernetes object (found array)"));
  EXPECT_THAT(add("just text\n"), StartsWith("document 1: not a Kubernetes object"));
  EXPECT_THAT(add("kind: 3\n"), StartsWith("document 1: kind is not a string"));
}

TEST_F(Manifests, UnquotedAnnotationValueIsAnError) {
  // YAML types the unquoted value as a boolean; the API server would reject it too.
  std::string error = add(R"(
kind: ServiceAccount
metadata:
  name: app
  annotations:
    eks.amazonaws.com/sts-regional-endpoints: true
)");
  EXPECT_THAT(error, StartsWith("document 1: ServiceAccount default/app annotation "
                                "eks.amazonaws.com/sts-regional-endpoints is not a string"));
  EXPECT_THAT(error, HasSubstr("boolean"));
  EXPECT_THAT(add("kind: ServiceAccount\nmetadata: {name: a, annotations: [x]}\n"),
              HasSubstr("metadata.annotations is not an object"));
}

TEST_F(Manifests, ListItemErrorsNameTheItem) {
  EXPECT_EQ(add(R"(
kind: ServiceAccount
metadata: {name: fine}
---
kind: List
items:
  - kind: ServiceAccount
    metadata: {name: ok}
  - kind: Deployment
    metadata: {name: web}
)"),
            "document 2, item 2: kind Deployment is not a ServiceAccount");
  EXPECT_EQ(add("kind: List\nitems:\n  - kind: List\n    items: []\n"),
            "document 1, item 1: a List inside a list is not supported");
  EXPECT_THAT(add("kind: ServiceAccountList\nitems: {a: 1}\n"),
              StartsWith("document 1: ServiceAccountList items is not a list"));
}

TEST_F(Manifests, RedefinedServiceAccountKeepsTheLaterOneAndSaysSo) {
  ASSERT_EQ(add(R"(
kind: ServiceAccount
metadata:
  name: app
  annotations: {eks.amazonaws.com/role-arn: "arn:aws:iam::111122223333:role/old"}
---
kind: ServiceAccount
metadata:
  name: app
  annotations: {eks.amazonaws.com/role-arn: "arn:aws:iam::111122223333:role/app"}
)"),
            "");
  auto entry = identities.find_service_account("default", "app");
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(entry->role_arn, kRole);
  EXPECT_THAT(problems, ElementsAre(HasSubstr("document 2: ServiceAccount default/app")));

  // Also across calls, e.g. two files naming the same account.
  problems.clear();
  ASSERT_EQ(add("kind: ServiceAccount\nmetadata: {name: app}\n"), "");
  EXPECT_THAT(problems, SizeIs(1));
  EXPECT_EQ(identities.find_service_account("default", "app")->role_arn, "");
}

TEST_F(Manifests, NoDocumentsIsNothingToDo) {
  EXPECT_EQ(add_identity_documents({}, settings, identities, problems), "");
  EXPECT_EQ(identities.service_account_count(), 0U);
}

}  // namespace
}  // namespace irsa::store
