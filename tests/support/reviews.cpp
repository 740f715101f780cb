#include "support/reviews.hpp"

namespace irsa::testing {

nlohmann::json review_json_for_pod(const nlohmann::json& pod, const std::string& ns,
                                   const std::string& api_version) {
  return {
      {"apiVersion", api_version},
      {"kind", "AdmissionReview"},
      {"request",
       {{"uid", kTestUid},
        {"kind", {{"group", ""}, {"version", "v1"}, {"kind", "Pod"}}},
        {"resource", {{"group", ""}, {"version", "v1"}, {"resource", "pods"}}},
        {"namespace", ns},
        {"operation", "CREATE"},
        {"userInfo", {{"username", "system:serviceaccount:kube-system:replicaset-controller"}}},
        {"object", pod},
        {"oldObject", nullptr},
        {"dryRun", false}}},
  };
}

std::string review_for_pod(const nlohmann::json& pod, const std::string& ns) {
  return review_json_for_pod(pod, ns).dump();
}

nlohmann::json apply_patch(const nlohmann::json& pod, const std::string& patch) {
  if (patch.empty()) return pod;
  return pod.patch(nlohmann::json::parse(patch));
}

}  // namespace irsa::testing
