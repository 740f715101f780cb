// Building AdmissionReviews and applying patches in tests.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace irsa::testing {

inline constexpr const char* kTestUid = "3f1d7c2e-0b7a-4e0c-9a51-5d6f0e2b8c11";

// An AdmissionReview for creating the pod in namespace ns, as the API server sends it.
[[nodiscard]] nlohmann::json review_json_for_pod(
    const nlohmann::json& pod, const std::string& ns,
    const std::string& api_version = "admission.k8s.io/v1");
[[nodiscard]] std::string review_for_pod(const nlohmann::json& pod, const std::string& ns);

// The pod after applying a JSON Patch given as text ("" = no patch).
[[nodiscard]] nlohmann::json apply_patch(const nlohmann::json& pod, const std::string& patch);

}  // namespace irsa::testing
