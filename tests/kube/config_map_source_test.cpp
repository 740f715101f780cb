// The pod-identity-webhook ConfigMap: upstream's format and precedence, and the places where
// upstream breaks (deletion, keys without a slash, invalid JSON).
#include "irsa/kube/config_map_source.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace irsa::kube {
namespace {

class RecordingObserver final : public SourceObserver {
 public:
  void log(Level level, std::string_view message, SourceFields fields) override {
    std::string line(level == Level::error ? "E" : level == Level::warn ? "W" : "I");
    line.push_back(' ');
    line.append(message);
    for (const auto& field : fields) {
      line.push_back(' ');
      line.append(field.key).push_back('=');
      line.append(field.value);
    }
    lines.push_back(std::move(line));
  }
  [[nodiscard]] bool saw(const std::string& text) const {
    for (const auto& line : lines) {
      if (line.find(text) != std::string::npos) return true;
    }
    return false;
  }
  std::vector<std::string> lines;
};

std::string config_map_json(const std::string& config, const std::string& rv) {
  std::string escaped;
  for (const char c : config) {
    if (c == '"' || c == '\\') escaped.push_back('\\');
    escaped.push_back(c);
  }
  return R"({"metadata":{"name":"pod-identity-webhook","namespace":"eks","resourceVersion":")" +
         rv + R"("},"data":{"config":")" + escaped + R"("}})";
}

class ConfigMapSourceTest : public ::testing::Test {
 protected:
  ConfigMapSourceTest()
      : source_("eks", settings_, observer_,
                [this](std::shared_ptr<const core::StaticIdentities> entries) {
                  published_.push_back(std::move(entries));
                }) {}

  [[nodiscard]] std::shared_ptr<const core::StaticIdentities> latest() const {
    return published_.empty() ? nullptr : published_.back();
  }

  core::Settings settings_;
  RecordingObserver observer_;
  std::vector<std::shared_ptr<const core::StaticIdentities>> published_;
  ConfigMapSource source_;
};

constexpr const char* kConfig =
    R"({"apps/web":{"RoleARN":"arn:aws:iam::111122223333:role/web","Audience":"sts.amazonaws.com","UseRegionalSTS":true,"TokenExpiration":0},)"
    R"("*/shared":{"RoleARN":"arn:aws:iam::111122223333:role/shared"}})";

TEST_F(ConfigMapSourceTest, AsksForTheOneConfigMapInItsNamespace) {
  EXPECT_EQ(source_.collection_path(), "/api/v1/namespaces/eks/configmaps");
  EXPECT_EQ(source_.extra_query(), "fieldSelector=metadata.name%3Dpod-identity-webhook");
}

TEST_F(ConfigMapSourceTest, ListedEntriesArePublishedWithWildcards) {
  source_.begin_list();
  const auto page = source_.add_page(R"({"metadata":{"resourceVersion":"7"},"items":[)" +
                                     config_map_json(kConfig, "5") + "]}");
  ASSERT_EQ(page.error, "");
  source_.commit_list();
  ASSERT_NE(latest(), nullptr);
  const auto web = latest()->find_config_map_entry("apps", "web");
  ASSERT_NE(web, nullptr);
  EXPECT_EQ(web->role_arn, "arn:aws:iam::111122223333:role/web");
  EXPECT_TRUE(web->use_regional_sts);
  EXPECT_EQ(web->token_expiration, settings_.token_expiration) << "0 means the flag's value";
  EXPECT_NE(latest()->find_config_map_entry("*", "shared"), nullptr);
}

TEST_F(ConfigMapSourceTest, AnEmptyListPublishesNoEntries) {
  source_.begin_list();
  ASSERT_EQ(source_.add_page(R"({"metadata":{"resourceVersion":"7"},"items":[]})").error, "");
  source_.commit_list();
  ASSERT_NE(latest(), nullptr);
  EXPECT_EQ(latest()->config_map_entry_count(), 0u);
}

TEST_F(ConfigMapSourceTest, UpdatesReplaceAndDeletionClears) {
  auto result =
      source_.apply_event(R"({"type":"ADDED","object":)" + config_map_json(kConfig, "8") + "}");
  EXPECT_EQ(result.kind, EventKind::applied);
  ASSERT_NE(latest()->find_config_map_entry("apps", "web"), nullptr);

  result = source_.apply_event(
      R"({"type":"MODIFIED","object":)" +
      config_map_json(R"({"apps/api":{"RoleARN":"arn:aws:iam::111122223333:role/api"}})", "9") +
      "}");
  EXPECT_EQ(result.kind, EventKind::applied);
  EXPECT_EQ(latest()->find_config_map_entry("apps", "web"), nullptr) << "gone from the new config";
  EXPECT_NE(latest()->find_config_map_entry("apps", "api"), nullptr);

  result =
      source_.apply_event(R"({"type":"DELETED","object":)" + config_map_json("{}", "10") + "}");
  EXPECT_EQ(result.kind, EventKind::applied);
  EXPECT_EQ(latest()->config_map_entry_count(), 0u) << "upstream keeps entries of a deleted map";
  EXPECT_TRUE(observer_.saw("cleared"));
}

TEST_F(ConfigMapSourceTest, AKeyWithoutSlashIsSkippedWithALogLine) {
  (void)source_.apply_event(
      R"({"type":"ADDED","object":)" +
      config_map_json(
          R"({"noslash":{"RoleARN":"arn:aws:iam::111122223333:role/x"},"apps/ok":{"RoleARN":"arn:aws:iam::111122223333:role/ok"}})",
          "3") +
      "}");
  ASSERT_NE(latest(), nullptr);
  EXPECT_EQ(latest()->config_map_entry_count(), 1u);
  EXPECT_NE(latest()->find_config_map_entry("apps", "ok"), nullptr);
  EXPECT_TRUE(observer_.saw("noslash")) << ::testing::PrintToString(observer_.lines);
}

TEST_F(ConfigMapSourceTest, InvalidJsonKeepsThePreviousEntries) {
  (void)source_.apply_event(R"({"type":"ADDED","object":)" + config_map_json(kConfig, "3") + "}");
  const auto before = published_.size();
  (void)source_.apply_event(R"({"type":"MODIFIED","object":)" + config_map_json("not json", "4") +
                            "}");
  EXPECT_EQ(published_.size(), before);
  EXPECT_NE(latest()->find_config_map_entry("apps", "web"), nullptr);
  EXPECT_TRUE(observer_.saw("E ConfigMap config not applied"));
}

TEST_F(ConfigMapSourceTest, OtherConfigMapsAreIgnored) {
  (void)source_.apply_event(
      R"({"type":"ADDED","object":{"metadata":{"name":"other","namespace":"eks","resourceVersion":"3"},"data":{"config":"{}"}}})");
  EXPECT_TRUE(published_.empty());
}

}  // namespace
}  // namespace irsa::kube
