// Running a client-go exec credential plugin (such as `aws eks get-token`) from inside the
// server: the plugin is a child process, and its output must be collected without blocking the
// thread that serves admission requests, and without leaving a process behind when it hangs.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <string>

#include "irsa/kube/client_config.hpp"

namespace irsa::kube {

struct ExecOutcome {
  ExecCredential credential;
  // Non-empty: one line naming the command and what went wrong (not found, exit status or
  // signal, timeout, oversized or invalid output), with the end of its stderr when it wrote any.
  std::string error;
};

// What a plugin may print before it counts as broken: a token or certificate is a few KiB.
inline constexpr std::size_t kExecStdoutLimit = std::size_t{1} << 20;
// How much of the plugin's stderr is kept for the error message (its last bytes).
inline constexpr std::size_t kExecStderrTail = 4096;

// Runs the plugin as a child process and awaits it on the caller's executor (one strand or a
// single-threaded executor). The command is looked up in this process's PATH as execvp does; its
// environment is this process's plus plugin.env plus KUBERNETES_EXEC_INFO (an ExecCredential of
// plugin.api_version saying the session is not interactive); stdin is /dev/null. The child runs
// in a process group of its own so that a timeout kills whatever it started too. After `timeout`
// the group gets SIGKILL and the child is reaped: the child never outlives the call, even when
// the calling coroutine is cancelled or destroyed.
//
// The plugin is taken by value: an awaitable starts only when awaited, and a reference could
// dangle by then.
[[nodiscard]] boost::asio::awaitable<ExecOutcome> run_exec_plugin(
    ExecPlugin plugin, std::chrono::milliseconds timeout);

}  // namespace irsa::kube
