// klog's output flags (--logtostderr, --log_file, --log_dir, --alsologtostderr,
// --stderrthreshold, --log_file_max_size) as the server's log destination.
#pragma once

#include "irsa/cli/server_flags.hpp"
#include "irsa/server/log.hpp"

namespace irsa::cli {

// Where the log goes, as klog would send it. klog's default (--logtostderr) writes everything to
// standard error and ignores the file flags. With --logtostderr=false, --log_file is honoured;
// klog's other destination, files named by severity, host and time under --log_dir or the temp
// folder, is not written, so asking for it throws std::invalid_argument saying what to use
// instead: a log must never go missing because a flag was quietly ignored.
[[nodiscard]] server::LogOutput to_log_output(const KlogFlags& klog);

// The klog output flags given that have no effect with these settings, comma-separated ("" when
// none), for a notice at start-up.
[[nodiscard]] std::string unused_log_output_flags(const KlogFlags& klog);

}  // namespace irsa::cli
