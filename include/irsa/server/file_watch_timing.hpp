// How often and how patiently a FileWatcher looks at its files. Apart from file_watcher.hpp so
// that the server's plain configuration can hold it without reading Asio.
#pragma once

#include <chrono>

namespace irsa::server {

struct FileWatchTiming {
  std::chrono::milliseconds poll_interval{1000};
  // After an inotify event, wait this long for related writes (a certificate, then its key)
  // before loading, so that one update is one load.
  std::chrono::milliseconds settle{50};
  std::chrono::milliseconds first_retry{10};
  std::chrono::milliseconds max_retry{300'000};
};

}  // namespace irsa::server
