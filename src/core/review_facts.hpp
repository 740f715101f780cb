// What the planner needs from an AdmissionReview, read in one forward pass. Every string_view
// points into the parser's buffers and lives until the next review is parsed with the same
// Scratch. Nothing here is a DOM of the pod: only the facts the mutation rules look at.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace irsa::core::detail {

// Index into the per-mode arrays below: the reader cannot know the mode before it has seen the
// ServiceAccount name (keys arrive in any order), so it records facts for both.
enum ModeSlot : std::size_t { kWebIdentitySlot = 0, kContainerCredentialsSlot = 1 };

struct ContainerFacts {
  std::string_view name;
  bool env_present = false;  // "env" is a list (an absent or null env needs the list created)
  bool has_role_arn = false;
  bool has_web_identity_token_file = false;
  bool has_full_uri = false;
  bool has_authorization_token_file = false;
  bool has_region = false;
  bool has_default_region = false;
  bool has_sts_regional_endpoints = false;
  bool has_role_session_name = false;
  bool has_static_keys = false;             // AWS_ACCESS_KEY_ID or AWS_SECRET_ACCESS_KEY
  bool has_profile = false;                 // AWS_PROFILE
  bool env_from_present = false;            // a non-empty envFrom list
  std::optional<std::int64_t> run_as_user;  // securityContext.runAsUser
  bool mounts_present = false;
  std::array<bool, 2> mounts_token_volume{};                    // a mount with our volume name
  std::array<std::string_view, 2> token_volume_mount_path{};    // ...and where it points
  std::array<std::string_view, 2> other_mount_at_token_path{};  // another volume at our path
};

struct ReviewFacts {
  // Envelope.
  std::string_view api_version;
  std::string_view kind;
  bool has_api_version = false;
  bool has_kind = false;
  bool has_request = false;

  // request.
  std::string_view uid;
  std::string_view request_namespace;
  std::string_view operation;
  std::string_view request_kind;  // request.kind.kind
  std::string_view username;
  bool dry_run = false;
  bool object_present = false;

  // request.object.
  std::string_view object_kind;
  bool metadata_present = false;
  std::string_view name;
  std::string_view generate_name;
  std::string_view metadata_namespace;
  bool labels_present = false;
  std::optional<std::string_view> pod_identity_label;
  std::optional<std::string_view> token_expiration_annotation;
  std::optional<std::string_view> skip_containers_annotation;
  std::optional<std::string_view> include_containers_annotation;
  std::optional<std::string_view> region_annotation;
  std::optional<std::string_view> role_session_name_annotation;

  bool spec_present = false;
  bool containers_present = false;
  std::string_view service_account_name;
  std::string_view node_selector_os;
  std::string_view node_selector_beta_os;
  std::string_view os_name;
  std::optional<std::int64_t> pod_run_as_user;  // spec.securityContext.runAsUser
  bool has_fs_group = false;                    // spec.securityContext.fsGroup
  bool volumes_present = false;
  std::array<bool, 2> has_token_volume{};
  std::array<bool, 2> token_volume_is_projected{};
  std::vector<ContainerFacts> containers;
  std::vector<ContainerFacts> init_containers;

  void clear() {
    auto keep_containers = std::move(containers);
    auto keep_init = std::move(init_containers);
    keep_containers.clear();
    keep_init.clear();
    *this = ReviewFacts{};
    containers = std::move(keep_containers);
    init_containers = std::move(keep_init);
  }
};

// The names the reader must recognise, fixed per Settings.
struct ReaderKeys {
  std::string_view token_expiration_annotation;
  std::string_view skip_containers_annotation;
  std::string_view include_containers_annotation;
  std::string_view region_annotation;
  std::string_view role_session_name_annotation;
  std::array<std::string_view, 2> volume_names;
  std::array<std::string_view, 2> mount_paths;
};

}  // namespace irsa::core::detail
