// The completion token of coroutines that look at errors themselves: `co_await op(kNoThrow)`
// yields (error, results...) instead of throwing, so a failed step is a value to report.
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace irsa::net {

inline constexpr auto kNoThrow = boost::asio::as_tuple(boost::asio::use_awaitable);

}  // namespace irsa::net
