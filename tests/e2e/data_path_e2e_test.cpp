// End-to-end properties of the data path through real sockets on 127.0.0.1 (TESTS.md, "Data path").
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <mutex>
#include <thread>
#include <vector>

#include "support/proxy_fixture.h"

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

TEST_F(DataPath, SixtyFourKiBMessageArrivesUnchanged) {
  auto echo = TcpServer::echo();
  uint16_t port = createProxy("kib", echo.port());
  const std::string payload = randomBytes(64u << 10, 11);
  EXPECT_EQ(echoThrough(port, payload), payload);
}

TEST_F(DataPath, TwoWritesArriveConcatenatedInOrder) {
  auto echo = TcpServer::echo();
  uint16_t port = createProxy("two", echo.port());
  Socket client = Socket::connectTo(port);
  ASSERT_TRUE(client.sendAll("first write, "));
  std::this_thread::sleep_for(20ms);  // two segments, two reads on the proxy's side
  ASSERT_TRUE(client.sendAll("second write"));
  client.shutdownWrite();
  int error = -1;
  EXPECT_EQ(client.readUntilClosed(10s, &error), "first write, second write");
  EXPECT_EQ(error, 0);
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

TEST_F(DataPath, NumberedValuesArriveCompleteInOrderThenEofWhileALatencyToxicIsAddedAndRemoved) {
  auto echo = TcpServer::echo();
  uint16_t port = createProxy("numbered", echo.port());
  constexpr int kValues = 200'000;
  Socket client = Socket::connectTo(port);
  ASSERT_TRUE(client.valid());
  std::string received;
  int error = -1;
  std::thread reader([&] { received = client.readUntilClosed(120s, &error); });
  std::atomic<bool> writing{true};
  std::atomic<int> changes{0};
  std::thread churn([&] {
    // A tight loop on the loop thread's queue: every step is a chain rebuild on the live link.
    for (int i = 0; writing && i < 100'000; ++i) {
      const Stream stream = i % 2 == 0 ? Stream::kUpstream : Stream::kDownstream;
      addToxic("numbered", toxic("latency", stream, {{"latency", 1 + i % 5}}, "lat"));
      removeToxic("numbered", "lat");
      changes += 2;
    }
  });
  std::string batch;
  for (int value = 0; value < kValues; ++value) {
    batch += std::to_string(value) + "\n";
    if (value % 500 == 499) {
      ASSERT_TRUE(client.sendAll(batch));
      batch.clear();
      std::this_thread::sleep_for(1ms);  // spread the stream over many chain changes
    }
  }
  ASSERT_TRUE(client.sendAll(batch));
  client.shutdownWrite();
  writing = false;
  churn.join();
  reader.join();
  EXPECT_EQ(error, 0) << "the stream did not end with EOF";
  EXPECT_GE(changes.load(), 100) << "too few chain changes while the stream ran: the test proved little";
  int expected = 0;
  std::size_t pos = 0;
  for (std::size_t nl; (nl = received.find('\n', pos)) != std::string::npos; pos = nl + 1, ++expected) {
    ASSERT_EQ(received.substr(pos, nl - pos), std::to_string(expected)) << "value " << expected << " missing or out of order";
  }
  EXPECT_EQ(pos, received.size()) << "trailing partial value";
  EXPECT_EQ(expected, kValues);
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

TEST_F(DataPath, LiveConnectionFollowsAToxicAttributeUpdate) {
  auto echo = TcpServer::echo();
  uint16_t port = createProxy("update", echo.port());
  addToxic("update", toxic("latency", Stream::kDownstream, {{"latency", 0}}, "lag"));
  Socket client = Socket::connectTo(port);
  ASSERT_TRUE(client.sendAll("ping"));
  ASSERT_EQ(client.readExactly(4, 5s), "ping");
  ToxicPatch patch;
  patch.attributes["latency"] = 400;
  auto updated = loop_->call([&] { return registry_->updateToxic("update", "lag", patch); });
  ASSERT_TRUE(updated.ok()) << updated.error().message;
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(client.sendAll("pong"));
  ASSERT_EQ(client.readExactly(4, 10s), "pong");
  EXPECT_GE(std::chrono::steady_clock::now() - start, 390ms);
}

TEST_F(DataPath, LiveConnectionFollowsAToxicityUpdate) {
  auto echo = TcpServer::echo();
  uint16_t port = createProxy("odds", echo.port());
  // limit_data 0 cuts the connection at its next byte, but toxicity 0 never fires.
  addToxic("odds", toxic("limit_data", Stream::kDownstream, {{"bytes", 0}}, "cut", 0.0));
  Socket client = Socket::connectTo(port);
  ASSERT_TRUE(client.sendAll("spared"));
  ASSERT_EQ(client.readExactly(6, 5s), "spared");
  ToxicPatch patch;
  patch.toxicity = 1.0;
  auto updated = loop_->call([&] { return registry_->updateToxic("odds", "cut", patch); });
  ASSERT_TRUE(updated.ok()) << updated.error().message;
  ASSERT_TRUE(client.sendAll("doomed"));
  int error = -1;
  EXPECT_EQ(client.readUntilClosed(5s, &error), "");
  EXPECT_NE(error, ETIMEDOUT) << "the live connection kept the old toxicity";
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

// Toxiproxy closes both directions on the first EOF: the echo's tail still inside the proxy
// (here, held by a latency toxic) was dropped.
TEST_F(DataPath, HalfCloseWithTheEchoStillInFlightLosesNothing) {
  auto echo = TcpServer::echo();
  uint16_t port = createProxy("tail", echo.port());
  addToxic("tail", toxic("latency", Stream::kDownstream, {{"latency", 300}}));
  const std::string payload = randomBytes(2u << 20, 12);
  Socket client = Socket::connectTo(port);
  ASSERT_TRUE(client.valid());
  std::string received;
  int error = -1;
  std::thread reader([&] { received = client.readUntilClosed(30s, &error); });
  ASSERT_TRUE(client.sendAll(payload));
  client.shutdownWrite();  // the echo's EOF follows at once, while its data is still delayed
  reader.join();
  EXPECT_EQ(error, 0);
  ASSERT_EQ(received.size(), payload.size());
  EXPECT_EQ(hashBytes(received), hashBytes(payload));
}

// The upper bound (timeout + 10 ms) is proven on a fake clock in ResetPeerToxic's unit tests.
TEST_F(DataPath, ResetPeerGivesTheClientEconnresetAfterItsTimeout) {
  auto echo = TcpServer::echo();
  uint16_t port = createProxy("reset", echo.port());
  addToxic("reset", toxic("reset_peer", Stream::kDownstream, {{"timeout", 200}}));
  Socket client = Socket::connectTo(port);
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(client.sendAll("data"));
  int error = -1;
  client.readUntilClosed(10s, &error);
  EXPECT_EQ(error, ECONNRESET);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 190ms);
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

TEST_F(DataPath, RemovingATimeoutToxicClosesBothSidesOfTheConnectionsItHeld) {
  std::atomic<int> upstream_closed{0};  // 1 once the upstream saw EOF or a reset
  TcpServer upstream([&](Socket& s) {
    int error = -1;
    s.readUntilClosed(20s, &error);
    if (error != ETIMEDOUT) upstream_closed = 1;
  });
  uint16_t port = createProxy("blackhole", upstream.port());
  addToxic("blackhole", toxic("timeout", Stream::kDownstream, {{"timeout", 0}}));
  Socket client = Socket::connectTo(port);
  ASSERT_TRUE(client.sendAll("into the void"));
  int error = -1;
  EXPECT_EQ(client.readUntilClosed(500ms, &error), "");
  EXPECT_EQ(error, ETIMEDOUT);  // held, not closed
  EXPECT_EQ(upstream_closed.load(), 0);
  removeToxic("blackhole", "timeout_downstream");
  client.readUntilClosed(10s, &error);
  EXPECT_NE(error, ETIMEDOUT) << "the client side stayed open";
  for (auto until = std::chrono::steady_clock::now() + 10s; !upstream_closed && std::chrono::steady_clock::now() < until;) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(upstream_closed.load(), 1) << "the upstream side stayed open";
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

// Collects every log line (level and text) the loop thread writes, for "one log line" checks.
class LineSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  // Lines at warn or above that mention `needle`.
  int countWarnings(const std::string& needle) {
    std::lock_guard<std::mutex> lock(mutex_);
    int count = 0;
    for (const auto& [level, text] : lines_) count += level >= spdlog::level::warn && text.find(needle) != std::string::npos;
    return count;
  }
  std::string dump() {
    std::lock_guard<std::mutex> lock(mutex_);
    std::string out;
    for (const auto& line : lines_) out += line.second + "\n";
    return out;
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    lines_.emplace_back(msg.level, std::string(msg.payload.data(), msg.payload.size()));
  }
  void flush_() override {}

 private:
  std::vector<std::pair<spdlog::level::level_enum, std::string>> lines_;
};

// A listener whose accept queue is full and never drained: the kernel drops further SYNs, so a
// connect to it neither succeeds nor fails until the dialler gives up (a blackholed upstream).
class Blackhole {
 public:
  Blackhole() {
    fd_ = listenOnLoopback(0, &port_);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port_);
    for (int i = 0; i < 4; ++i) {  // fill the queue (backlog 0 holds one)
      int filler = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
      ::connect(filler, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
      fillers_.push_back(filler);
    }
    std::this_thread::sleep_for(100ms);
  }
  ~Blackhole() {
    for (int f : fillers_) ::close(f);
    ::close(fd_);
  }
  uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
  std::vector<int> fillers_;
};

class UpstreamDown : public ProxyFixture {
 protected:
  void SetUp() override {
    spdlog::default_logger()->sinks().push_back(sink_);  // before the loop thread exists
    RegistryOptions options;
    options.connect_timeout = Millis(300);
    startRegistry(options);
  }
  void TearDown() override {
    loop_.reset();
    auto& sinks = spdlog::default_logger()->sinks();
    sinks.erase(std::remove(sinks.begin(), sinks.end(), sink_), sinks.end());
  }
  // Creates a proxy towards `upstream`, connects, and expects the client closed within 5 s
  // with nothing received, and exactly one warning about the proxy.
  void expectCleanEnd(const std::string& name, const std::string& upstream) {
    ProxyConfig config{name, "127.0.0.1:0", upstream, true, {}, false};
    auto info = loop_->call([&] { return registry_->create(config); });
    ASSERT_TRUE(info.ok()) << info.error().message;
    Socket client = Socket::connectTo(parseHostPort(info->listen)->port);
    ASSERT_TRUE(client.valid()) << "the client was not accepted";
    ASSERT_TRUE(client.sendAll("anyone?"));
    int error = -1;
    EXPECT_EQ(client.readUntilClosed(5s, &error), "");
    EXPECT_NE(error, ETIMEDOUT) << name << ": the client was left hanging";
    EXPECT_EQ(loop_->call([&] { return registry_->sessionCount(); }), 0u);
    std::this_thread::sleep_for(200ms);  // a second line, if any, would come now
    EXPECT_EQ(sink_->countWarnings("proxy=" + name + " "), 1) << sink_->dump();
  }
  std::shared_ptr<LineSink> sink_ = std::make_shared<LineSink>();
};

TEST_F(UpstreamDown, RefusingUpstreamEndsTheClientCleanlyWithOneLogLine) {
  expectCleanEnd("refusing", "127.0.0.1:" + std::to_string(unusedPort()));
}

TEST_F(UpstreamDown, UnresolvableUpstreamEndsTheClientCleanlyWithOneLogLine) {
  expectCleanEnd("unresolvable", "no-such-host.invalid:80");
}

TEST_F(UpstreamDown, BlackholedUpstreamEndsTheClientAtTheConnectTimeoutWithOneLogLine) {
  Blackhole hole;
  const auto start = std::chrono::steady_clock::now();
  expectCleanEnd("blackholed", "127.0.0.1:" + std::to_string(hole.port()));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 290ms) << "closed before the connect timeout: not blackholed";
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

// Regression (Toxiproxy buffers a slow reader's stream without bound behind a latency toxic):
// a 10 s latency toxic holds at most the link cap, and removing it releases every held byte.
TEST_F(Backpressure, TenSecondLatencyHoldsAtMostTheLinkCapAndLosesNothingWhenRemoved) {
  constexpr std::size_t kTotal = 6u << 20;
  const std::string payload = randomBytes(kTotal, 13);
  TcpServer upstream([&](Socket& s) { s.sendAll(payload); s.shutdownWrite(); s.readUntilClosed(60s); });
  uint16_t port = createProxy("tenseconds", upstream.port());
  addToxic("tenseconds", toxic("latency", Stream::kDownstream, {{"latency", 10'000}}));
  Socket client = Socket::connectTo(port);
  std::this_thread::sleep_for(1s);  // the sender fills the link; nothing is due for 9 more seconds
  const std::size_t held = bufferedBytes();
  EXPECT_LE(held, (1u << 20) + (64u << 10));
  EXPECT_GE(held, 512u << 10) << "the link did not fill: the test proves nothing";
  removeToxic("tenseconds", "latency_downstream");
  int error = -1;
  const std::string received = client.readUntilClosed(60s, &error);
  EXPECT_EQ(error, 0);
  ASSERT_EQ(received.size(), kTotal);
  EXPECT_EQ(hashBytes(received), hashBytes(payload));
}

class GlobalCap : public ProxyFixture {
 protected:
  static constexpr std::size_t kLinkCap = 4u << 20;
  static constexpr std::size_t kGlobalCap = 2u << 20;
  void SetUp() override {
    RegistryOptions options;
    options.link_cap_bytes = kLinkCap;
    options.global_cap_bytes = kGlobalCap;  // below one link's cap: only the global cap can bind
    startRegistry(options);
  }
};

TEST_F(GlobalCap, ManySlowReadersKeepAllLinksTogetherUnderTheGlobalCapAndLoseNothing) {
  constexpr int kClients = 6;
  constexpr std::size_t kEach = 4u << 20;
  const std::string payload = randomBytes(kEach, 14);
  TcpServer upstream([&](Socket& s) { s.sendAll(payload); s.shutdownWrite(); s.readUntilClosed(60s); });
  uint16_t port = createProxy("global", upstream.port());
  // The toxic holds what arrives (counted against both caps) whatever the kernel's socket
  // buffers absorb, so the links fill even on a machine with large loopback buffers.
  addToxic("global", toxic("latency", Stream::kDownstream, {{"latency", 5000}}));
  std::vector<Socket> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.push_back(Socket::connectTo(port));
    ASSERT_TRUE(clients.back().valid());
  }
  std::size_t max_buffered = 0;
  for (int i = 0; i < 100; ++i) {  // nobody reads (and nothing is due) for 1 s
    max_buffered = std::max(max_buffered, bufferedBytes());
    std::this_thread::sleep_for(10ms);
  }
  // Each link may overshoot by one 64 KiB read before every reader is paused.
  EXPECT_LE(max_buffered, kGlobalCap + 2 * kClients * (64u << 10));
  EXPECT_GT(loop_->call([&] { return registry_->globalCapHits(); }), 0u) << "the global cap never bound";
  removeToxic("global", "latency_downstream");
  std::vector<std::string> received(kClients);
  std::vector<std::thread> readers;
  for (int i = 0; i < kClients; ++i) {
    readers.emplace_back([&, i] { received[i] = clients[i].readUntilClosed(60s); });
  }
  for (auto& r : readers) r.join();
  for (int i = 0; i < kClients; ++i) {
    ASSERT_EQ(received[i].size(), kEach) << "client " << i;
    EXPECT_EQ(hashBytes(received[i]), hashBytes(payload)) << "client " << i;
  }
}

}  // namespace
}  // namespace faultline::testing
