// Toxic behaviour on live sockets (TESTS.md, "Data path"): timings with generous bounds.
#include <dirent.h>
#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "e2e/proxy_fixture.h"

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

TEST_F(LiveToxics, LatencyAppliesInEachDirectionWithinJitterBounds) {
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

TEST_F(LiveToxics, LatencyPipelinesBulkDataInsteadOfStopAndWait) {
  // Stop-and-wait would move one 64 KiB read per 100 ms: 64 MiB would take over 100 s.
  auto echo = TcpServer::sink();
  uint16_t port = createProxy("pipelined", echo.port());
  addToxic("pipelined", toxic("latency", Stream::kUpstream, {{"latency", 100}}));
  const std::string payload = randomBytes(64u << 20, 9);
  Socket client = Socket::connectTo(port);
  const auto start = Steady::now();
  ASSERT_TRUE(client.sendAll(payload));
  client.shutdownWrite();
  client.readUntilClosed(60s);
  EXPECT_LT(Steady::now() - start, 40s);
}

TEST_F(LiveToxics, BandwidthLimitsTheRate) {
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

TEST_F(LiveToxics, ThousandToxicConnectCloseCyclesLeaveFdsAtBaseline) {
  auto echo = TcpServer::echo();
  uint16_t port = createProxy("churn", echo.port());
  Socket warmup = Socket::connectTo(port);
  warmup.close();
  std::this_thread::sleep_for(100ms);
  const std::size_t baseline = openFds();
  for (int i = 0; i < 1000; ++i) {
    addToxic("churn", toxic("latency", Stream::kDownstream, {{"latency", 0}, {"jitter", 1}}));
    Socket client = Socket::connectTo(port);
    ASSERT_TRUE(client.sendAll("x"));
    client.shutdownWrite();
    ASSERT_EQ(client.readUntilClosed(5s), "x");
    client.close();
    removeToxic("churn", "latency_downstream");
  }
  // Sessions finish closing on the loop; give it a moment, with a deadline.
  const auto until = Steady::now() + 10s;
  while (openFds() > baseline + 2 && Steady::now() < until) std::this_thread::sleep_for(20ms);
  EXPECT_LE(openFds(), baseline + 2);
  EXPECT_EQ(loop_->call([&] { return registry_->sessionCount(); }), 0u);
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
