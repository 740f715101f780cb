// The ServiceAccount payloads of the Kubernetes API, read into what the cache keeps: a LIST
// page (items, resourceVersion, continue token) and one line of a WATCH stream
// ({"type":...,"object":...}). Only names, resourceVersion and the annotations under the
// webhook's prefix are kept; the rest of each object is skipped without being copied.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "irsa/core/identity_sources.hpp"

namespace irsa::kube {

struct AccountObject {
  std::string ns;
  std::string name;
  std::string resource_version;
  core::Annotations annotations;  // only those whose key starts with "<prefix>/"
};

struct ListPage {
  std::vector<AccountObject> items;
  std::string resource_version;  // the list's, to start the WATCH from
  std::string continue_token;    // empty on the last page
  std::string error;             // non-empty: the page is unusable
};

// A ServiceAccountList (or a v1 List of ServiceAccounts) as GET .../serviceaccounts returns it.
[[nodiscard]] ListPage parse_service_account_list(std::string_view json,
                                                  std::string_view annotation_prefix);

enum class WatchType { added, modified, deleted, bookmark, error };

struct WatchEvent {
  WatchType type = WatchType::error;
  AccountObject object;  // for added, modified, deleted; bookmark: only resource_version
  // For ERROR events: the Status the API server sent (410 means the resourceVersion is gone
  // and the cache must list again).
  int status_code = 0;
  std::string status_message;
};

struct WatchEventParse {
  WatchEvent event;
  std::string error;  // non-empty: the line is not a watch event
};

[[nodiscard]] WatchEventParse parse_watch_event(std::string_view line,
                                                std::string_view annotation_prefix);

}  // namespace irsa::kube
