// End-to-end properties of the data path through real sockets on 127.0.0.1 (TESTS.md, "Data path").
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <atomic>
#include <cerrno>
#include <thread>

#include "e2e/proxy_fixture.h"

namespace faultline::testing {
namespace {

using namespace std::chrono_literals;

constexpr std::size_t k64MiB = 64u << 20;

// Sends `payload` through a proxy to an echo server while reading the echo on another thread.
std::string echoThrough(uint16_t port, const std::string& payload, milliseconds deadline = 120s) {
  Socket client = Socket::connectTo(port);
  EXPECT_TRUE(client.valid());
  std::string received;
  std::thread reader([&] { received = client.readUntilClosed(deadline); });
  EXPECT_TRUE(client.sendAll(payload));
  client.shutdownWrite();
  reader.join();
  return received;
}

class DataPath : public ProxyFixture {};

TEST_F(DataPath, SmallMessageArrivesUnchanged) {
  auto echo = TcpServer::echo();
  uint16_t port = createProxy("echo", echo.port());
  EXPECT_EQ(echoThrough(port, "hello faultline"), "hello faultline");
}

TEST_F(DataPath, SixtyFourMiBBothDirectionsAtOnceArriveByteIdentical) {
  auto echo = TcpServer::echo();
  uint16_t port = createProxy("bulk", echo.port());
  const std::string payload = randomBytes(k64MiB, 1);
  const std::string received = echoThrough(port, payload);
  ASSERT_EQ(received.size(), payload.size());
  EXPECT_EQ(hashBytes(received), hashBytes(payload));
}

TEST_F(DataPath, SixtyFourMiBThroughSlicerArriveByteIdentical) {
  auto echo = TcpServer::echo();
  uint16_t port = createProxy("sliced", echo.port());
  addToxic("sliced", toxic("slicer", Stream::kUpstream, {{"average_size", 4096}, {"size_variation", 3000}}));
  addToxic("sliced", toxic("slicer", Stream::kDownstream, {{"average_size", 1500}, {"size_variation", 1499}}));
  const std::string payload = randomBytes(k64MiB, 2);
  const std::string received = echoThrough(port, payload);
  ASSERT_EQ(received.size(), payload.size());
  EXPECT_EQ(hashBytes(received), hashBytes(payload));
}

TEST_F(DataPath, SixtyFourMiBThroughLatencyWithJitterArriveByteIdentical) {
  auto echo = TcpServer::echo();
  uint16_t port = createProxy("jittery", echo.port());
  addToxic("jittery", toxic("latency", Stream::kUpstream, {{"latency", 20}, {"jitter", 15}}));
  addToxic("jittery", toxic("latency", Stream::kDownstream, {{"latency", 5}, {"jitter", 5}}));
  const std::string payload = randomBytes(k64MiB, 3);
  const std::string received = echoThrough(port, payload);
  ASSERT_EQ(received.size(), payload.size());
  EXPECT_EQ(hashBytes(received), hashBytes(payload));
}

TEST_F(DataPath, ToxicsAddedAndRemovedMidStreamLoseAndReorderNothing) {
  auto echo = TcpServer::echo();
  uint16_t port = createProxy("churn", echo.port());
  const std::string payload = randomBytes(k64MiB, 4);
  std::atomic<bool> done{false};
  std::thread churn([&] {
    for (int i = 0; !done && i < 2000; ++i) {
      const Stream stream = i % 2 == 0 ? Stream::kUpstream : Stream::kDownstream;
      addToxic("churn", toxic("latency", stream, {{"latency", 5 + i % 7}, {"jitter", 3}}, "lat"));
      addToxic("churn", toxic("slicer", stream, {{"average_size", 777}, {"size_variation", 500}, {"delay", 10}}, "slice"));
      addToxic("churn", toxic("bandwidth", Stream::kDownstream, {{"rate", 0}}, "bw"));
      std::this_thread::sleep_for(3ms);
      removeToxic("churn", "slice");
      removeToxic("churn", "lat");
      removeToxic("churn", "bw");
    }
  });
  const std::string received = echoThrough(port, payload);
  done = true;
  churn.join();
  ASSERT_EQ(received.size(), payload.size());
  EXPECT_EQ(hashBytes(received), hashBytes(payload));
}

TEST_F(DataPath, LiveConnectionGetsANewLatencyToxic) {
  auto echo = TcpServer::echo();
  uint16_t port = createProxy("live", echo.port());
  Socket client = Socket::connectTo(port);
  ASSERT_TRUE(client.sendAll("ping"));
  ASSERT_EQ(client.readExactly(4, 5s), "ping");
  addToxic("live", toxic("latency", Stream::kDownstream, {{"latency", 300}}));
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(client.sendAll("pong"));
  ASSERT_EQ(client.readExactly(4, 10s), "pong");
  EXPECT_GE(std::chrono::steady_clock::now() - start, 290ms);
}

TEST_F(DataPath, HalfCloseStillDeliversTheWholeReply) {
  const std::string reply = randomBytes(3u << 20, 5);
  TcpServer upstream([&](Socket& s) {
    std::string request = s.readUntilClosed(10s);  // reads to the client's FIN
    s.sendAll(request + reply);
    s.shutdownWrite();
  });
  uint16_t port = createProxy("half", upstream.port());
  addToxic("half", toxic("latency", Stream::kDownstream, {{"latency", 50}}));
  Socket client = Socket::connectTo(port);
  ASSERT_TRUE(client.sendAll("request-body"));
  client.shutdownWrite();
  int error = -1;
  const std::string received = client.readUntilClosed(20s, &error);
  EXPECT_EQ(error, 0);
  ASSERT_EQ(received.size(), reply.size() + 12);
  EXPECT_EQ(received.substr(0, 12), "request-body");
  EXPECT_EQ(hashBytes(received.substr(12)), hashBytes(reply));
}

TEST_F(DataPath, ResetPeerGivesTheClientAReset) {
  auto echo = TcpServer::echo();
  uint16_t port = createProxy("reset", echo.port());
  addToxic("reset", toxic("reset_peer", Stream::kDownstream, {{"timeout", 100}}));
  Socket client = Socket::connectTo(port);
  ASSERT_TRUE(client.sendAll("data"));
  int error = -1;
  client.readUntilClosed(10s, &error);
  EXPECT_EQ(error, ECONNRESET);
}

TEST_F(DataPath, UpstreamResetBecomesAResetTowardsTheClient) {
  TcpServer upstream([](Socket& s) {
    s.readExactly(5, 5s);
    linger lin{1, 0};
    setsockopt(s.fd(), SOL_SOCKET, SO_LINGER, &lin, sizeof lin);
    s.close();
  });
  uint16_t port = createProxy("rst", upstream.port());
  Socket client = Socket::connectTo(port);
  ASSERT_TRUE(client.sendAll("hello"));
  int error = -1;
  client.readUntilClosed(10s, &error);
  EXPECT_EQ(error, ECONNRESET);
}

TEST_F(DataPath, TimeoutToxicHoldsDataThenCloses) {
  auto echo = TcpServer::echo();
  uint16_t port = createProxy("timeout", echo.port());
  addToxic("timeout", toxic("timeout", Stream::kDownstream, {{"timeout", 300}}));
  Socket client = Socket::connectTo(port);
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(client.sendAll("anyone there?"));
  int error = -1;
  const std::string received = client.readUntilClosed(10s, &error);
  EXPECT_EQ(received, "");
  EXPECT_NE(error, ETIMEDOUT);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 250ms);
}

TEST_F(DataPath, RemovingATimeoutZeroToxicClosesTheConnectionsItHeld) {
  auto echo = TcpServer::echo();
  uint16_t port = createProxy("blackhole", echo.port());
  addToxic("blackhole", toxic("timeout", Stream::kDownstream, {{"timeout", 0}}));
  Socket client = Socket::connectTo(port);
  ASSERT_TRUE(client.sendAll("into the void"));
  int error = -1;
  EXPECT_EQ(client.readUntilClosed(500ms, &error), "");
  EXPECT_EQ(error, ETIMEDOUT);  // held, not closed
  removeToxic("blackhole", "timeout_downstream");
  client.readUntilClosed(10s, &error);
  EXPECT_NE(error, ETIMEDOUT);
}

TEST_F(DataPath, LimitDataClosesAfterExactlyNBytes) {
  const std::string body = randomBytes(200'000, 6);
  TcpServer upstream([&](Socket& s) {
    s.sendAll(body);
    s.readUntilClosed(10s);
  });
  uint16_t port = createProxy("limit", upstream.port());
  addToxic("limit", toxic("limit_data", Stream::kDownstream, {{"bytes", 100'001}}));
  Socket client = Socket::connectTo(port);
  int error = -1;
  const std::string received = client.readUntilClosed(10s, &error);
  EXPECT_NE(error, ETIMEDOUT);
  ASSERT_EQ(received.size(), 100'001u);
  EXPECT_EQ(received, body.substr(0, 100'001));
}

TEST_F(DataPath, UpstreamRefusingClosesTheClientPromptly) {
  uint16_t port = createProxy("refused", unusedPort());
  Socket client = Socket::connectTo(port);
  ASSERT_TRUE(client.valid());
  int error = -1;
  EXPECT_EQ(client.readUntilClosed(5s, &error), "");
  EXPECT_NE(error, ETIMEDOUT);
}

TEST_F(DataPath, DisableClosesListenerAndSessionsAndEnableRebinds) {
  auto echo = TcpServer::echo();
  uint16_t port = createProxy("toggle", echo.port());
  Socket live = Socket::connectTo(port);
  ASSERT_TRUE(live.sendAll("x"));
  ASSERT_EQ(live.readExactly(1, 5s), "x");

  ProxyPatch disable;
  disable.enabled = false;
  ASSERT_TRUE(loop_->call([&] { return registry_->update("toggle", disable); }).ok());
  int error = -1;
  live.readUntilClosed(5s, &error);
  EXPECT_NE(error, ETIMEDOUT);
  EXPECT_FALSE(Socket::connectTo(port).valid());

  ProxyPatch enable;
  enable.enabled = true;
  auto info = loop_->call([&] { return registry_->update("toggle", enable); });
  ASSERT_TRUE(info.ok()) << info.error().message;
  EXPECT_EQ(parseHostPort(info->listen)->port, port);  // the same port comes back
  EXPECT_EQ(echoThrough(port, "again"), "again");
}

TEST_F(DataPath, SecondProxyOnTheSameAddressFailsWithBindsError) {
  auto echo = TcpServer::echo();
  uint16_t port = createProxy("first", echo.port());
  ProxyConfig config{"second", "127.0.0.1:" + std::to_string(port), "127.0.0.1:1", true, {}, false};
  auto result = loop_->call([&] { return registry_->create(config); });
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kIo);
  EXPECT_NE(result.error().message.find("address already in use"), std::string::npos) << result.error().message;
}

TEST_F(DataPath, Ipv6ListenAndUpstreamWork) {
  auto echo = TcpServer::echo();
  ProxyConfig config{"v6", "[::1]:0", "127.0.0.1:" + std::to_string(echo.port()), true, {}, false};
  auto info = loop_->call([&] { return registry_->create(config); });
  if (!info.ok()) GTEST_SKIP() << "no IPv6 loopback here: " << info.error().message;
  EXPECT_EQ(info->listen.rfind("[::1]:", 0), 0u);
  Socket client = Socket::connectTo(parseHostPort(info->listen)->port, "::1");
  ASSERT_TRUE(client.valid());
  ASSERT_TRUE(client.sendAll("six"));
  client.shutdownWrite();
  EXPECT_EQ(client.readUntilClosed(5s), "six");
}

TEST_F(DataPath, UpstreamHostnameIsResolvedWithoutBlocking) {
  auto echo = TcpServer::echo();
  ProxyConfig config{"named", "127.0.0.1:0", "localhost:" + std::to_string(echo.port()), true, {}, false};
  auto info = loop_->call([&] { return registry_->create(config); });
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(echoThrough(parseHostPort(info->listen)->port, "by name"), "by name");
}

class Backpressure : public ProxyFixture {
 protected:
  void SetUp() override {
    RegistryOptions options;
    options.link_cap_bytes = 1u << 20;
    options.global_cap_bytes = 64u << 20;
    startRegistry(options);
  }
};

TEST_F(Backpressure, FastSenderSlowReaderKeepsTheLinkUnderItsCap) {
  constexpr std::size_t kTotal = 48u << 20;
  const std::string payload = randomBytes(kTotal, 7);
  TcpServer upstream([&](Socket& s) { s.sendAll(payload); s.shutdownWrite(); s.readUntilClosed(30s); });
  uint16_t port = createProxy("pressure", upstream.port());
  Socket client = Socket::connectTo(port);
  std::string received;
  std::size_t max_buffered = 0;
  const auto until = std::chrono::steady_clock::now() + 120s;
  char buf[16384];
  // Read slowly at first (100x slower than the sender), sampling what the proxy holds.
  for (int i = 0; i < 200 && std::chrono::steady_clock::now() < until; ++i) {
    ssize_t n = ::recv(client.fd(), buf, sizeof buf, 0);
    if (n <= 0) break;
    received.append(buf, static_cast<std::size_t>(n));
    max_buffered = std::max(max_buffered, bufferedBytes());
    std::this_thread::sleep_for(2ms);
  }
  max_buffered = std::max(max_buffered, bufferedBytes());
  // Then drain at full speed: nothing may be lost when the reader resumes.
  received += client.readUntilClosed(60s);
  // One read (64 KiB) may land above the cap before reading stops.
  EXPECT_LE(max_buffered, (1u << 20) + (64u << 10));
  EXPECT_GT(max_buffered, 0u);
  ASSERT_EQ(received.size(), kTotal);
  EXPECT_EQ(hashBytes(received), hashBytes(payload));
}

TEST_F(Backpressure, LatencyToxicHoldsAtMostTheCapNotTheStream) {
  constexpr std::size_t kTotal = 6u << 20;
  const std::string payload = randomBytes(kTotal, 8);
  TcpServer upstream([&](Socket& s) { s.sendAll(payload); s.shutdownWrite(); s.readUntilClosed(30s); });
  uint16_t port = createProxy("slow", upstream.port());
  addToxic("slow", toxic("latency", Stream::kDownstream, {{"latency", 1000}}));
  Socket client = Socket::connectTo(port);
  std::this_thread::sleep_for(700ms);  // the sender fills the link while the toxic holds everything
  const std::size_t held = bufferedBytes();
  EXPECT_LE(held, (1u << 20) + (64u << 10));
  const std::string received = client.readUntilClosed(120s);
  ASSERT_EQ(received.size(), kTotal);
  EXPECT_EQ(hashBytes(received), hashBytes(payload));
}

}  // namespace
}  // namespace faultline::testing
