// Toxic behaviour on live sockets (TESTS.md, "Data path"): timings with generous bounds.
#include <dirent.h>
#include <malloc.h>
#include <sys/socket.h>
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <map>
#include <thread>
#include <vector>

#include "support/proxy_fixture.h"

namespace faultline::testing {
namespace {

using namespace std::chrono_literals;
using Steady = std::chrono::steady_clock;

class LiveToxics : public ProxyFixture {};

Steady::duration roundTrip(Socket& client, const std::string& message) {
  const auto start = Steady::now();
  EXPECT_TRUE(client.sendAll(message));
  EXPECT_EQ(client.readExactly(message.size(), 20s), message);
  return Steady::now() - start;
}

std::size_t openFds() {
  std::size_t count = 0;
  if (DIR* dir = opendir("/proc/self/fd")) {
    while (readdir(dir) != nullptr) ++count;
    closedir(dir);
  }
  return count;
}

#if defined(__SANITIZE_ADDRESS__)
extern "C" std::size_t __sanitizer_get_current_allocated_bytes();
std::size_t heapBytesInUse() { return __sanitizer_get_current_allocated_bytes(); }
#else
std::size_t heapBytesInUse() { return mallinfo2().uordblks; }
#endif

std::size_t rssBytes() {
  std::ifstream statm("/proc/self/statm");
  std::size_t pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

TEST_F(LiveToxics, StackedLatencyToxicsAddUp) {
  auto echo = TcpServer::echo();
  uint16_t port = createProxy("stacked", echo.port());
  addToxic("stacked", toxic("latency", Stream::kDownstream, {{"latency", 250}}, "first"));
  addToxic("stacked", toxic("latency", Stream::kDownstream, {{"latency", 250}}, "second"));
  Socket client = Socket::connectTo(port);
  EXPECT_GE(roundTrip(client, "two hops"), 490ms);
}

// Each leg measured on its own: the upstream server timestamps arrival and departure. The
// upper bound (latency + jitter, ± 10 ms) is proven on a fake clock in LatencyToxic's unit tests.
TEST_F(LiveToxics, LatencyDelaysEachDirectionByAtLeastItsOwnLatencyMinusJitter) {
  std::atomic<int64_t> arrived_ns{0}, replied_ns{0};
  auto now_ns = [] { return std::chrono::duration_cast<std::chrono::nanoseconds>(Steady::now().time_since_epoch()).count(); };
  TcpServer upstream([&](Socket& s) {
    if (s.readExactly(4, 20s) != "ping") return;
    arrived_ns = now_ns();
    replied_ns = now_ns();
    s.sendAll("pong");
    s.readUntilClosed(20s);
  });
  uint16_t port = createProxy("legs", upstream.port());
  addToxic("legs", toxic("latency", Stream::kUpstream, {{"latency", 1000}, {"jitter", 20}}));
  addToxic("legs", toxic("latency", Stream::kDownstream, {{"latency", 150}, {"jitter", 20}}));
  Socket client = Socket::connectTo(port);
  const int64_t sent_ns = now_ns();
  ASSERT_TRUE(client.sendAll("ping"));
  ASSERT_EQ(client.readExactly(4, 20s), "pong");
  const int64_t received_ns = now_ns();
  EXPECT_GE(std::chrono::nanoseconds(arrived_ns - sent_ns), 980ms) << "upstream leg";
  EXPECT_GE(std::chrono::nanoseconds(received_ns - replied_ns), 130ms) << "downstream leg";
  EXPECT_LT(std::chrono::nanoseconds(received_ns - replied_ns), 900ms) << "the downstream leg got the upstream toxic";
}

TEST_F(LiveToxics, LatencyInBothDirectionsAddsBothLegsToTheRoundTrip) {
  auto echo = TcpServer::echo();
  uint16_t port = createProxy("both", echo.port());
  addToxic("both", toxic("latency", Stream::kUpstream, {{"latency", 100}, {"jitter", 20}}));
  addToxic("both", toxic("latency", Stream::kDownstream, {{"latency", 100}, {"jitter", 20}}));
  Socket client = Socket::connectTo(port);
  for (int i = 0; i < 3; ++i) {
    const auto elapsed = roundTrip(client, "tick" + std::to_string(i));
    EXPECT_GE(elapsed, 160ms);  // two legs of at least 100 - 20 ms
  }
}

TEST_F(LiveToxics, ToxicityZeroNeverFires) {
  auto echo = TcpServer::echo();
  uint16_t port = createProxy("spared", echo.port());
  addToxic("spared", toxic("reset_peer", Stream::kDownstream, {{"timeout", 0}}, "", 0.0));
  for (int i = 0; i < 20; ++i) {
    Socket client = Socket::connectTo(port);
    ASSERT_TRUE(client.sendAll("safe"));
    client.shutdownWrite();
    int error = -1;
    EXPECT_EQ(client.readUntilClosed(5s, &error), "safe");
    EXPECT_EQ(error, 0);
  }
}

TEST_F(LiveToxics, LatencyOf100msStillMovesBulkDataAtAtLeast20MBPerSecond) {
  // Stop-and-wait would move one 64 KiB read per 100 ms (0.6 MB/s): 64 MiB would take 100 s.
  // TESTS.md asks for >= 100 MB/s (bench/ measures it on a quiet machine); under ASan on a busy
  // 2-core CI box the bound is relaxed to 20 MB/s, still 30x what stop-and-wait could reach.
  auto echo = TcpServer::sink();
  uint16_t port = createProxy("pipelined", echo.port());
  addToxic("pipelined", toxic("latency", Stream::kUpstream, {{"latency", 100}}));
  const std::string payload = randomBytes(64u << 20, 9);
  Socket client = Socket::connectTo(port);
  const auto start = Steady::now();
  ASSERT_TRUE(client.sendAll(payload));
  client.shutdownWrite();
  client.readUntilClosed(60s);
  const double seconds = std::chrono::duration<double>(Steady::now() - start).count();
  EXPECT_GE(payload.size() / seconds / 1e6, 20.0) << payload.size() / 1e6 << " MB in " << seconds << " s";
}

TEST_F(LiveToxics, BandwidthDeliversIdenticalBytesNoFasterThanItsRate) {
  const std::string body = randomBytes(200'000, 10);
  TcpServer upstream([&](Socket& s) { s.sendAll(body); s.shutdownWrite(); s.readUntilClosed(30s); });
  uint16_t port = createProxy("narrow", upstream.port());
  addToxic("narrow", toxic("bandwidth", Stream::kDownstream, {{"rate", 200}}));  // 200 KB/s
  Socket client = Socket::connectTo(port);
  const auto start = Steady::now();
  const std::string received = client.readUntilClosed(30s);
  EXPECT_EQ(received, body);
  EXPECT_GE(Steady::now() - start, 800ms);  // 200 KB at 200 KB/s is one second
}

TEST_F(LiveToxics, RemovingABandwidthToxicWithABlockedWriterNeverHangs) {
  TcpServer upstream([&](Socket& s) {
    const std::string chunk(1 << 20, 'z');
    for (int i = 0; i < 32 && s.sendAll(chunk); ++i) {
    }
  });
  uint16_t port = createProxy("blocked", upstream.port());
  addToxic("blocked", toxic("bandwidth", Stream::kDownstream, {{"rate", 1}}));
  addToxic("blocked", toxic("latency", Stream::kDownstream, {{"latency", 100}}));
  addToxic("blocked", toxic("timeout", Stream::kUpstream, {{"timeout", 0}}));
  Socket client = Socket::connectTo(port);  // never reads: the writer towards it blocks
  std::this_thread::sleep_for(300ms);
  removeToxic("blocked", "bandwidth_downstream");  // each call has a 10 s deadline
  removeToxic("blocked", "latency_downstream");
  removeToxic("blocked", "timeout_upstream");
}

// Regression (removing a toxic waited for the data path: Toxiproxy's API hung when the writer was
// blocked): every toxic type, removed while the client never reads and the upstream floods it.
TEST_F(LiveToxics, RemovingAnyToxicUnderABlockedWriterNeverHangs) {
  TcpServer upstream([&](Socket& s) {
    const std::string chunk(1 << 20, 'z');
    for (int i = 0; i < 64 && s.sendAll(chunk); ++i) {
    }
  });
  const std::vector<std::pair<std::string, std::map<std::string, int64_t>>> toxics = {
      // Short delays: by the time of the removal the held bytes have reached the blocked writer.
      {"bandwidth", {{"rate", 0}}},  {"bandwidth", {{"rate", 1}}},          {"latency", {{"latency", 100}}},
      {"slow_close", {{"delay", 60'000}}}, {"timeout", {{"timeout", 0}}},  {"reset_peer", {{"timeout", 60'000}}},
      {"slicer", {{"average_size", 100}, {"size_variation", 50}, {"delay", 0}}},
      {"limit_data", {{"bytes", int64_t{1} << 40}}}};
  for (std::size_t i = 0; i < toxics.size(); ++i) {
    const auto& [type, attributes] = toxics[i];
    SCOPED_TRACE(type);
    const std::string name = "blocked" + std::to_string(i);
    uint16_t port = createProxy(name, upstream.port());
    addToxic(name, toxic(type, Stream::kDownstream, attributes, "t"));
    Socket client = Socket::connectTo(port);  // never reads: the writer towards it blocks
    ASSERT_TRUE(client.valid());
    const int small = 4096;  // so the kernel's buffers do not absorb the flood for long
    ::setsockopt(client.fd(), SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    std::this_thread::sleep_for(300ms);
    // Timeout and reset_peer swallow the data; every other toxic passes it on to the writer,
    // which then holds bytes it cannot write.
    if (type != "timeout" && type != "reset_peer") {
      for (auto until = Steady::now() + 10s; bufferedBytes() == 0 && Steady::now() < until;) {
        std::this_thread::sleep_for(20ms);
      }
      EXPECT_GT(bufferedBytes(), 0u) << "nothing is held: the writer is not blocked";
    }
    const auto start = Steady::now();
    removeToxic(name, "t");  // a hang fails here at the call's 10 s deadline
    EXPECT_LT(Steady::now() - start, 5s);
    auto info = loop_->call([&] { return registry_->get(name); });  // the loop still answers
    ASSERT_TRUE(info.ok());
    EXPECT_TRUE(info->toxics.empty()) << "the removal did not take effect";
    // Gone with its sessions, so the next case's buffered bytes are its own.
    ASSERT_TRUE(loop_->call([&] { return registry_->remove(name); }).ok());
  }
}

// Latency delays the FIN too: it must not overtake the data it follows.
TEST_F(LiveToxics, LatencyDelaysTheFinBehindTheData) {
  TcpServer upstream([](Socket& s) { s.sendAll("bye"); s.shutdownWrite(); s.readUntilClosed(10s); });
  uint16_t port = createProxy("latefin", upstream.port());
  addToxic("latefin", toxic("latency", Stream::kDownstream, {{"latency", 400}}));
  const auto start = Steady::now();
  Socket client = Socket::connectTo(port);
  int error = -1;
  EXPECT_EQ(client.readUntilClosed(10s, &error), "bye");
  EXPECT_EQ(error, 0);
  EXPECT_GE(Steady::now() - start, 390ms) << "the FIN (or the data) was not delayed";
}

TEST_F(LiveToxics, SlowCloseDelaysTheFinBehindTheData) {
  TcpServer upstream([](Socket& s) { s.sendAll("bye"); s.shutdownWrite(); s.readUntilClosed(10s); });
  uint16_t port = createProxy("slowclose", upstream.port());
  addToxic("slowclose", toxic("slow_close", Stream::kDownstream, {{"delay", 400}}));
  Socket client = Socket::connectTo(port);
  EXPECT_EQ(client.readExactly(3, 5s), "bye");
  const auto start = Steady::now();
  int error = -1;
  client.readUntilClosed(10s, &error);
  EXPECT_EQ(error, 0);
  EXPECT_GE(Steady::now() - start, 300ms);
}

TEST_F(LiveToxics, ThousandToxicConnectCloseCyclesLeaveFdsAndHeapAtBaseline) {
  auto echo = TcpServer::echo();
  uint16_t port = createProxy("churn", echo.port());
  auto cycle = [&] {
    addToxic("churn", toxic("latency", Stream::kDownstream, {{"latency", 0}, {"jitter", 1}}));
    Socket client = Socket::connectTo(port);
    ASSERT_TRUE(client.sendAll("x"));
    client.shutdownWrite();
    ASSERT_EQ(client.readUntilClosed(5s), "x");
    client.close();
    removeToxic("churn", "latency_downstream");
  };
  for (int i = 0; i < 50; ++i) cycle();  // warm up pools and the echo server's bookkeeping
  std::this_thread::sleep_for(100ms);
  const std::size_t baseline = openFds();
  const std::size_t heap_baseline = heapBytesInUse();
  for (int i = 0; i < 1000 && !HasFatalFailure(); ++i) cycle();
  // Sessions finish closing on the loop; give it a moment, with a deadline.
  const auto until = Steady::now() + 10s;
  while (openFds() > baseline + 2 && Steady::now() < until) std::this_thread::sleep_for(20ms);
  EXPECT_LE(openFds(), baseline + 2);
  EXPECT_EQ(loop_->call([&] { return registry_->sessionCount(); }), 0u);
  // Live heap, not RSS (ASan's quarantine holds freed memory): a leak of one session (or one
  // 64 KiB read slab) per cycle would be far above this. The echo server's per-connection
  // bookkeeping (a thread handle and an fd per cycle) lives in this process too.
  const std::size_t heap_now = heapBytesInUse();
  RecordProperty("heap_growth_bytes", std::to_string(static_cast<long long>(heap_now) - static_cast<long long>(heap_baseline)));
  EXPECT_LT(heap_now - std::min(heap_now, heap_baseline), 1u << 20)
      << "heap grew from " << heap_baseline << " to " << heap_now << " bytes over 1,000 cycles";
}

TEST_F(LiveToxics, ThousandIdleSessionsAreHeldWithBoundedMemory) {
  auto echo = TcpServer::sink();
  uint16_t port = createProxy("idle", echo.port());
  constexpr int kSessions = 1000;
  const std::size_t rss_before = rssBytes();
  std::vector<Socket> clients;
  clients.reserve(kSessions);
  for (int i = 0; i < kSessions; ++i) {
    clients.push_back(Socket::connectTo(port));
    if (!clients.back().valid()) GTEST_SKIP() << "fd limit reached at " << i << " connections";
  }
  const auto until = Steady::now() + 30s;
  while (loop_->call([&] { return registry_->sessionCount(); }) < kSessions && Steady::now() < until) {
    std::this_thread::sleep_for(20ms);
  }
  ASSERT_EQ(loop_->call([&] { return registry_->sessionCount(); }), static_cast<std::size_t>(kSessions));
  const std::size_t per_session = (rssBytes() - std::min(rssBytes(), rss_before)) / kSessions;
  // The echo server's threads live in this process too (each has a stack), so the bound is loose;
  // bench/ measures the proxy alone.
  EXPECT_LT(per_session, 256u * 1024);
}

}  // namespace
}  // namespace faultline::testing
