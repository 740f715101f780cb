#include "log_output.hpp"

#include <stdexcept>

namespace irsa::cli {

namespace {

constexpr std::uint64_t kMegabyte = 1024 * 1024;

}  // namespace

server::LogOutput to_log_output(const KlogFlags& klog) {
  if (klog.logtostderr) return {};
  if (klog.log_file.empty()) {
    throw std::invalid_argument(
        "--logtostderr=false needs --log_file=FILE: irsa-webhook does not write klog's "
        "per-severity files" +
        std::string(klog.log_dir.empty() ? "" : " under --log_dir") +
        "; use --log_file, or leave --logtostderr at true");
  }
  if (klog.stderrthreshold < 0 || klog.stderrthreshold > 3) {
    throw std::invalid_argument("--stderrthreshold must be INFO, WARNING, ERROR or FATAL (0-3)");
  }
  return {.file = klog.log_file,
          .file_max_bytes = klog.log_file_max_size * kMegabyte,
          .stderr_threshold = klog.alsologtostderr ? 0 : klog.stderrthreshold};
}

std::string unused_log_output_flags(const KlogFlags& klog) {
  std::string unused;
  const auto note = [&unused](bool given, const char* name) {
    if (!given) return;
    if (!unused.empty()) unused.append(", ");
    unused.append(name);
  };
  // With --logtostderr (klog's default) every line goes to standard error and nowhere else.
  note(klog.logtostderr && !klog.log_file.empty(), "--log_file");
  note(klog.logtostderr && !klog.log_dir.empty(), "--log_dir");
  // The file named by --log_file wins over the folder, in klog too.
  note(!klog.logtostderr && !klog.log_file.empty() && !klog.log_dir.empty(), "--log_dir");
  return unused;
}

}  // namespace irsa::cli
