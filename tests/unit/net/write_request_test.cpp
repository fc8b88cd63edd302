#include "net/write_request.h"

#include <gtest/gtest.h>

#include <string>

namespace faultline {
namespace {

Chunk bytes(const std::string& text) { return Chunk::copyOf(text.data(), text.size()); }

// Issue 19 item 7: a stream cut into 1-byte pieces must cost one request with one buffer, not a
// request (or a Chunk) per byte.
TEST(WriteRequest, RunsOfSmallPiecesAreCopiedIntoOneBufferAndCostAboutTheirBytes) {
  WriteRequest req;
  const std::string text(10'000, 'x');
  Chunk whole = bytes(text);
  for (std::size_t i = 0; i < text.size(); ++i) req.add(whole.slice(i, 1));
  EXPECT_EQ(req.bytes(), text.size());
  EXPECT_EQ(req.pieces(), text.size());
  // The copies (16 KiB buffers) and a little bookkeeping: nowhere near 10,000 chunk records.
  EXPECT_LT(req.cost(), text.size() + 40'000u);
}

TEST(WriteRequest, ALoneSmallPieceAndBigChunksAreNotCopied) {
  WriteRequest req;
  req.add(bytes("ping"));
  EXPECT_LT(req.cost(), 4u + 1024u);
  WriteRequest big;
  big.add(bytes(std::string(64 * 1024, 'b')));
  big.add(bytes(std::string(64 * 1024, 'c')));
  EXPECT_EQ(big.bytes(), 128u * 1024);
  EXPECT_LT(big.cost(), 128u * 1024 + 1024u);  // no copy buffer (16 KiB) allocated
}

// The bytes arrive in order whatever the mix of copied and referenced pieces.
TEST(WriteRequest, WritesEveryPieceInOrderThroughARealStream) {
  uv_loop_t loop;
  uv_loop_init(&loop);
  int fds[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  uv_pipe_t pipe;
  uv_pipe_init(&loop, &pipe, 0);
  uv_pipe_open(&pipe, fds[0]);
  auto* req = new WriteRequest;
  std::string expected;
  for (int i = 0; i < 300; ++i) {
    const std::string piece = i % 50 == 0 ? std::string(5000, static_cast<char>('a' + i % 26)) : std::to_string(i);
    expected += piece;
    req->add(bytes(piece));
  }
  static int status_seen = 1;
  ASSERT_EQ(req->submit(reinterpret_cast<uv_stream_t*>(&pipe),
                        [](uv_write_t* r, int status) {
                          status_seen = status;
                          delete WriteRequest::from(r);
                        }),
            0);
  for (int i = 0; i < 100 && status_seen == 1; ++i) uv_run(&loop, UV_RUN_NOWAIT);
  EXPECT_EQ(status_seen, 0);
  std::string got(expected.size(), '\0');
  std::size_t have = 0;
  while (have < got.size()) {
    const ssize_t n = ::read(fds[1], got.data() + have, got.size() - have);
    ASSERT_GT(n, 0);
    have += static_cast<std::size_t>(n);
  }
  EXPECT_EQ(got, expected);
  uv_close(reinterpret_cast<uv_handle_t*>(&pipe), nullptr);
  uv_run(&loop, UV_RUN_DEFAULT);
  EXPECT_EQ(uv_loop_close(&loop), 0);
  ::close(fds[1]);
}

}  // namespace
}  // namespace faultline
