#include "irsa/store/manifests.hpp"

#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <memory>
#include <new>
#include <set>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace irsa::store {

namespace {

std::string errno_message(int error) {
  // The generic category's message is strerror's text, without strerror's shared buffer.
  return std::error_code(error, std::generic_category()).message();
}

struct FileCloser {
  void operator()(std::FILE* file) const noexcept { std::fclose(file); }
};

}  // namespace

TextRead read_text(const std::string& path) {
  TextRead result;
  const bool from_stdin = path == "-";
  const std::string shown = from_stdin ? std::string("standard input") : path;

  // Standard input is borrowed, not owned: only a file we opened is closed on the way out.
  std::unique_ptr<std::FILE, FileCloser> owned;
  std::FILE* file = stdin;
  if (!from_stdin) {
    errno = 0;
    owned.reset(std::fopen(path.c_str(), "rb"));
    if (!owned) {
      result.error = "cannot open " + shown + ": " + errno_message(errno);
      return result;
    }
    file = owned.get();
  }

  try {
    // Chunked reads rather than a size from stat: standard input and /dev/fd/N pipes have none.
    char buffer[1 << 16];
    for (;;) {
      errno = 0;
      std::size_t count = std::fread(buffer, 1, sizeof buffer, file);
      result.text.append(buffer, count);
      if (count < sizeof buffer) {
        if (std::ferror(file)) {
          // fread sets errno from the failing read(2), e.g. EISDIR for a directory (which
          // fopen happily opens on Linux).
          const int error = errno;
          result.text.clear();
          result.error = "cannot read " + shown + ": " +
                         (error != 0 ? errno_message(error) : std::string("read error"));
          return result;
        }
        if (std::feof(file)) break;
      }
    }
  } catch (const std::bad_alloc&) {
    result.text.clear();
    result.text.shrink_to_fit();
    result.error = "cannot read " + shown + ": too large to hold in memory";
  }
  return result;
}

namespace {

// Everything add_identity_documents will change, gathered first so that an error in any
// document leaves the caller's state as it was (the CLI must not run with half a file loaded).
struct ServiceAccountAdd {
  core::NamespacedName id;
  core::IdentityEntry entry;
};

struct Pending {
  std::vector<ServiceAccountAdd> service_accounts;
  std::vector<std::pair<core::NamespacedName, core::IdentityEntry>> config_map_entries;
  std::vector<std::string> problems;
  std::set<core::NamespacedName> seen;  // ServiceAccounts met so far in this call
  std::vector<std::pair<std::string, core::Labels>> namespaces;
};

// The JSON type of a value in words, for "found a number" in messages.
std::string found(const nlohmann::json& value) {
  return std::string("found ") + value.type_name();
}

// A string member of an object: nullptr when absent or null, so callers treat both as missing
// (YAML writes an empty value as null). Sets `wrong_type` when present with another type.
const std::string* string_member(const nlohmann::json& object, std::string_view key,
                                 bool& wrong_type) {
  wrong_type = false;
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return nullptr;
  if (!it->is_string()) {
    wrong_type = true;
    return nullptr;
  }
  return it->get_ptr<const std::string*>();
}

class Walker {
 public:
  Walker(const core::Settings& settings, const core::StaticIdentities& existing, Pending& pending)
      : settings_(settings), existing_(existing), pending_(pending) {}

  // Returns "" on success or an error that starts with `where`, the document or list item the
  // problem is in ("document 2" or "document 2, item 3").
  // item_kind: the kind items of a typed list have when they do not say (the API server leaves
  // "kind" out of the items of a ServiceAccountList).
  std::string object(const nlohmann::json& value, const std::string& where, bool in_list,
                     const std::string* item_kind = nullptr) {
    auto at = [&where](const std::string& message) { return where + ": " + message; };
    if (!value.is_object()) return at("not a Kubernetes object (" + found(value) + ")");
    bool wrong_type = false;
    const std::string* kind = string_member(value, "kind", wrong_type);
    if (wrong_type) return at("kind is not a string (" + found(value.at("kind")) + ")");
    if (kind == nullptr) kind = item_kind;
    if (kind == nullptr) return at("has no kind");

    if (*kind == "ServiceAccount") return located(where, service_account(value, where));
    if (*kind == "ConfigMap") return located(where, config_map(value, where));
    if (*kind == "Namespace") return located(where, namespace_labels(value));
    // "List" is what kubectl prints for several kinds at once, "ServiceAccountList" what the API
    // returns for one kind; both carry their objects in "items".
    if (std::string_view(*kind).ends_with("List")) {
      if (in_list) return at("a " + *kind + " inside a list is not supported");
      return list(value, *kind, where);
    }
    return at("kind " + *kind + " is not a ServiceAccount");
  }

 private:
  std::string list(const nlohmann::json& value, const std::string& kind, const std::string& where) {
    auto items = value.find("items");
    // An empty list comes back from kubectl as "items: []", and from some tools as a null or
    // missing field; none of them is an error.
    if (items == value.end() || items->is_null()) return {};
    if (!items->is_array()) {
      return where + ": " + kind + " items is not a list (" + found(*items) + ")";
    }
    const std::string item_kind = kind.substr(0, kind.size() - std::string_view("List").size());
    for (std::size_t i = 0; i < items->size(); ++i) {
      std::string error = object((*items)[i], where + ", item " + std::to_string(i + 1),
                                 /*in_list=*/true, item_kind.empty() ? nullptr : &item_kind);
      if (!error.empty()) return error;
    }
    return {};
  }

  // metadata.name and metadata.namespace, with the namespace defaulted as kubectl does when a
  // manifest does not name one.
  struct Names {
    core::NamespacedName id;
    const nlohmann::json* metadata = nullptr;
    std::string error;
  };

  static std::string located(const std::string& where, const std::string& error) {
    return error.empty() ? error : where + ": " + error;
  }

  static Names names(const nlohmann::json& value, const std::string& kind) {
    Names result;
    auto metadata = value.find("metadata");
    if (metadata == value.end() || metadata->is_null()) {
      result.error = kind + " has no metadata.name";
      return result;
    }
    if (!metadata->is_object()) {
      result.error = kind + " metadata is not an object (" + found(*metadata) + ")";
      return result;
    }
    result.metadata = &*metadata;
    bool wrong_type = false;
    const std::string* name = string_member(*metadata, "name", wrong_type);
    if (wrong_type) {
      result.error = kind + " metadata.name is not a string (" + found(metadata->at("name")) + ")";
      return result;
    }
    if (name == nullptr || name->empty()) {
      result.error = kind + " has no metadata.name";
      return result;
    }
    const std::string* ns = string_member(*metadata, "namespace", wrong_type);
    if (wrong_type) {
      result.error =
          kind + " metadata.namespace is not a string (" + found(metadata->at("namespace")) + ")";
      return result;
    }
    result.id.name = *name;
    result.id.ns = (ns == nullptr || ns->empty()) ? std::string("default") : *ns;
    return result;
  }

  std::string service_account(const nlohmann::json& value, const std::string& where) {
    Names n = names(value, "ServiceAccount");
    if (!n.error.empty()) return n.error;
    const std::string label = "ServiceAccount " + n.id.ns + "/" + n.id.name;

    core::Annotations annotations;
    auto field = n.metadata->find("annotations");
    if (field != n.metadata->end() && !field->is_null()) {
      if (!field->is_object()) {
        return label + " metadata.annotations is not an object (" + found(*field) + ")";
      }
      for (auto it = field->begin(); it != field->end(); ++it) {
        // Kubernetes annotations are strings only, and the API server rejects anything else.
        // The usual cause is an unquoted YAML value such as "true" or "3600", which the core
        // schema types; say so rather than guess the text it would have had.
        if (!it->is_string()) {
          return label + " annotation " + it.key() + " is not a string (" + found(*it) +
                 "); quote the value in YAML";
        }
        annotations.emplace(it.key(), it->get<std::string>());
      }
    }

    if (!pending_.seen.insert(n.id).second ||
        existing_.find_service_account(n.id.ns, n.id.name) != nullptr) {
      pending_.problems.push_back(where + ": " + label +
                                  " is defined more than once; this later definition is used");
    }
    pending_.service_accounts.push_back(
        {n.id, core::entry_from_service_account(annotations, settings_)});
    return {};
  }

  std::string config_map(const nlohmann::json& value, const std::string& where) {
    Names n = names(value, "ConfigMap");
    if (!n.error.empty()) return n.error;
    // Only upstream's ConfigMap means anything here; any other ConfigMap in an identities file
    // is most likely the wrong file, so it is an error rather than silently ignored. Its
    // namespace is whatever the webhook runs in, which this reader cannot know: any is taken.
    if (n.id.name != kConfigMapName) {
      return "ConfigMap " + n.id.name + " is not the " + std::string(kConfigMapName) + " ConfigMap";
    }
    const std::string label = "ConfigMap " + n.id.ns + "/" + n.id.name;

    auto data = value.find("data");
    if (data == value.end() || data->is_null()) return label + " has no data.config";
    if (!data->is_object()) return label + " data is not an object (" + found(*data) + ")";
    bool wrong_type = false;
    const std::string* config = string_member(*data, "config", wrong_type);
    if (wrong_type) {
      return label + " data.config is not a string (" + found(data->at("config")) + ")";
    }
    if (config == nullptr) return label + " has no data.config";

    core::ConfigMapParse parsed = core::parse_config_map_config(*config, settings_);
    // Upstream keeps its previous mappings when the config does not parse; a file has no
    // previous state, so the whole load fails instead of running without the mappings.
    if (!parsed.error.empty()) return label + " data.config: " + parsed.error;
    for (std::string& problem : parsed.value.problems) {
      pending_.problems.push_back(where + ": " + label + ": " + problem);
    }
    for (auto& entry : parsed.value.entries) {
      pending_.config_map_entries.push_back(std::move(entry));
    }
    return {};
  }

  // A Namespace's labels, for role policy rules with a namespaceSelector.
  std::string namespace_labels(const nlohmann::json& value) {
    const auto metadata = value.find("metadata");
    if (metadata == value.end() || !metadata->is_object()) return "Namespace has no metadata";
    bool wrong_type = false;
    const std::string* name = string_member(*metadata, "name", wrong_type);
    if (name == nullptr || name->empty()) return "Namespace has no metadata.name";
    core::Labels labels;
    if (const auto given = metadata->find("labels");
        given != metadata->end() && !given->is_null()) {
      if (!given->is_object()) return "Namespace " + *name + " labels is not an object";
      for (const auto& [key, label] : given->items()) {
        if (!label.is_string()) return "Namespace " + *name + " label " + key + " is not a string";
        labels.emplace(key, label.get<std::string>());
      }
    }
    // The API server gives every namespace this label; files written by hand seldom carry it.
    labels.emplace("kubernetes.io/metadata.name", *name);
    pending_.namespaces.emplace_back(*name, std::move(labels));
    return {};
  }

  const core::Settings& settings_;
  const core::StaticIdentities& existing_;
  Pending& pending_;
};

}  // namespace

std::string add_identity_documents(const std::vector<nlohmann::json>& documents,
                                   const core::Settings& settings,
                                   core::StaticIdentities& identities,
                                   std::vector<std::string>& problems) {
  Pending pending;
  Walker walker(settings, identities, pending);
  for (std::size_t i = 0; i < documents.size(); ++i) {
    std::string error =
        walker.object(documents[i], "document " + std::to_string(i + 1), /*in_list=*/false);
    if (!error.empty()) return error;
  }

  for (auto& add : pending.service_accounts) {
    identities.add_service_account(std::move(add.id.ns), std::move(add.id.name),
                                   std::move(add.entry));
  }
  for (auto& [id, entry] : pending.config_map_entries) {
    identities.add_config_map_entry(std::move(id.ns), std::move(id.name), std::move(entry));
  }
  for (auto& [name, labels] : pending.namespaces) {
    identities.add_namespace(name, std::move(labels));
  }
  for (auto& problem : pending.problems) problems.push_back(std::move(problem));
  return {};
}

}  // namespace irsa::store
