// Keeps something loaded from files current: loads once at start, again whenever one of the
// files changes, and again with back-off while loading fails. A change is a new content written
// in place, a file replaced by rename, or a symlink swapped to a new target (how Kubernetes
// updates ConfigMap and Secret volumes: the `..data` link moves). inotify on the folders gives
// prompt notice; a periodic check of each file's identity catches what inotify cannot see
// (network file systems, a folder that does not exist yet, a link target elsewhere).
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "irsa/server/file_watch_timing.hpp"

namespace irsa::server {

class FileWatcher {
 public:
  // `load` reads the files and returns whether that worked. It runs on the watcher's own strand,
  // never twice at once.
  using Load = std::function<bool()>;

  FileWatcher(boost::asio::io_context& io, std::vector<std::string> paths, Load load,
              FileWatchTiming timing = {});
  ~FileWatcher();
  FileWatcher(const FileWatcher&) = delete;
  FileWatcher& operator=(const FileWatcher&) = delete;

  // Starts watching; with load_first, the first load is queued too (otherwise the files as they
  // are now count as loaded).
  void start(bool load_first = true);
  // Loads again at the next check even if nothing changed on disk.
  void reload_soon();
  // Loads again now, even if nothing changed on disk (and even while in back-off after a failure).
  void reload_now();
  void stop();

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace irsa::server
