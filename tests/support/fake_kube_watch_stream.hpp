// A WATCH answer on the wire (fake_kube_watch_stream.cpp): the chunked response that carries
// the events queued for one watch as they come, until the watch ends, its timeoutSeconds pass,
// it is cut on purpose or the client leaves. Private to the fake.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <memory>

#include "irsa/net/any_stream.hpp"
#include "support/fake_kube_server.hpp"

namespace irsa::testing::fake_kube {

// How long one write may take before the fake gives up on its client (answers and events alike).
inline constexpr std::chrono::seconds kWriteTimeout{60};

enum class WatchEnd {
  finished,  // the final chunk went out; the connection may carry another request
  cut,       // to be closed on purpose without the final chunk
  lost,      // the client left, a write failed, or the server is closing
};

// Writes the response header, then the watch's events; unregisters the watch when it ends.
asio::awaitable<WatchEnd> stream_watch(Server& server,
                                       const std::shared_ptr<Connection>& connection,
                                       net::AnyStream& stream, const std::shared_ptr<Watch>& watch,
                                       Clock::time_point deadline, const Request& request);

}  // namespace irsa::testing::fake_kube
