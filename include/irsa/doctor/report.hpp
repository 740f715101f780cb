// doctor's two outputs. Text: one line per check with a mark, its name and the finding, and the
// remedy under every warning and failure. JSON: the contract other tools read (see the README).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "irsa/doctor/check.hpp"

namespace irsa::doctor {

[[nodiscard]] std::string render_text(const SubjectReport& report);

// One line per account (for a namespace or --all-namespaces), then the full report of each
// account that has a failing check.
[[nodiscard]] std::string render_summary_text(const std::vector<SubjectReport>& reports);

// {"subject": {"namespace", "serviceAccount", "roleArn" (when there is one)}, "checks": [{"name",
// "status", "finding", "remedy" (warn and fail, and skip when there is one), "remedyNote" and
// "details" (when any)}]}
// Keys keep this order in the output, so that a person reading it sees the subject first.
[[nodiscard]] nlohmann::ordered_json to_json(const SubjectReport& report);

}  // namespace irsa::doctor
