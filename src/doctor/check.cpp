#include "irsa/doctor/check.hpp"

#include <algorithm>

namespace irsa::doctor {

std::string_view status_name(Status status) noexcept {
  switch (status) {
    case Status::pass:
      return "pass";
    case Status::warn:
      return "warn";
    case Status::fail:
      return "fail";
    case Status::skip:
      return "skip";
  }
  return "skip";
}

bool SubjectReport::failed() const noexcept {
  return std::ranges::any_of(checks,
                             [](const CheckResult& check) { return check.status == Status::fail; });
}

}  // namespace irsa::doctor
