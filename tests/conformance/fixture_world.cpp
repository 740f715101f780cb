#include "conformance/fixture_world.hpp"

#include <algorithm>
#include <stdexcept>

#include "irsa/core/annotations.hpp"
#include "irsa/store/manifests.hpp"
#include "irsa/store/yaml_json.hpp"

namespace irsa::testing {

namespace {

constexpr std::string_view kTestingPrefix = "testing.eks.amazonaws.com/";

std::string read_file(const std::filesystem::path& file) {
  auto read = store::read_text(file.string());
  if (!read.error.empty()) throw std::runtime_error(read.error);
  return std::move(read.text);
}

}  // namespace

std::filesystem::path upstream_fixture_dir() {
  return std::filesystem::path(IRSA_SHARED_DIR) / "conformance" / "upstream";
}

std::vector<std::filesystem::path> upstream_fixture_files() {
  std::vector<std::filesystem::path> files;
  const auto dir = upstream_fixture_dir();
  if (!std::filesystem::is_directory(dir)) return files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    const auto ext = entry.path().extension();
    if (entry.is_regular_file() && (ext == ".yaml" || ext == ".yml")) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

FixtureWorld load_fixture(const std::filesystem::path& file) {
  FixtureWorld world;
  world.name = std::filesystem::relative(file, upstream_fixture_dir()).string();
  // One fixture repeats serviceAccountName; Go's reader keeps the last value, and so does this.
  auto parsed = store::parse_documents(read_file(file), store::DuplicateKeys::last_wins);
  if (!parsed.error.empty() || parsed.documents.size() != 1) {
    throw std::runtime_error(world.name + ": " + parsed.error);
  }
  world.pod = std::move(parsed.documents.front());
  world.pod["metadata"]["namespace"] = "default";
  world.pod["spec"]["serviceAccountName"] = "default";

  std::map<std::string, std::string, std::less<>> testing;
  for (const auto& [key, value] : world.pod["metadata"]["annotations"].items()) {
    if (key.starts_with(kTestingPrefix) && value.is_string()) {
      testing[key.substr(kTestingPrefix.size())] = value.get<std::string>();
    }
  }
  auto get = [&](std::string_view key) -> const std::string* {
    auto it = testing.find(key);
    return it == testing.end() ? nullptr : &it->second;
  };
  world.skip = get("skip") && core::parse_go_bool(*get("skip")).value_or(false);
  if (const auto* patch = get("expectedPatch"))
    world.expected_patch = nlohmann::json::parse(*patch);

  auto& settings = world.settings;
  settings.token_jitter = core::TokenJitter::min;
  world.cli_flags = {"--token-jitter=min"};
  if (const auto* mount = get("handler/mountPath")) {
    settings.web_identity.mount_path = *mount;
    world.cli_flags.push_back("--token-mount-path=" + *mount);
  }
  if (const auto* region = get("handler/region")) {
    settings.aws_default_region = *region;
    world.cli_flags.push_back("--aws-default-region=" + *region);
  }

  auto& sa = world.service_account_annotations;
  if (const auto* role = get("serviceAccount/roleArn")) sa["eks.amazonaws.com/role-arn"] = *role;
  if (const auto* audience = get("serviceAccount/audience"))
    sa["eks.amazonaws.com/audience"] = *audience;
  const std::string* sts = get("serviceAccount/sts-regional-endpoints");
  if (!sts) sts = get("handler/injectSTS");
  if (sts) sa["eks.amazonaws.com/sts-regional-endpoints"] = *sts;
  const std::string* expiration = get("serviceAccount/token-expiration");
  if (!expiration) expiration = get("handler/expiration");
  if (expiration) sa["eks.amazonaws.com/token-expiration"] = *expiration;

  if (const auto* uri = get("containercredentials/uri"); uri && !uri->empty()) {
    world.container_credentials = true;
    auto& cc = settings.container_credentials;
    auto value = [&](std::string_view key) {
      const auto* v = get(key);
      return v ? *v : std::string();
    };
    cc.full_uri = *uri;
    cc.audience = value("containercredentials/audience");
    cc.mount_path = value("containercredentials/mountPath");
    cc.volume_name = value("containercredentials/volumeName");
    cc.token_path = value("containercredentials/tokenPath");
    world.cli_flags.push_back("--container-credentials-full-uri=" + cc.full_uri);
    world.cli_flags.push_back("--container-credentials-audience=" + cc.audience);
    world.cli_flags.push_back("--container-credentials-token-mount-path=" + cc.mount_path);
    world.cli_flags.push_back("--container-credentials-token-volume-name=" + cc.volume_name);
    world.cli_flags.push_back("--container-credentials-token-path=" + cc.token_path);
  }
  return world;
}

nlohmann::json without_round_trip_artifacts(nlohmann::json value) {
  if (value.is_object()) {
    nlohmann::json out = nlohmann::json::object();
    for (auto& [key, item] : value.items()) {
      if (item.is_null()) continue;
      if (key == "resources" && item.is_object() && item.empty()) continue;
      out[key] = without_round_trip_artifacts(item);
    }
    return out;
  }
  if (value.is_array()) {
    for (auto& item : value) item = without_round_trip_artifacts(item);
  }
  return value;
}

namespace {

std::string compare_at(const nlohmann::json& upstream, const nlohmann::json& ours,
                       const nlohmann::json* input, const std::string& where) {
  // Integers compare by value whether they were read as signed or unsigned.
  if (upstream.is_number() && ours.is_number()) {
    if (upstream != ours)
      return where + ": " + upstream.dump() + " upstream, " + ours.dump() + " in ours";
    return "";
  }
  if (upstream.type() != ours.type()) return where + ": types differ";
  if (upstream.is_object()) {
    for (const auto& [key, value] : upstream.items()) {
      if (ours.contains(key)) continue;
      // Go emits fields without omitempty even when they are empty (a VolumeMount's mountPath
      // becomes ""): an artefact when the input never had the field.
      const bool input_had_it = input && input->is_object() && input->contains(key);
      if (value == "" && !input_had_it) continue;
      return where + "/" + key + ": missing from ours";
    }
    for (const auto& [key, value] : ours.items()) {
      const nlohmann::json* input_child =
          input && input->is_object() && input->contains(key) ? &(*input)[key] : nullptr;
      if (!upstream.contains(key)) {
        // Allowed only where the input had this very field: we kept what upstream dropped.
        if (input_child == nullptr || *input_child != value) {
          return where + "/" + key + ": only in ours, and not from the input";
        }
        continue;
      }
      auto diff = compare_at(upstream[key], value, input_child, where + "/" + key);
      if (!diff.empty()) return diff;
    }
    return "";
  }
  if (upstream.is_array()) {
    if (upstream.size() != ours.size()) {
      return where + ": " + std::to_string(upstream.size()) + " items upstream, " +
             std::to_string(ours.size()) + " in ours";
    }
    for (std::size_t i = 0; i < upstream.size(); ++i) {
      // Input arrays only line up item by item where nothing was prepended; match by name when
      // the items have one, else by position.
      const nlohmann::json* input_child = nullptr;
      if (input && input->is_array()) {
        if (ours[i].is_object() && ours[i].contains("name")) {
          for (const auto& candidate : *input) {
            if (candidate.is_object() &&
                candidate.value("name", nlohmann::json()) == ours[i]["name"]) {
              input_child = &candidate;
            }
          }
        } else if (i < input->size()) {
          input_child = &(*input)[i];
        }
      }
      auto diff = compare_at(upstream[i], ours[i], input_child, where + "/" + std::to_string(i));
      if (!diff.empty()) return diff;
    }
    return "";
  }
  if (upstream != ours)
    return where + ": " + upstream.dump() + " upstream, " + ours.dump() + " in ours";
  return "";
}

}  // namespace

std::string compare_pods(const nlohmann::json& upstream, const nlohmann::json& ours,
                         const nlohmann::json& input) {
  return compare_at(without_round_trip_artifacts(upstream), without_round_trip_artifacts(ours),
                    &input, "");
}

}  // namespace irsa::testing
