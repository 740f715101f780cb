#include "review_reader.hpp"

#include <simdjson.h>

namespace irsa::core::detail {

namespace {

using simdjson::ondemand::json_type;
using Value = simdjson::ondemand::value;
using Object = simdjson::ondemand::object;
using Array = simdjson::ondemand::array;

[[noreturn]] void shape_error(std::string_view where, std::string_view problem) {
  std::string message(where);
  message.append(" ").append(problem);
  throw ReviewShapeError(message);
}

std::string_view type_name(json_type type) {
  switch (type) {
    case json_type::array:
      return "a list";
    case json_type::object:
      return "an object";
    case json_type::number:
      return "a number";
    case json_type::string:
      return "a string";
    case json_type::boolean:
      return "a boolean";
    case json_type::null:
      return "null";
  }
  return "of an unknown type";
}

// Reads the value's type, or reports it as something of the wrong type.
json_type type_of(Value& value) {
  return value.type().value();
}

// A string field; null reads as empty (Go decodes null into the zero value as well).
std::string_view string_field(Value value, std::string_view where) {
  json_type type = type_of(value);
  if (type == json_type::null) return {};
  if (type != json_type::string)
    shape_error(where, std::string("is ") + std::string(type_name(type)) + ", expected a string");
  return value.get_string().value();
}

bool bool_field(Value value, std::string_view where) {
  json_type type = type_of(value);
  if (type == json_type::null) return false;
  if (type != json_type::boolean)
    shape_error(where, std::string("is ") + std::string(type_name(type)) + ", expected a boolean");
  return value.get_bool().value();
}

// Returns false for null (the field counts as absent); reports any other non-object.
bool open_object(Value& value, std::string_view where, Object& out) {
  json_type type = type_of(value);
  if (type == json_type::null) return false;
  if (type != json_type::object)
    shape_error(where, std::string("is ") + std::string(type_name(type)) + ", expected an object");
  out = value.get_object().value();
  return true;
}

bool open_array(Value& value, std::string_view where, Array& out) {
  json_type type = type_of(value);
  if (type == json_type::null) return false;
  if (type != json_type::array)
    shape_error(where, std::string("is ") + std::string(type_name(type)) + ", expected a list");
  out = value.get_array().value();
  return true;
}

// The one string member `member` of an object field such as request.kind or spec.os; other
// members are skipped. An absent or null object leaves `out` empty.
void read_nested_string(Value value, std::string_view where, std::string_view member,
                        std::string_view member_where, std::string_view& out) {
  Object object;
  out = {};
  if (!open_object(value, where, object)) return;
  for (auto field : object) {
    if (field.unescaped_key().value() == member) out = string_field(field.value(), member_where);
  }
}

class Reader {
 public:
  Reader(const ReaderKeys& keys, ReviewFacts& facts) : keys_(keys), facts_(facts) {}

  void review(Object root) {
    for (auto field : root) {
      std::string_view key = field.unescaped_key().value();
      if (key == "apiVersion") {
        facts_.api_version = string_field(field.value(), "apiVersion");
        facts_.has_api_version = true;
      } else if (key == "kind") {
        facts_.kind = string_field(field.value(), "kind");
        facts_.has_kind = true;
      } else if (key == "request") {
        Value value = field.value();
        Object request;
        facts_.has_request = open_object(value, "request", request);
        if (facts_.has_request) read_request(request);
      }
    }
  }

 private:
  void read_request(Object request) {
    for (auto field : request) {
      std::string_view key = field.unescaped_key().value();
      if (key == "uid") {
        facts_.uid = string_field(field.value(), "request.uid");
      } else if (key == "namespace") {
        facts_.request_namespace = string_field(field.value(), "request.namespace");
      } else if (key == "operation") {
        facts_.operation = string_field(field.value(), "request.operation");
      } else if (key == "dryRun") {
        facts_.dry_run = bool_field(field.value(), "request.dryRun");
      } else if (key == "kind") {
        read_nested_string(field.value(), "request.kind", "kind", "request.kind.kind",
                           facts_.request_kind);
      } else if (key == "userInfo") {
        read_nested_string(field.value(), "request.userInfo", "username",
                           "request.userInfo.username", facts_.username);
      } else if (key == "object") {
        Value value = field.value();
        json_type type = type_of(value);
        if (type == json_type::null) {
          facts_.object_present = false;
          continue;
        }
        if (type != json_type::object) {
          shape_error("request.object", std::string("is ") + std::string(type_name(type)) +
                                            ", expected a Pod object");
        }
        facts_.object_present = true;
        read_pod(value.get_object().value());
      }
    }
  }

  void read_pod(Object pod) {
    for (auto field : pod) {
      std::string_view key = field.unescaped_key().value();
      if (key == "kind") {
        facts_.object_kind = string_field(field.value(), "request.object.kind");
      } else if (key == "metadata") {
        Value value = field.value();
        Object metadata;
        facts_.metadata_present = open_object(value, "metadata", metadata);
        if (facts_.metadata_present) read_metadata(metadata);
      } else if (key == "spec") {
        Value value = field.value();
        Object spec;
        facts_.spec_present = open_object(value, "spec", spec);
        if (facts_.spec_present) read_spec(spec);
      }
    }
  }

  void read_metadata(Object metadata) {
    for (auto field : metadata) {
      std::string_view key = field.unescaped_key().value();
      if (key == "name") {
        facts_.name = string_field(field.value(), "metadata.name");
      } else if (key == "generateName") {
        facts_.generate_name = string_field(field.value(), "metadata.generateName");
      } else if (key == "namespace") {
        facts_.metadata_namespace = string_field(field.value(), "metadata.namespace");
      } else if (key == "labels") {
        Value value = field.value();
        Object labels;
        facts_.pod_identity_label.reset();
        facts_.labels_present = open_object(value, "metadata.labels", labels);
        if (!facts_.labels_present) continue;
        for (auto label : labels) {
          if (label.unescaped_key().value() == "eks.amazonaws.com/pod-identity") {
            facts_.pod_identity_label = string_field(label.value(), "metadata.labels value");
          }
        }
      } else if (key == "annotations") {
        Value value = field.value();
        Object annotations;
        facts_.token_expiration_annotation.reset();
        facts_.skip_containers_annotation.reset();
        facts_.include_containers_annotation.reset();
        facts_.region_annotation.reset();
        facts_.role_session_name_annotation.reset();
        if (!open_object(value, "metadata.annotations", annotations)) continue;
        for (auto annotation : annotations) {
          if (auto* slot = annotation_slot(annotation.unescaped_key().value())) {
            *slot = string_field(annotation.value(), "metadata.annotations value");
          }
        }
      }
    }
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

  void read_spec(Object spec) {
    for (auto field : spec) {
      std::string_view key = field.unescaped_key().value();
      if (key == "serviceAccountName") {
        facts_.service_account_name = string_field(field.value(), "spec.serviceAccountName");
      } else if (key == "containers") {
        facts_.containers_present =
            read_containers(field.value(), "spec.containers", facts_.containers);
      } else if (key == "initContainers") {
        read_containers(field.value(), "spec.initContainers", facts_.init_containers);
      } else if (key == "volumes") {
        read_volumes(field.value());
      } else if (key == "nodeSelector") {
        Value value = field.value();
        Object selector;
        facts_.node_selector_os = {};
        facts_.node_selector_beta_os = {};
        if (!open_object(value, "spec.nodeSelector", selector)) continue;
        for (auto entry : selector) {
          std::string_view name = entry.unescaped_key().value();
          if (name == "kubernetes.io/os") {
            facts_.node_selector_os = string_field(entry.value(), "spec.nodeSelector value");
          } else if (name == "beta.kubernetes.io/os") {
            facts_.node_selector_beta_os = string_field(entry.value(), "spec.nodeSelector value");
          }
        }
      } else if (key == "os") {
        read_nested_string(field.value(), "spec.os", "name", "spec.os.name", facts_.os_name);
      } else if (key == "securityContext") {
        facts_.pod_run_as_user.reset();
        facts_.has_fs_group = false;
        read_security_context(field.value(), "spec.securityContext", facts_.pod_run_as_user,
                              &facts_.has_fs_group);
      }
    }
  }

  void read_volumes(Value value) {
    Array volumes;
    facts_.has_token_volume = {};
    facts_.token_volume_is_projected = {};
    facts_.volumes_present = open_array(value, "spec.volumes", volumes);
    if (!facts_.volumes_present) return;
    for (auto element : volumes) {
      Value volume_value = element.value();
      Object volume;
      if (!open_object(volume_value, "spec.volumes[]", volume)) continue;
      std::string_view name;
      bool projected = false;
      for (auto field : volume) {
        std::string_view key = field.unescaped_key().value();
        if (key == "name") {
          name = string_field(field.value(), "spec.volumes[].name");
        } else if (key == "projected") {
          projected = !field.value().is_null().value();
        }
      }
      for (std::size_t slot = 0; slot < 2; ++slot) {
        if (name == keys_.volume_names[slot]) {
          facts_.has_token_volume[slot] = true;
          facts_.token_volume_is_projected[slot] = projected;
        }
      }
    }
  }

  bool read_containers(Value value, std::string_view where, std::vector<ContainerFacts>& out) {
    out.clear();
    Array containers;
    if (!open_array(value, where, containers)) return false;
    for (auto element : containers) {
      Value container_value = element.value();
      Object container;
      if (!open_object(container_value, where, container)) {
        shape_error(where, "holds null, expected containers");
      }
      ContainerFacts& facts = out.emplace_back();
      read_container(container, facts);
    }
    return true;
  }

  void read_container(Object container, ContainerFacts& facts) {
    // Once the fields below are read the rest (probes, resources) is of no interest; leaving the
    // loop lets On-Demand skip it in one go.
    int wanted_left = 5;
    for (auto field : container) {
      std::string_view key = field.unescaped_key().value();
      if (key == "name") {
        facts.name = string_field(field.value(), "container name");
      } else if (key == "env") {
        read_env(field.value(), facts);
      } else if (key == "volumeMounts") {
        read_mounts(field.value(), facts);
      } else if (key == "envFrom") {
        Value value = field.value();
        Array sources;
        facts.env_from_present =
            open_array(value, "container envFrom", sources) && !sources.is_empty().value();
      } else if (key == "securityContext") {
        read_security_context(field.value(), "container securityContext", facts.run_as_user,
                              nullptr);
      } else {
        continue;
      }
      if (--wanted_left == 0) break;
    }
  }

  // runAsUser (and, for the pod, whether fsGroup is set). Values the API server would not have
  // accepted (a string, a fraction) are read as absent: the warning they feed is advice only.
  static void read_security_context(Value value, std::string_view where,
                                    std::optional<std::int64_t>& run_as_user, bool* has_fs_group) {
    Object context;
    if (!open_object(value, where, context)) return;
    for (auto field : context) {
      std::string_view key = field.unescaped_key().value();
      if (key == "runAsUser") {
        std::int64_t uid = 0;
        if (field.value().get_int64().get(uid) == simdjson::SUCCESS) run_as_user = uid;
      } else if (key == "fsGroup" && has_fs_group != nullptr) {
        *has_fs_group = !field.value().is_null().value();
      }
    }
  }

  static void read_env(Value value, ContainerFacts& facts) {
    Array env;
    facts.has_role_arn = facts.has_web_identity_token_file = false;
    facts.has_full_uri = facts.has_authorization_token_file = false;
    facts.has_region = facts.has_default_region = facts.has_sts_regional_endpoints = false;
    facts.has_role_session_name = facts.has_static_keys = facts.has_profile = false;
    facts.env_present = open_array(value, "container env", env);
    if (!facts.env_present) return;
    for (auto element : env) {
      Value variable_value = element.value();
      Object variable;
      if (!open_object(variable_value, "container env[]", variable)) continue;
      for (auto field : variable) {
        if (field.unescaped_key().value() != "name") continue;
        std::string_view name = string_field(field.value(), "container env[].name");
        scan_env_name(name, facts);
        break;  // value or valueFrom are not needed
      }
    }
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

  void read_mounts(Value value, ContainerFacts& facts) {
    Array mounts;
    facts.mounts_token_volume = {};
    facts.token_volume_mount_path = {};
    facts.other_mount_at_token_path = {};
    facts.mounts_present = open_array(value, "container volumeMounts", mounts);
    if (!facts.mounts_present) return;
    for (auto element : mounts) {
      Value mount_value = element.value();
      Object mount;
      if (!open_object(mount_value, "container volumeMounts[]", mount)) continue;
      std::string_view name;
      std::string_view path;
      for (auto field : mount) {
        std::string_view key = field.unescaped_key().value();
        if (key == "name")
          name = string_field(field.value(), "volumeMounts[].name");
        else if (key == "mountPath")
          path = string_field(field.value(), "volumeMounts[].mountPath");
      }
      for (std::size_t slot = 0; slot < 2; ++slot) {
        if (name == keys_.volume_names[slot]) {
          facts.mounts_token_volume[slot] = true;
          facts.token_volume_mount_path[slot] = path;
        } else if (path == keys_.mount_paths[slot] && !path.empty()) {
          facts.other_mount_at_token_path[slot] = name;
        }
      }
    }
  }

  const ReaderKeys& keys_;
  ReviewFacts& facts_;
};

}  // namespace

void read_review(simdjson::ondemand::parser& parser, const char* data, std::size_t size,
                 std::size_t capacity, const ReaderKeys& keys, ReviewFacts& facts) {
  facts.clear();
  simdjson::padded_string_view input(data, size, capacity);
  simdjson::ondemand::document document = parser.iterate(input).value();
  json_type type = document.type().value();
  if (type != json_type::object) {
    shape_error("the body", std::string("is ") + std::string(type_name(type)) +
                                ", expected an AdmissionReview object");
  }
  Reader(keys, facts).review(document.get_object().value());
  // At the end of the input the location is out of bounds; anything else is trailing data.
  if (document.current_location().error() != simdjson::OUT_OF_BOUNDS) {
    throw ReviewShapeError("the body has data after the AdmissionReview object");
  }
}

}  // namespace irsa::core::detail
