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

// What tryWrite does not get into the socket goes out with submit(), in order, nothing twice;
// and while a uv_write is still queued, tryWrite sends nothing (it would overtake it).
TEST(WriteRequest, TryWriteSendsWhatFitsAndSubmitSendsTheRestInOrder) {
  uv_loop_t loop;
  uv_loop_init(&loop);
  int fds[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  const int small = 4096;
  ASSERT_EQ(setsockopt(fds[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof small), 0);
  uv_pipe_t pipe;
  uv_pipe_init(&loop, &pipe, 0);
  uv_pipe_open(&pipe, fds[0]);
  auto* stream = reinterpret_cast<uv_stream_t*>(&pipe);
  std::string expected;
  auto fill = [&expected](WriteRequest& req, int from) {
    for (int i = from; i < from + 200; ++i) {
      const std::string piece = i % 20 == 0 ? std::string(9000, static_cast<char>('a' + i % 26)) : std::to_string(i);
      expected += piece;
      req.add(bytes(piece));
    }
  };
  auto* first = new WriteRequest;
  fill(*first, 0);
  const std::size_t first_bytes = first->bytes();
  const ssize_t sent = first->tryWrite(stream);
  ASSERT_GT(sent, 0);
  ASSERT_LT(static_cast<std::size_t>(sent), first_bytes);  // the small buffer took only part
  EXPECT_EQ(first->bytes(), first_bytes - static_cast<std::size_t>(sent));
  static int done = 0;
  auto on_done = [](uv_write_t* r, int status) {
    EXPECT_EQ(status, 0);
    ++done;
    delete WriteRequest::from(r);
  };
  ASSERT_EQ(first->submit(stream, on_done), 0);
  auto* second = new WriteRequest;
  fill(*second, 1000);
  EXPECT_EQ(second->tryWrite(stream), 0);  // the first request is still queued
  ASSERT_EQ(second->submit(stream, on_done), 0);
  std::string got;
  char buf[8192];
  for (int i = 0; i < 100'000 && got.size() < expected.size(); ++i) {
    uv_run(&loop, UV_RUN_NOWAIT);
    const ssize_t n = ::recv(fds[1], buf, sizeof buf, MSG_DONTWAIT);
    if (n > 0) got.append(buf, static_cast<std::size_t>(n));
  }
  for (int i = 0; i < 100 && done < 2; ++i) uv_run(&loop, UV_RUN_NOWAIT);
  EXPECT_EQ(done, 2);
  EXPECT_EQ(got, expected);
  uv_close(reinterpret_cast<uv_handle_t*>(&pipe), nullptr);
  uv_run(&loop, UV_RUN_DEFAULT);
  EXPECT_EQ(uv_loop_close(&loop), 0);
  ::close(fds[1]);
}

}  // namespace
}  // namespace faultline
