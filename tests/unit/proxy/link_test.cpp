// A Link on a real loop over socketpairs (no TCP, no Session): reading, the chain, writing,
// end of stream, flow control against a destination that does not read, and closing.
#include "proxy/link.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <string>

#include "toxics/toxic_spec.h"

namespace faultline {
namespace {

struct Recorder final : LinkEvents {
  void onLinkRead(Stream, std::size_t bytes) override { read += bytes; }
  void onLinkWritten(Stream, std::size_t bytes) override { written += bytes; }
  void onLinkPaused(Stream) override { ++pauses; }
  void onLinkReadError(Stream, int status) override { read_error = status; }
  void onLinkWriteError(Stream, int status, const char*) override { write_error = status; }
  void onLinkEnded(Stream) override { ++ended; }
  void onLinkToxicClose(Stream, CloseMode, const std::string& toxic) override { closed_by = toxic; }
  Random& linkRandom(Stream, const ToxicSpec&) override { return random; }
  void onLinkStageBuilt(Stream, const ToxicSpec&, bool applied) override { applied_count += applied ? 1 : 0; }
  void onLinkClosed(Stream) override { ++link_closed; }

  Random random{1};
  std::size_t read = 0;
  std::size_t written = 0;
  int pauses = 0;
  int read_error = 0;
  int write_error = 0;
  int ended = 0;
  int applied_count = 0;
  int link_closed = 0;
  std::string closed_by;
};

ToxicSpecPtr latency(int64_t ms) {
  ToxicInput input;
  input.name = "lat";
  input.type = "latency";
  input.attributes = {{"latency", ms}};
  auto spec = buildToxicSpec(input);
  EXPECT_TRUE(spec.ok());
  return std::make_shared<const ToxicSpec>(spec.value());
}

// src_peer -> [src pipe] Link [dst pipe] -> dst_peer
class LinkOnALoop : public ::testing::Test {
 protected:
  void SetUp() override {
    uv_loop_init(&loop_);
    int a[2];
    int b[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, a), 0);
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, b), 0);
    src_peer_ = a[0];
    dst_peer_ = b[1];
    fcntl(src_peer_, F_SETFL, O_NONBLOCK);
    fcntl(dst_peer_, F_SETFL, O_NONBLOCK);
    uv_pipe_init(&loop_, &src_, 0);
    uv_pipe_init(&loop_, &dst_, 0);
    uv_pipe_open(&src_, a[1]);
    uv_pipe_open(&dst_, b[0]);
    src_.data = &link_;
    link_.init(&loop_, reinterpret_cast<uv_stream_t*>(&src_), reinterpret_cast<uv_stream_t*>(&dst_), &onRead,
               1u << 20, nullptr);
  }
  void TearDown() override {
    link_.close();
    uv_close(reinterpret_cast<uv_handle_t*>(&src_), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&dst_), nullptr);
    for (int i = 0; i < 100 && uv_run(&loop_, UV_RUN_NOWAIT) != 0; ++i) {
    }
    EXPECT_EQ(events_.link_closed, 1);
    EXPECT_EQ(uv_loop_close(&loop_), 0);
    ::close(src_peer_);
    ::close(dst_peer_);
  }

  static void onRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t*) {
    static_cast<Link*>(stream->data)->onReadResult(nread);
  }

  // Runs the loop until `done` or about two seconds of iterations have passed.
  template <typename Done>
  void runUntil(Done done) {
    for (int i = 0; i < 2000 && !done(); ++i) {
      uv_run(&loop_, UV_RUN_NOWAIT);
      usleep(1000);
    }
  }

  // What the destination peer receives until it has `size` bytes (or about two seconds pass).
  std::string receiveDst(std::size_t size) {
    std::string got;
    runUntil([&] {
      got += drainDst();
      return got.size() >= size;
    });
    return got;
  }

  std::string drainDst() {
    std::string out;
    char buf[65536];
    ssize_t n;
    while ((n = ::read(dst_peer_, buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
    if (n == 0) dst_eof_ = true;
    return out;
  }

  uv_loop_t loop_{};
  uv_pipe_t src_{};
  uv_pipe_t dst_{};
  int src_peer_ = -1;
  int dst_peer_ = -1;
  bool dst_eof_ = false;
  Recorder events_;
  Link link_{events_, Stream::kDownstream};
};

TEST_F(LinkOnALoop, CarriesBytesThroughItsChainThenTheEndOfStream) {
  link_.start({latency(20)});
  EXPECT_EQ(events_.applied_count, 1);
  link_.startReading();
  const std::string message = "hello through a real loop";
  ASSERT_EQ(::write(src_peer_, message.data(), message.size()), static_cast<ssize_t>(message.size()));
  ::shutdown(src_peer_, SHUT_WR);
  std::string got;
  runUntil([&] {
    got += drainDst();
    return dst_eof_;
  });
  EXPECT_EQ(got, message);
  EXPECT_EQ(events_.read, message.size());
  EXPECT_EQ(events_.written, message.size());
  EXPECT_EQ(events_.ended, 1);
  EXPECT_EQ(link_.bufferedBytes(), 0u);
}

TEST_F(LinkOnALoop, StopsReadingWhenTheDestinationDoesNotReadAndResumesWhenItDoes) {
  link_.start({});
  link_.startReading();
  const std::string block(64 * 1024, 'x');
  std::size_t sent = 0;
  // Feed until the link pauses (its writer queue passed the watermark) and the source's socket
  // buffer is full: from then on nothing more is read in, whatever the sender does.
  for (int i = 0; i < 4000; ++i) {
    const ssize_t n = ::write(src_peer_, block.data(), block.size());
    if (n > 0) sent += static_cast<std::size_t>(n);
    else if (link_.readPaused()) break;
    uv_run(&loop_, UV_RUN_NOWAIT);
  }
  ASSERT_TRUE(link_.readPaused());
  EXPECT_GE(events_.pauses, 1);
  // Without toxics the link holds its small writer queue plus the read that crossed it, not the
  // 1 MiB cap: the kernel's socket buffers hold the rest of the backlog.
  EXPECT_EQ(link_.holdLimit(), 128u * 1024);
  EXPECT_LE(link_.bufferedBytes(), 128u * 1024 + 64 * 1024);
  const std::size_t read_when_paused = events_.read;
  for (int i = 0; i < 50; ++i) uv_run(&loop_, UV_RUN_NOWAIT);
  EXPECT_EQ(events_.read, read_when_paused);

  // The destination reads again: everything sent arrives, in full.
  ::shutdown(src_peer_, SHUT_WR);
  std::size_t got = 0;
  runUntil([&] {
    got += drainDst().size();
    return dst_eof_;
  });
  EXPECT_EQ(got, sent);
  EXPECT_EQ(events_.ended, 1);
}

ToxicSpecPtr bandwidth(int64_t rate_kbps) {
  ToxicInput input;
  input.name = "bw";
  input.type = "bandwidth";
  input.attributes = {{"rate", rate_kbps}};
  auto spec = buildToxicSpec(input);
  EXPECT_TRUE(spec.ok());
  return std::make_shared<const ToxicSpec>(spec.value());
}

// Issue 17: a bandwidth stage wants a short window at its rate (two 100 ms pieces), so the link holds that window
// plus the read that crossed it, not its cap (1 MiB here), and loses nothing.
TEST_F(LinkOnALoop, BehindABandwidthToxicHoldsItsWindowPlusOneChunkAndLosesNothing) {
  link_.start({bandwidth(2000)});  // 2000 KB/s: a 400,000-byte window (200 ms)
  link_.startReading();
  EXPECT_EQ(link_.holdLimit(), 400'000u);
  const std::string data = std::string(2000 * 1000, 'b');
  std::size_t sent = 0;
  std::string got;
  std::size_t peak = 0;
  for (int i = 0; i < 100000 && got.size() < data.size(); ++i) {
    if (sent < data.size()) {
      const ssize_t n = ::write(src_peer_, data.data() + sent, std::min<std::size_t>(64 * 1024, data.size() - sent));
      if (n > 0) sent += static_cast<std::size_t>(n);
    }
    uv_run(&loop_, UV_RUN_NOWAIT);
    peak = std::max(peak, link_.chargedBytes());
    got += drainDst();
    usleep(200);
  }
  EXPECT_EQ(got.size(), data.size());
  EXPECT_EQ(got, data);
  RecordProperty("peak_charged_bytes", std::to_string(peak));
  EXPECT_LE(peak, 400'000u + 64 * 1024 + 4096) << "the link held more than its window plus one read";
  EXPECT_GE(events_.pauses, 1) << "the sender was faster than the rate: the reader must have paused";
}

TEST_F(LinkOnALoop, CloseStopsTheChainAndReportsOnceItsHandleHasClosed) {
  link_.start({latency(1000)});
  link_.startReading();
  ASSERT_EQ(::write(src_peer_, "held", 4), 4);
  runUntil([&] { return events_.read == 4; });
  EXPECT_EQ(link_.bufferedBytes(), 4u);
  link_.close();
  EXPECT_EQ(events_.link_closed, 0);  // only from the close callback
  runUntil([&] { return events_.link_closed == 1; });
  EXPECT_EQ(events_.link_closed, 1);
  EXPECT_EQ(drainDst(), "");
}

// An idle link costs what its sockets cost: no timer handle until a stage (or the owner) needs
// a deadline, and a link without toxics needs none to carry bytes. Closing it reports at once.
TEST_F(LinkOnALoop, ALinkWithoutToxicsHoldsNoTimerHandle) {
  link_.start({});
  link_.startReading();
  ASSERT_EQ(::write(src_peer_, "plain", 5), 5);
  EXPECT_EQ(receiveDst(5), "plain");
  EXPECT_FALSE(link_.timerQueue().holdsHandle());
  link_.close();
  EXPECT_EQ(events_.link_closed, 1) << "no handle to wait for";
}

TEST_F(LinkOnALoop, ALatencyToxicMakesTheTimerHandleItNeeds) {
  link_.start({latency(20)});
  link_.startReading();
  ASSERT_EQ(::write(src_peer_, "late", 4), 4);
  runUntil([&] { return events_.read == 4; });
  EXPECT_TRUE(link_.timerQueue().holdsHandle());
  EXPECT_EQ(receiveDst(4), "late");
}

// A link without stages sends each read straight from the read buffer while nothing is queued,
// and what the socket does not take waits in the writer; later reads queue behind it. A
// numbered stream through a destination that reads in small sips arrives complete, in order.
TEST_F(LinkOnALoop, PassesReadsStraightOnAndQueuesWhatTheSocketDidNotTakeInOrder) {
  uv_os_fd_t dst_fd = -1;
  ASSERT_EQ(uv_fileno(reinterpret_cast<uv_handle_t*>(&dst_), &dst_fd), 0);
  const int small = 16 * 1024;  // so a 64 KiB read often goes out in part
  ASSERT_EQ(setsockopt(dst_fd, SOL_SOCKET, SO_SNDBUF, &small, sizeof small), 0);
  link_.start({});
  link_.startReading();
  std::string data(3 << 20, '\0');
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>((i * 7 + i / 4093) % 251);
  std::size_t sent = 0;
  std::string got;
  char sip[3000];
  std::size_t peak_queued = 0;
  for (int i = 0; i < 200000 && got.size() < data.size(); ++i) {
    if (sent < data.size()) {
      const std::size_t piece = std::min<std::size_t>(data.size() - sent, 1 + (i * 977) % 70000);
      const ssize_t n = ::write(src_peer_, data.data() + sent, piece);
      if (n > 0) sent += static_cast<std::size_t>(n);
    }
    uv_run(&loop_, UV_RUN_NOWAIT);
    peak_queued = std::max(peak_queued, link_.bufferedBytes());
    if (i % 3 == 0) {  // the destination is slower than the source: the socket fills up
      const ssize_t n = ::read(dst_peer_, sip, sizeof sip);
      if (n > 0) got.append(sip, static_cast<std::size_t>(n));
    } else {
      got += drainDst();
    }
  }
  ASSERT_EQ(got.size(), data.size());
  EXPECT_TRUE(got == data) << "bytes were reordered or changed";
  EXPECT_GT(peak_queued, 0u) << "the socket always took everything: the queued path was not exercised";
  EXPECT_EQ(link_.bufferedBytes(), 0u);
}

}  // namespace
}  // namespace faultline
