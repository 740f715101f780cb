// A request's header fields come from its connection's arena while it has room, and from the
// heap past that, for copies, and without an arena; every block goes back where it came from
// (the ASan build checks the last part).
#include "irsa/server/field_arena.hpp"

#include <gtest/gtest.h>

#include <boost/beast/http/parser.hpp>
#include <memory>
#include <string>
#include <tuple>

#include "irsa/server/http_handler.hpp"

namespace irsa::server {
namespace {

TEST(FieldArena, HandsOutAlignedBlocksUntilFullAndAgainAfterReset) {
  FieldArena arena;
  void* first = arena.take(3, 1);
  void* second = arena.take(16, 8);
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  EXPECT_TRUE(arena.holds(first));
  EXPECT_TRUE(arena.holds(second));
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(second) % 8, 0U);
  EXPECT_GE(static_cast<char*>(second) - static_cast<char*>(first), 3);
  EXPECT_EQ(arena.take(FieldArena::kBytes, 1), nullptr) << "more than is left";
  arena.reset();
  void* whole = arena.take(FieldArena::kBytes, 1);
  EXPECT_EQ(whole, first) << "reset gives the whole buffer back";
  EXPECT_EQ(arena.take(1, 1), nullptr);
  int on_the_stack = 0;
  EXPECT_FALSE(arena.holds(&on_the_stack));
}

// The arenas live on the heap, as a connection's does: on the stack, GCC takes the fallback's
// operator delete for one that could be given an arena block, and warns.
TEST(FieldAllocator, FallsBackToTheHeapWithoutAnArenaOrRoom) {
  const auto owned = std::make_unique<FieldArena>();
  FieldArena& arena = *owned;
  FieldAllocator<char> with_arena(&arena);
  char* small = with_arena.allocate(100);
  EXPECT_TRUE(arena.holds(small));
  char* large = with_arena.allocate(FieldArena::kBytes);
  EXPECT_FALSE(arena.holds(large));
  with_arena.deallocate(large, FieldArena::kBytes);
  with_arena.deallocate(small, 100);

  FieldAllocator<char> without;
  char* heap = without.allocate(10);
  EXPECT_FALSE(arena.holds(heap));
  without.deallocate(heap, 10);
  EXPECT_FALSE(with_arena == without);
  EXPECT_TRUE(FieldAllocator<long>(with_arena) == with_arena) << "rebinding keeps the arena";
  EXPECT_EQ(with_arena.select_on_container_copy_construction().arena(), nullptr);
}

// Parses `bytes` as the listener does, with the fields in `arena`.
Request parse(FieldArena& arena, const std::string& bytes) {
  http::request_parser<http::string_body, FieldAllocator<char>> parser(
      std::piecewise_construct, std::make_tuple(), std::make_tuple(FieldAllocator<char>(&arena)));
  boost::system::error_code error;
  parser.eager(true);
  parser.put(boost::asio::buffer(bytes), error);
  EXPECT_FALSE(error) << error.message();
  EXPECT_TRUE(parser.is_done());
  return parser.release();
}

TEST(FieldAllocator, ARequestsFieldsLiveInTheArenaAndACopysOnTheHeap) {
  const auto owned = std::make_unique<FieldArena>();
  FieldArena& arena = *owned;
  const Request request = parse(arena,
                                "POST /mutate?timeout=10s HTTP/1.1\r\nHost: webhook\r\nUser-Agent: "
                                "kube-apiserver-admission\r\nContent-Type: application/json\r\n"
                                "Content-Length: 2\r\n\r\n{}");
  EXPECT_EQ(request.get_allocator().arena(), &arena);
  EXPECT_TRUE(arena.holds(request.target().data()));
  EXPECT_TRUE(arena.holds(request[http::field::user_agent].data()));
  EXPECT_EQ(request[http::field::user_agent], "kube-apiserver-admission");
  EXPECT_EQ(request.body(), "{}");

  const Request copy = request;  // NOLINT(performance-unnecessary-copy-initialization)
  EXPECT_EQ(copy.get_allocator().arena(), nullptr);
  EXPECT_FALSE(arena.holds(copy.target().data()));
  EXPECT_EQ(copy[http::field::host], "webhook");
}

TEST(FieldAllocator, HeadersLargerThanTheArenaGoOnTheHeap) {
  const auto owned = std::make_unique<FieldArena>();
  FieldArena& arena = *owned;
  const std::string padding(3 * FieldArena::kBytes, 'p');
  const Request request =
      parse(arena, "GET /healthz HTTP/1.1\r\nHost: webhook\r\nX-Padding: " + padding +
                       "\r\nX-After: yes\r\n\r\n");
  EXPECT_TRUE(arena.holds(request.target().data()));
  EXPECT_FALSE(arena.holds(request["X-Padding"].data()));
  EXPECT_EQ(request["X-Padding"], padding);
  EXPECT_EQ(request["X-After"], "yes");
}

TEST(FieldAllocator, AResponseMadeWithItsRequestsAllocatorKeepsItsFieldsInTheArena) {
  const auto owned = std::make_unique<FieldArena>();
  FieldArena& arena = *owned;
  const Request request = parse(arena,
                                "POST /mutate HTTP/1.1\r\nHost: webhook\r\nContent-Type: "
                                "application/json\r\nContent-Length: 2\r\n\r\n{}");
  const Response response = make_response(http::status::ok, 11, true, "application/json", "{}",
                                          request.get_allocator());
  EXPECT_EQ(response.get_allocator().arena(), &arena);
  EXPECT_TRUE(arena.holds(response[http::field::content_type].data()));
  EXPECT_EQ(response[http::field::content_type], "application/json");
  EXPECT_EQ(response[http::field::content_length], "2");

  // Without the request's allocator, as for a refusal made before any request was parsed.
  const Response refusal = make_response(http::status::bad_request, 11, false, kPlainText, "no\n");
  EXPECT_EQ(refusal.get_allocator().arena(), nullptr);
  EXPECT_FALSE(arena.holds(refusal[http::field::content_type].data()));
  EXPECT_EQ(refusal[http::field::content_length], "3");
}

}  // namespace
}  // namespace irsa::server
