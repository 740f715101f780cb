#include "irsa/kube/watch_events.hpp"

#include <simdjson.h>

#include "irsa/core/annotation_hints.hpp"

namespace irsa::kube {

namespace {

namespace od = simdjson::ondemand;

// The parse stops at the first problem with a message for the log.
struct PayloadError {
  std::string message;
};

std::string text(od::value value) {
  std::string_view view = value.get_string();
  return std::string(view);
}

void read_metadata(od::object metadata, std::string_view prefix, AccountObject& account) {
  for (auto field : metadata) {
    const std::string_view key = field.unescaped_key();
    if (key == "name") {
      account.name = text(field.value());
    } else if (key == "namespace") {
      account.ns = text(field.value());
    } else if (key == "resourceVersion") {
      account.resource_version = text(field.value());
    } else if (key == "annotations") {
      od::value annotations = field.value();
      if (annotations.is_null()) continue;
      for (auto annotation : annotations.get_object()) {
        const std::string_view name = annotation.unescaped_key();
        // Only "<prefix>/..." matters to the webhook; the rest is never copied, except the key
        // of a near miss (eks.amazon.com/role-arn), so that the account's pods can be told.
        if (name.size() > prefix.size() && name.compare(0, prefix.size(), prefix) == 0 &&
            name[prefix.size()] == '/') {
          account.annotations.emplace(std::string(name), text(annotation.value()));
        } else if (core::may_be_near_miss(name, prefix) &&
                   !core::annotation_near_misses({{std::string(name), std::string()}}, prefix)
                        .empty()) {
          account.annotations.emplace(std::string(name), std::string());
        }
      }
    }
  }
}

AccountObject read_account(od::object object, std::string_view prefix) {
  AccountObject account;
  for (auto field : object) {
    const std::string_view key = field.unescaped_key();
    if (key == "metadata") read_metadata(field.value().get_object(), prefix, account);
  }
  if (account.name.empty()) throw PayloadError{"a ServiceAccount without metadata.name"};
  if (account.ns.empty())
    throw PayloadError{"ServiceAccount " + account.name + " has no namespace"};
  return account;
}

WatchType watch_type(std::string_view name) {
  if (name == "ADDED") return WatchType::added;
  if (name == "MODIFIED") return WatchType::modified;
  if (name == "DELETED") return WatchType::deleted;
  if (name == "BOOKMARK") return WatchType::bookmark;
  if (name == "ERROR") return WatchType::error;
  throw PayloadError{"unknown watch event type \"" + std::string(name) + "\""};
}

// An ERROR event's object is a metav1.Status.
template <typename Event>
void read_status(od::object status, Event& event) {
  for (auto field : status) {
    const std::string_view key = field.unescaped_key();
    if (key == "code") {
      event.status_code = static_cast<int>(field.value().get_int64());
    } else if (key == "message") {
      event.status_message = text(field.value());
    }
  }
}

// A BOOKMARK's object carries only metadata.resourceVersion.
template <typename Event>
void read_bookmark(od::object object, Event& event) {
  for (auto field : object) {
    if (std::string_view(field.unescaped_key()) != "metadata") continue;
    for (auto meta : field.value().get_object()) {
      if (std::string_view(meta.unescaped_key()) == "resourceVersion") {
        event.object.resource_version = text(meta.value());
      }
    }
  }
}

ConfigMapObject read_config_map(od::object object) {
  ConfigMapObject map;
  for (auto field : object) {
    const std::string_view key = field.unescaped_key();
    if (key == "metadata") {
      for (auto meta : field.value().get_object()) {
        const std::string_view meta_key = meta.unescaped_key();
        if (meta_key == "name") map.name = text(meta.value());
        if (meta_key == "namespace") map.ns = text(meta.value());
        if (meta_key == "resourceVersion") map.resource_version = text(meta.value());
      }
    } else if (key == "data") {
      od::value data = field.value();
      if (data.is_null()) continue;
      for (auto entry : data.get_object()) {
        if (std::string_view(entry.unescaped_key()) == "config") map.config = text(entry.value());
      }
    }
  }
  if (map.name.empty()) throw PayloadError{"a ConfigMap without metadata.name"};
  return map;
}

NamespaceObject read_namespace(od::object object) {
  NamespaceObject space;
  for (auto field : object) {
    if (std::string_view(field.unescaped_key()) != "metadata") continue;
    for (auto meta : field.value().get_object()) {
      const std::string_view meta_key = meta.unescaped_key();
      if (meta_key == "name") {
        space.name = text(meta.value());
      } else if (meta_key == "resourceVersion") {
        space.resource_version = text(meta.value());
      } else if (meta_key == "labels") {
        od::value labels = meta.value();
        if (labels.is_null()) continue;
        for (auto label : labels.get_object()) {
          space.labels.emplace(std::string(std::string_view(label.unescaped_key())),
                               text(label.value()));
        }
      }
    }
  }
  if (space.name.empty()) throw PayloadError{"a Namespace without metadata.name"};
  return space;
}

// A LIST response: metadata.resourceVersion and .continue, then each item through read_item.
template <typename Object, typename ReadItem>
ListPageOf<Object> parse_list(std::string_view json, const char* what, ReadItem&& read_item) {
  ListPageOf<Object> page;
  try {
    od::parser parser;
    const simdjson::padded_string padded(json);
    od::document document = parser.iterate(padded);
    for (auto field : document.get_object()) {
      const std::string_view key = field.unescaped_key();
      if (key == "metadata") {
        for (auto meta : field.value().get_object()) {
          const std::string_view meta_key = meta.unescaped_key();
          if (meta_key == "resourceVersion") page.resource_version = text(meta.value());
          if (meta_key == "continue") page.continue_token = text(meta.value());
        }
      } else if (key == "items") {
        od::value items = field.value();
        if (items.is_null()) continue;
        for (auto item : items.get_array()) page.items.push_back(read_item(item.get_object()));
      }
    }
    if (page.resource_version.empty()) throw PayloadError{"the list has no resourceVersion"};
  } catch (const simdjson::simdjson_error& error) {
    page = {};
    page.error = std::string("not a ") + what + " list: " + error.what();
  } catch (const PayloadError& error) {
    page = {};
    page.error = error.message;
  }
  return page;
}

// One WATCH line: the envelope, then the object by its type (Status for ERROR, metadata only
// for BOOKMARK, read_object otherwise).
template <typename Object, typename ReadObject>
EventParse<WatchEventOf<Object>> parse_event(std::string_view line, ReadObject&& read_object) {
  EventParse<WatchEventOf<Object>> parse;
  try {
    od::parser parser;
    const simdjson::padded_string padded(line);
    od::document document = parser.iterate(padded);
    // The object may come before the type, so it is kept raw until the type is known.
    std::string type_name;
    std::string_view raw_object;
    for (auto field : document.get_object()) {
      const std::string_view key = field.unescaped_key();
      if (key == "type") {
        type_name = text(field.value());
      } else if (key == "object") {
        od::object object = field.value().get_object();
        raw_object = object.raw_json();
      }
    }
    if (type_name.empty()) throw PayloadError{"a watch event without type"};
    if (raw_object.empty()) throw PayloadError{"a watch event without object"};
    parse.event.type = watch_type(type_name);
    od::parser object_parser;
    const simdjson::padded_string object_text(raw_object);
    od::document object = object_parser.iterate(object_text);
    switch (parse.event.type) {
      case WatchType::error:
        read_status(object.get_object(), parse.event);
        break;
      case WatchType::bookmark:
        read_bookmark(object.get_object(), parse.event);
        break;
      default:
        parse.event.object = read_object(object.get_object());
    }
  } catch (const simdjson::simdjson_error& error) {
    parse = {};
    parse.error = std::string("not a watch event: ") + error.what();
  } catch (const PayloadError& error) {
    parse = {};
    parse.error = error.message;
  }
  return parse;
}

}  // namespace

ListPage parse_service_account_list(std::string_view json, std::string_view annotation_prefix) {
  return parse_list<AccountObject>(json, "ServiceAccount", [annotation_prefix](od::object item) {
    return read_account(item, annotation_prefix);
  });
}

AccountParse parse_service_account(std::string_view json, std::string_view annotation_prefix) {
  AccountParse parse;
  try {
    od::parser parser;
    const simdjson::padded_string padded(json);
    od::document document = parser.iterate(padded);
    parse.account = read_account(document.get_object(), annotation_prefix);
  } catch (const simdjson::simdjson_error& error) {
    parse = {};
    parse.error = std::string("not a ServiceAccount: ") + error.what();
  } catch (const PayloadError& error) {
    parse = {};
    parse.error = error.message;
  }
  return parse;
}

WatchEventParse parse_watch_event(std::string_view line, std::string_view annotation_prefix) {
  return parse_event<AccountObject>(
      line, [annotation_prefix](od::object item) { return read_account(item, annotation_prefix); });
}

ConfigMapListPage parse_config_map_list(std::string_view json) {
  return parse_list<ConfigMapObject>(json, "ConfigMap", read_config_map);
}

ConfigMapEventParse parse_config_map_event(std::string_view line) {
  return parse_event<ConfigMapObject>(line, read_config_map);
}

NamespaceListPage parse_namespace_list(std::string_view json) {
  return parse_list<NamespaceObject>(json, "Namespace", read_namespace);
}

NamespaceEventParse parse_namespace_event(std::string_view line) {
  return parse_event<NamespaceObject>(line, read_namespace);
}

}  // namespace irsa::kube
