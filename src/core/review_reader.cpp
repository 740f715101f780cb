#include "review_reader.hpp"

#include "json_cursor.hpp"

namespace irsa::core::detail {

namespace {

[[noreturn]] void shape_error(std::string_view where, std::string_view problem) {
  std::string message(where);
  message.append(" ").append(problem);
  throw ReviewShapeError(message);
}

std::string_view kind_name(JsonKind kind) {
  switch (kind) {
    case JsonKind::array:
      return "a list";
    case JsonKind::object:
      return "an object";
    case JsonKind::number:
      return "a number";
    case JsonKind::string:
      return "a string";
    case JsonKind::boolean:
      return "a boolean";
    case JsonKind::null:
      return "null";
  }
  return "of an unknown type";
}

[[noreturn]] void wrong_kind(std::string_view where, JsonKind kind, std::string_view expected) {
  shape_error(where, std::string("is ") + std::string(kind_name(kind)) + ", expected " +
                         std::string(expected));
}

// Whether the value at the cursor is of the kind wanted, to be read next; false for null, which
// counts as absent (Go decodes null into the zero value) and is moved past. Any other kind is
// reported as `where` being the wrong kind.
bool present_as(JsonCursor& json, std::string_view where, JsonKind wanted,
                std::string_view wanted_name) {
  const JsonKind kind = json.kind();
  if (kind == wanted) return true;
  if (kind != JsonKind::null) wrong_kind(where, kind, wanted_name);
  json.null();
  return false;
}

std::string_view string_field(JsonCursor& json, std::string_view where) {
  return present_as(json, where, JsonKind::string, "a string") ? json.string() : std::string_view{};
}

bool bool_field(JsonCursor& json, std::string_view where) {
  return present_as(json, where, JsonKind::boolean, "a boolean") && json.boolean();
}

bool is_object(JsonCursor& json, std::string_view where) {
  return present_as(json, where, JsonKind::object, "an object");
}

bool is_list(JsonCursor& json, std::string_view where) {
  return present_as(json, where, JsonKind::array, "a list");
}

// The one string member `member` of an object field such as request.kind or spec.os; other
// members are skipped. An absent or null object leaves `out` empty.
void read_nested_string(JsonCursor& json, std::string_view where, std::string_view member,
                        std::string_view member_where, std::string_view& out) {
  out = {};
  if (!is_object(json, where)) return;
  json.members([&](std::string_view name) {
    if (name == member) out = string_field(json, member_where);
  });
}

class Reader {
 public:
  Reader(JsonCursor& json, const ReaderKeys& keys, ReviewFacts& facts)
      : json_(json), keys_(keys), facts_(facts) {}

  void review() {
    json_.members([&](std::string_view key) {
      if (key == "apiVersion") {
        facts_.api_version = string_field(json_, "apiVersion");
        facts_.has_api_version = true;
      } else if (key == "kind") {
        facts_.kind = string_field(json_, "kind");
        facts_.has_kind = true;
      } else if (key == "request") {
        facts_.has_request = is_object(json_, "request");
        if (facts_.has_request) read_request();
      }
    });
  }

 private:
  void read_request() {
    json_.members([&](std::string_view key) {
      if (key == "uid") {
        facts_.uid = string_field(json_, "request.uid");
      } else if (key == "namespace") {
        facts_.request_namespace = string_field(json_, "request.namespace");
      } else if (key == "operation") {
        facts_.operation = string_field(json_, "request.operation");
      } else if (key == "dryRun") {
        facts_.dry_run = bool_field(json_, "request.dryRun");
      } else if (key == "kind") {
        read_nested_string(json_, "request.kind", "kind", "request.kind.kind", facts_.request_kind);
      } else if (key == "userInfo") {
        read_nested_string(json_, "request.userInfo", "username", "request.userInfo.username",
                           facts_.username);
      } else if (key == "object") {
        facts_.object_present =
            present_as(json_, "request.object", JsonKind::object, "a Pod object");
        if (facts_.object_present) read_pod();
      }
    });
  }

  void read_pod() {
    json_.members([&](std::string_view key) {
      if (key == "kind") {
        facts_.object_kind = string_field(json_, "request.object.kind");
      } else if (key == "metadata") {
        facts_.metadata_present = is_object(json_, "metadata");
        if (facts_.metadata_present) read_metadata();
      } else if (key == "spec") {
        facts_.spec_present = is_object(json_, "spec");
        if (facts_.spec_present) read_spec();
      }
    });
  }

  void read_metadata() {
    json_.members([&](std::string_view key) {
      if (key == "name") {
        facts_.name = string_field(json_, "metadata.name");
      } else if (key == "generateName") {
        facts_.generate_name = string_field(json_, "metadata.generateName");
      } else if (key == "namespace") {
        facts_.metadata_namespace = string_field(json_, "metadata.namespace");
      } else if (key == "labels") {
        facts_.pod_identity_label.reset();
        facts_.labels_present = is_object(json_, "metadata.labels");
        if (!facts_.labels_present) return;
        json_.members([&](std::string_view label) {
          if (label == "eks.amazonaws.com/pod-identity") {
            facts_.pod_identity_label = string_field(json_, "metadata.labels value");
          }
        });
      } else if (key == "annotations") {
        facts_.token_expiration_annotation.reset();
        facts_.skip_containers_annotation.reset();
        facts_.include_containers_annotation.reset();
        facts_.region_annotation.reset();
        facts_.role_session_name_annotation.reset();
        if (!is_object(json_, "metadata.annotations")) return;
        json_.members([&](std::string_view annotation) {
          if (auto* slot = annotation_slot(annotation)) {
            *slot = string_field(json_, "metadata.annotations value");
          }
        });
      }
    });
  }

  // Where the value of a pod annotation the webhook reads goes; nullptr for any other key.
  std::optional<std::string_view>* annotation_slot(std::string_view name) {
    if (name == keys_.token_expiration_annotation) return &facts_.token_expiration_annotation;
    if (name == keys_.skip_containers_annotation) return &facts_.skip_containers_annotation;
    if (name == keys_.include_containers_annotation) return &facts_.include_containers_annotation;
    if (name == keys_.region_annotation) return &facts_.region_annotation;
    if (name == keys_.role_session_name_annotation) return &facts_.role_session_name_annotation;
    return nullptr;
  }

  void read_spec() {
    json_.members([&](std::string_view key) {
      if (key == "serviceAccountName") {
        facts_.service_account_name = string_field(json_, "spec.serviceAccountName");
      } else if (key == "containers") {
        facts_.containers_present = read_containers("spec.containers", facts_.containers);
      } else if (key == "initContainers") {
        read_containers("spec.initContainers", facts_.init_containers);
      } else if (key == "volumes") {
        read_volumes();
      } else if (key == "nodeSelector") {
        facts_.node_selector_os = {};
        facts_.node_selector_beta_os = {};
        if (!is_object(json_, "spec.nodeSelector")) return;
        json_.members([&](std::string_view name) {
          if (name == "kubernetes.io/os") {
            facts_.node_selector_os = string_field(json_, "spec.nodeSelector value");
          } else if (name == "beta.kubernetes.io/os") {
            facts_.node_selector_beta_os = string_field(json_, "spec.nodeSelector value");
          }
        });
      } else if (key == "os") {
        read_nested_string(json_, "spec.os", "name", "spec.os.name", facts_.os_name);
      } else if (key == "securityContext") {
        facts_.pod_run_as_user.reset();
        facts_.has_fs_group = false;
        read_security_context("spec.securityContext", facts_.pod_run_as_user, &facts_.has_fs_group);
      }
    });
  }

  void read_volumes() {
    facts_.has_token_volume = {};
    facts_.token_volume_is_projected = {};
    facts_.volumes_present = is_list(json_, "spec.volumes");
    if (!facts_.volumes_present) return;
    json_.elements([&] {
      if (!is_object(json_, "spec.volumes[]")) return;
      std::string_view name;
      bool projected = false;
      json_.members([&](std::string_view key) {
        if (key == "name") {
          name = string_field(json_, "spec.volumes[].name");
        } else if (key == "projected") {
          projected = json_.kind() != JsonKind::null;
        }
      });
      for (std::size_t slot = 0; slot < 2; ++slot) {
        if (name == keys_.volume_names[slot]) {
          facts_.has_token_volume[slot] = true;
          facts_.token_volume_is_projected[slot] = projected;
        }
      }
    });
  }

  bool read_containers(std::string_view where, std::vector<ContainerFacts>& out) {
    out.clear();
    if (!is_list(json_, where)) return false;
    json_.elements([&] {
      if (!is_object(json_, where)) shape_error(where, "holds null, expected containers");
      read_container(out.emplace_back());
    });
    return true;
  }

  void read_container(ContainerFacts& facts) {
    json_.members([&](std::string_view key) {
      if (key == "name") {
        facts.name = string_field(json_, "container name");
      } else if (key == "env") {
        read_env(facts);
      } else if (key == "volumeMounts") {
        read_mounts(facts);
      } else if (key == "envFrom") {
        facts.env_from_present = is_list(json_, "container envFrom") && !json_.list_is_empty();
      } else if (key == "securityContext") {
        read_security_context("container securityContext", facts.run_as_user, nullptr);
      }
    });
  }

  // runAsUser (and, for the pod, whether fsGroup is set). Values the API server would not have
  // accepted (a string, a fraction) are read as absent: the warning they feed is advice only.
  void read_security_context(std::string_view where, std::optional<std::int64_t>& run_as_user,
                             bool* has_fs_group) {
    if (!is_object(json_, where)) return;
    json_.members([&](std::string_view key) {
      if (key == "runAsUser") {
        if (json_.kind() != JsonKind::number) return;
        if (auto uid = json_.integer()) run_as_user = *uid;
      } else if (key == "fsGroup" && has_fs_group != nullptr) {
        *has_fs_group = json_.kind() != JsonKind::null;
      }
    });
  }

  void read_env(ContainerFacts& facts) {
    facts.has_role_arn = facts.has_web_identity_token_file = false;
    facts.has_full_uri = facts.has_authorization_token_file = false;
    facts.has_region = facts.has_default_region = facts.has_sts_regional_endpoints = false;
    facts.has_role_session_name = facts.has_static_keys = facts.has_profile = false;
    facts.env_present = is_list(json_, "container env");
    if (!facts.env_present) return;
    json_.elements([&] {
      if (!is_object(json_, "container env[]")) return;
      std::string_view name;  // value and valueFrom are not needed
      json_.members([&](std::string_view key) {
        if (key == "name") name = string_field(json_, "container env[].name");
      });
      scan_env_name(name, facts);
    });
  }

  static void scan_env_name(std::string_view name, ContainerFacts& facts) {
    // Only the AWS_ names matter; a cheap first check keeps the common case fast.
    if (!name.starts_with("AWS_")) return;
    if (name == "AWS_ROLE_ARN")
      facts.has_role_arn = true;
    else if (name == "AWS_WEB_IDENTITY_TOKEN_FILE")
      facts.has_web_identity_token_file = true;
    else if (name == "AWS_CONTAINER_CREDENTIALS_FULL_URI")
      facts.has_full_uri = true;
    else if (name == "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")
      facts.has_authorization_token_file = true;
    else if (name == "AWS_REGION")
      facts.has_region = true;
    else if (name == "AWS_DEFAULT_REGION")
      facts.has_default_region = true;
    else if (name == "AWS_STS_REGIONAL_ENDPOINTS")
      facts.has_sts_regional_endpoints = true;
    else if (name == "AWS_ROLE_SESSION_NAME")
      facts.has_role_session_name = true;
    else if (name == "AWS_ACCESS_KEY_ID" || name == "AWS_SECRET_ACCESS_KEY")
      facts.has_static_keys = true;
    else if (name == "AWS_PROFILE")
      facts.has_profile = true;
  }

  void read_mounts(ContainerFacts& facts) {
    facts.mounts_token_volume = {};
    facts.token_volume_mount_path = {};
    facts.other_mount_at_token_path = {};
    facts.mounts_present = is_list(json_, "container volumeMounts");
    if (!facts.mounts_present) return;
    json_.elements([&] {
      if (!is_object(json_, "container volumeMounts[]")) return;
      std::string_view name;
      std::string_view path;
      json_.members([&](std::string_view key) {
        if (key == "name")
          name = string_field(json_, "volumeMounts[].name");
        else if (key == "mountPath")
          path = string_field(json_, "volumeMounts[].mountPath");
      });
      for (std::size_t slot = 0; slot < 2; ++slot) {
        if (name == keys_.volume_names[slot]) {
          facts.mounts_token_volume[slot] = true;
          facts.token_volume_mount_path[slot] = path;
        } else if (path == keys_.mount_paths[slot] && !path.empty()) {
          facts.other_mount_at_token_path[slot] = name;
        }
      }
    });
  }

  JsonCursor& json_;
  const ReaderKeys& keys_;
  ReviewFacts& facts_;
};

}  // namespace

void read_review(JsonTokens& tokens, const char* data, std::size_t size, const ReaderKeys& keys,
                 ReviewFacts& facts) {
  facts.clear();
  tokens.index(data, size);
  JsonCursor json(tokens);
  const JsonKind kind = json.kind();
  if (kind != JsonKind::object) wrong_kind("the body", kind, "an AdmissionReview object");
  Reader(json, keys, facts).review();
  if (!json.at_end()) throw ReviewShapeError("the body has data after the AdmissionReview object");
}

}  // namespace irsa::core::detail
