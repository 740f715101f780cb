#include "irsa/doctor/report.hpp"

#include <algorithm>
#include <cstddef>

namespace irsa::doctor {

namespace {

constexpr std::size_t kNameWidth = 14;  // "trust-policy" and two spaces

std::string_view mark(Status status) {
  switch (status) {
    case Status::pass:
      return "ok  ";
    case Status::warn:
      return "WARN";
    case Status::fail:
      return "FAIL";
    case Status::skip:
      return "skip";
  }
  return "skip";
}

std::string padded(std::string_view text, std::size_t width) {
  std::string out(text);
  if (out.size() < width) out.append(width - out.size(), ' ');
  return out + " ";
}

// Every line of `text` behind `indent`.
void append_indented(std::string& out, const std::string& text, const std::string& indent) {
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    out += indent;
    out.append(text, start, end - start);
    out += '\n';
    start = end + 1;
  }
}

std::size_t count(const SubjectReport& report, Status status) {
  return static_cast<std::size_t>(std::ranges::count_if(
      report.checks, [status](const CheckResult& check) { return check.status == status; }));
}

std::string plural(std::size_t n, std::string_view word) {
  return std::to_string(n) + " " + std::string(word) + (n == 1 ? "" : "s");
}

}  // namespace

std::string render_text(const SubjectReport& report) {
  std::string out = "ServiceAccount " + report.subject.ns + "/" + report.subject.service_account +
                    (report.role_arn.empty() ? "" : " (role " + report.role_arn + ")") + "\n";
  // Details and remedies start where the findings do: after "  ", the mark, " " and the name.
  const std::string under(2 + 4 + 1 + kNameWidth, ' ');
  for (const auto& check : report.checks) {
    out.append("  ").append(mark(check.status)).append(" ");
    out.append(padded(check.name, kNameWidth - 1)).append(check.finding).append("\n");
    if (check.status == Status::pass) continue;
    for (const auto& detail : check.details) out += under + "- " + detail + "\n";
    if (!check.remedy.empty() && check.status != Status::skip) {
      out += under + "fix:" + (check.remedy_note.empty() ? "" : " " + check.remedy_note) + "\n";
      append_indented(out, check.remedy, under + "  ");
    } else if (!check.remedy.empty()) {
      out += under + "to run it: " + check.remedy + "\n";
    }
  }
  const std::size_t failed = count(report, Status::fail);
  const std::size_t warned = count(report, Status::warn);
  out += failed == 0 ? "no check failed" : plural(failed, "check") + " failed";
  out += warned == 0 ? "" : ", " + plural(warned, "warning");
  out += ", " + std::to_string(count(report, Status::skip)) + " skipped\n";
  return out;
}

std::string render_summary_text(const std::vector<SubjectReport>& reports) {
  std::size_t width = 15;
  for (const auto& report : reports) {
    width = std::max(width, report.subject.ns.size() + 1 + report.subject.service_account.size());
  }
  std::string out = padded("ACCOUNT", width) + " RESULT\n";
  std::size_t failing = 0;
  for (const auto& report : reports) {
    std::string result;
    for (const auto& check : report.checks) {
      if (check.status != Status::fail) continue;
      result.append(result.empty() ? "FAIL: " : ", ").append(check.name);
    }
    if (result.empty()) {
      const std::size_t warned = count(report, Status::warn);
      result = warned == 0 ? "ok" : "ok, " + plural(warned, "warning");
    } else {
      ++failing;
    }
    out += padded(report.subject.ns + "/" + report.subject.service_account, width) + " " + result +
           "   " + report.role_arn + "\n";
  }
  out +=
      plural(reports.size(), "account") + " with a role, " + std::to_string(failing) + " failing\n";
  for (const auto& report : reports) {
    if (report.failed()) out.append("\n").append(render_text(report));
  }
  return out;
}

nlohmann::ordered_json to_json(const SubjectReport& report) {
  nlohmann::ordered_json checks = nlohmann::ordered_json::array();
  for (const auto& check : report.checks) {
    nlohmann::ordered_json entry = {{"name", check.name},
                                    {"status", std::string(status_name(check.status))},
                                    {"finding", check.finding}};
    if (check.status == Status::warn || check.status == Status::fail || !check.remedy.empty()) {
      entry["remedy"] = check.remedy;
    }
    if (!check.remedy_note.empty()) entry["remedyNote"] = check.remedy_note;
    if (!check.details.empty()) entry["details"] = check.details;
    checks.push_back(std::move(entry));
  }
  nlohmann::ordered_json subject = {{"namespace", report.subject.ns},
                                    {"serviceAccount", report.subject.service_account}};
  if (!report.role_arn.empty()) subject["roleArn"] = report.role_arn;
  return {{"subject", std::move(subject)}, {"checks", std::move(checks)}};
}

}  // namespace irsa::doctor
