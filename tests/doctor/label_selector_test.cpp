#include "irsa/doctor/label_selector.hpp"

#include <gtest/gtest.h>

namespace irsa::doctor {
namespace {

using nlohmann::json;

struct SelectorRow {
  const char* name;
  const char* selector;  // JSON
  Labels labels;
  bool matches;
  const char* reason_part;  // in the reason (or the error) when it does not match
};

class LabelSelectorTable : public ::testing::TestWithParam<SelectorRow> {};

TEST_P(LabelSelectorTable, MatchesAsTheApiServerDoes) {
  const SelectorRow& row = GetParam();
  const SelectorMatch match = match_selector(json::parse(row.selector), row.labels);
  EXPECT_EQ(match.matches, row.matches) << match.reason << match.error;
  if (!row.matches) {
    EXPECT_NE((match.reason + match.error).find(row.reason_part), std::string::npos)
        << match.reason << match.error;
  }
}

const Labels kTeam = {{"team", "shop"}, {"tier", "web"}};

INSTANTIATE_TEST_SUITE_P(
    Rows, LabelSelectorTable,
    ::testing::Values(
        SelectorRow{"null_matches_all", "null", {}, true, ""},
        SelectorRow{"empty_matches_all", "{}", kTeam, true, ""},
        SelectorRow{"match_labels_equal", R"({"matchLabels":{"team":"shop"}})", kTeam, true, ""},
        SelectorRow{"match_labels_other_value", R"({"matchLabels":{"team":"data"}})", kTeam, false,
                    "team=data, it is shop"},
        SelectorRow{"match_labels_missing", R"({"matchLabels":{"irsa":"on"}})", kTeam, false,
                    "irsa=on, it is not set"},
        SelectorRow{
            "in_listed",
            R"({"matchExpressions":[{"key":"tier","operator":"In","values":["web","api"]}]})",
            kTeam, true, ""},
        SelectorRow{"in_not_listed",
                    R"({"matchExpressions":[{"key":"tier","operator":"In","values":["db"]}]})",
                    kTeam, false, "tier in (db), it is web"},
        SelectorRow{"in_absent",
                    R"({"matchExpressions":[{"key":"zone","operator":"In","values":["a"]}]})",
                    kTeam, false, "it is not set"},
        SelectorRow{"not_in_absent_matches",
                    R"({"matchExpressions":[{"key":"zone","operator":"NotIn","values":["a"]}]})",
                    kTeam, true, ""},
        SelectorRow{"not_in_listed",
                    R"({"matchExpressions":[{"key":"team","operator":"NotIn","values":["shop"]}]})",
                    kTeam, false, "team not in (shop)"},
        SelectorRow{"exists", R"({"matchExpressions":[{"key":"team","operator":"Exists"}]})", kTeam,
                    true, ""},
        SelectorRow{"exists_absent", R"({"matchExpressions":[{"key":"irsa","operator":"Exists"}]})",
                    kTeam, false, "irsa to be set"},
        SelectorRow{
            "skip_label_absent",
            R"({"matchExpressions":[{"key":"eks.amazonaws.com/skip-pod-identity-webhook","operator":"DoesNotExist"}]})",
            kTeam, true, ""},
        SelectorRow{
            "skip_label_present",
            R"({"matchExpressions":[{"key":"eks.amazonaws.com/skip-pod-identity-webhook","operator":"DoesNotExist"}]})",
            Labels{{"eks.amazonaws.com/skip-pod-identity-webhook", "true"}}, false, "to be absent"},
        SelectorRow{
            "both_parts_must_hold",
            R"({"matchLabels":{"team":"shop"},"matchExpressions":[{"key":"tier","operator":"In","values":["db"]}]})",
            kTeam, false, "tier in (db)"},
        SelectorRow{"unknown_operator",
                    R"({"matchExpressions":[{"key":"team","operator":"Gt","values":["1"]}]})",
                    kTeam, false, "unknown selector operator Gt"},
        SelectorRow{"expression_without_key", R"({"matchExpressions":[{"operator":"Exists"}]})",
                    kTeam, false, "needs a key"},
        SelectorRow{"not_an_object", R"(["team"])", kTeam, false, "must be an object"}),
    [](const ::testing::TestParamInfo<SelectorRow>& row) { return std::string(row.param.name); });

}  // namespace
}  // namespace irsa::doctor
