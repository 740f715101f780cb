#include "irsa/server/file_watcher.hpp"

#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <filesystem>
#include <optional>
#include <set>

namespace irsa::server {

namespace asio = boost::asio;

namespace {

// What identifies one version of a file, following symlinks. Any field changing means new
// content may be there.
struct Fingerprint {
  bool exists = false;
  dev_t device = 0;
  ino_t inode = 0;
  off_t size = 0;
  std::int64_t modified_ns = 0;
  std::int64_t changed_ns = 0;
  friend bool operator==(const Fingerprint&, const Fingerprint&) = default;
};

std::int64_t nanoseconds(const timespec& time) {
  return static_cast<std::int64_t>(time.tv_sec) * 1'000'000'000 + time.tv_nsec;
}

Fingerprint fingerprint(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return {};
  return {true,
          info.st_dev,
          info.st_ino,
          info.st_size,
          nanoseconds(info.st_mtim),
          nanoseconds(info.st_ctim)};
}

// The folders whose entries decide what `path` means: its own folder and, when it is a symlink,
// the folder of what it points to.
std::set<std::string> folders_of(const std::string& path) {
  namespace fs = std::filesystem;
  std::set<std::string> folders;
  const fs::path absolute = fs::absolute(fs::path(path)).lexically_normal();
  folders.insert(absolute.parent_path().string());
  std::error_code error;
  const fs::path target = fs::canonical(absolute, error);
  if (!error) folders.insert(target.parent_path().string());
  return folders;
}

}  // namespace

struct FileWatcher::State : std::enable_shared_from_this<FileWatcher::State> {
  State(asio::io_context& io, std::vector<std::string> watched, Load loader, FileWatchTiming t)
      : strand(asio::make_strand(io)),
        paths(std::move(watched)),
        load(std::move(loader)),
        timing(t),
        poll_timer(strand),
        settle_timer(strand),
        retry_timer(strand),
        notify(strand),
        retry_delay(t.first_retry) {}

  asio::strand<asio::io_context::executor_type> strand;
  std::vector<std::string> paths;
  Load load;
  FileWatchTiming timing;
  asio::steady_timer poll_timer;
  asio::steady_timer settle_timer;
  asio::steady_timer retry_timer;
  asio::posix::stream_descriptor notify;
  std::array<char, 4096> events{};
  std::vector<Fingerprint> seen;
  std::set<std::string> watched_folders;
  std::chrono::milliseconds retry_delay;
  bool failing = false;
  bool forced = false;
  bool settling = false;
  bool stopped = false;

  void begin(bool load_first) {
    open_inotify();
    if (load_first) {
      run_load();
    } else {
      seen = current();
    }
    schedule_poll();
  }

  void open_inotify() {
    const int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd < 0) return;  // the periodic check still works
    notify.assign(fd);
    add_watches();
    read_events();
  }

  void add_watches() {
    if (!notify.is_open()) return;
    constexpr std::uint32_t kMask = IN_CREATE | IN_DELETE | IN_MODIFY | IN_CLOSE_WRITE |
                                    IN_MOVED_TO | IN_MOVED_FROM | IN_ATTRIB | IN_DELETE_SELF |
                                    IN_MOVE_SELF;
    for (const auto& path : paths) {
      for (const auto& folder : folders_of(path)) {
        if (watched_folders.count(folder) != 0) continue;
        // A folder that does not exist yet is left to the periodic check, which retries this.
        if (::inotify_add_watch(notify.native_handle(), folder.c_str(), kMask) >= 0) {
          watched_folders.insert(folder);
        }
      }
    }
  }

  void read_events() {
    notify.async_read_some(asio::buffer(events), [self = shared_from_this()](
                                                     boost::system::error_code error, std::size_t) {
      if (error || self->stopped) return;
      self->settle_then_check();
      self->read_events();
    });
  }

  void settle_then_check() {
    if (settling) return;
    settling = true;
    settle_timer.expires_after(timing.settle);
    settle_timer.async_wait([self = shared_from_this()](boost::system::error_code error) {
      self->settling = false;
      if (!error && !self->stopped) self->check();
    });
  }

  void schedule_poll() {
    poll_timer.expires_after(timing.poll_interval);
    poll_timer.async_wait([self = shared_from_this()](boost::system::error_code error) {
      if (error || self->stopped) return;
      self->add_watches();
      self->check();
      self->schedule_poll();
    });
  }

  std::vector<Fingerprint> current() const {
    std::vector<Fingerprint> now;
    now.reserve(paths.size());
    for (const auto& path : paths) now.push_back(fingerprint(path));
    return now;
  }

  void check() {
    if (current() != seen || forced) {
      // A symlink may now point into a folder not yet watched.
      add_watches();
      run_load();
    }
  }

  void run_load() {
    forced = false;
    // Fingerprints are taken before loading: a change made during the load is seen next time.
    seen = current();
    const bool loaded = load();
    if (loaded) {
      failing = false;
      retry_delay = timing.first_retry;
      retry_timer.cancel();
      return;
    }
    failing = true;
    retry_timer.expires_after(retry_delay);
    retry_delay = std::min(retry_delay * 2, timing.max_retry);
    retry_timer.async_wait([self = shared_from_this()](boost::system::error_code error) {
      if (!error && !self->stopped && self->failing) self->run_load();
    });
  }

  void end() {
    stopped = true;
    poll_timer.cancel();
    settle_timer.cancel();
    retry_timer.cancel();
    boost::system::error_code ignored;
    notify.close(ignored);
  }
};

FileWatcher::FileWatcher(asio::io_context& io, std::vector<std::string> paths, Load load,
                         FileWatchTiming timing)
    : state_(std::make_shared<State>(io, std::move(paths), std::move(load), timing)) {}

FileWatcher::~FileWatcher() {
  stop();
}

void FileWatcher::start(bool load_first) {
  asio::post(state_->strand, [state = state_, load_first] { state->begin(load_first); });
}

void FileWatcher::reload_soon() {
  asio::post(state_->strand, [state = state_] { state->forced = true; });
}

void FileWatcher::reload_now() {
  asio::post(state_->strand, [state = state_] {
    if (!state->stopped) state->run_load();
  });
}

void FileWatcher::stop() {
  asio::post(state_->strand, [state = state_] { state->end(); });
}

}  // namespace irsa::server
