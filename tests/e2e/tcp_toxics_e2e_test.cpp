// The TCP faults of issue 14 through the real `faultline serve` binary, driven over its REST API
// with faultline/testing_tcp.hpp. Timings are lower bounds from the toxics' own arithmetic (a
// stall can make a transfer slower, never faster), so a loaded machine cannot fail them.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bit>
#include <chrono>
#include <cmath>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <vector>

#include "support/proxy_fixture.h"
#include "faultline/testing_tcp.hpp"
#include "support/sockets.h"

namespace faultline::testing {
namespace {

using namespace std::chrono_literals;
using Steady = std::chrono::steady_clock;

const std::string kFaultline = std::string(FAULTLINE_BIN_DIR) + "/faultline";

class TcpToxics : public ::testing::Test {
 protected:
  void SetUp() override { faultline_ = std::make_unique<Faultline>(Faultline::start(kFaultline)); }
  Proxy proxyTo(const TcpServer& upstream, const std::string& name = "tcp") {
    return faultline_->createProxy(name, "127.0.0.1:" + std::to_string(upstream.port()));
  }
  std::unique_ptr<Faultline> faultline_;
};

// Sends `data` through an echo and reads the same amount back, sending from a thread so a
// large transfer cannot deadlock on full socket buffers.
std::string echoThrough(uint16_t port, const std::string& data, std::chrono::milliseconds deadline) {
  Socket client = Socket::connectTo(port);
  std::thread sender([&] { client.sendAll(data); });
  std::string got = client.readExactly(data.size(), deadline);
  sender.join();
  return got;
}

TEST_F(TcpToxics, TcpLossKeepsA16MiBEchoByteIdenticalAndStallsIt) {
  auto echo = TcpServer::echo();
  Proxy proxy = proxyTo(echo);
  const std::string data = randomBytes(16 << 20, 14);
  auto lossy = proxy.withToxic(tcpLoss(20, 40));
  const auto start = Steady::now();
  const std::string got = echoThrough(proxy.port(), data, 120s);
  const auto took = Steady::now() - start;
  ASSERT_EQ(got.size(), data.size());
  EXPECT_EQ(hashBytes(got), hashBytes(data)) << "bytes changed, lost or reordered";
  // 16 MiB arrives in at least 256 reads of at most 64 KiB; 20 % of them are lost: Binomial
  // (>= 256, 0.2) has mean >= 51 and falls below 16 with probability ~1e-9. The stalls of one
  // link queue up, so the downstream alone takes at least 16 x 40 ms.
  EXPECT_GE(took, 16 * 40ms);
  std::printf("16 MiB echo through tcp_loss percent=20 rto_ms=40: %.0f ms\n",
              std::chrono::duration<double, std::milli>(took).count());
}

TEST_F(TcpToxics, CorruptKeepsTheLengthAndChangesTheExpectedShareOfBytes) {
  auto echo = TcpServer::echo();
  Proxy proxy = proxyTo(echo);
  const std::string data = randomBytes(4 << 20, 15);
  auto flaky = proxy.withToxic(corrupt(2000));
  const std::string got = echoThrough(proxy.port(), data, 60s);
  ASSERT_EQ(got.size(), data.size());
  std::size_t bytes_changed = 0, bits_changed = 0;
  for (std::size_t i = 0; i < data.size(); ++i) {
    const auto diff = static_cast<unsigned char>(data[i] ^ got[i]);
    bytes_changed += diff != 0;
    bits_changed += static_cast<std::size_t>(std::popcount(diff));
  }
  // Binomial(4 Mi, 0.002): mean 8389, sd 92; +/- 10 % is nine standard deviations.
  EXPECT_GT(bytes_changed, 7550u);
  EXPECT_LT(bytes_changed, 9228u);
  EXPECT_EQ(bits_changed, bytes_changed) << "one flipped bit per damaged byte";
}

TEST_F(TcpToxics, CutAfterMsResetsAConnectionWhileDataFlows) {
  auto echo = TcpServer::echo();
  Proxy proxy = proxyTo(echo);
  auto cut = proxy.withToxic(cutAfterMs(300));
  Socket client = Socket::connectTo(proxy.port());
  const auto start = Steady::now();
  std::atomic<bool> stop{false};
  std::thread sender([&] {
    const std::string tick(1000, 't');
    while (!stop && client.sendAll(tick)) std::this_thread::sleep_for(10ms);
  });
  int error = -1;
  const std::string echoed = client.readUntilClosed(10s, &error);
  const auto took = Steady::now() - start;
  stop = true;
  sender.join();
  EXPECT_EQ(error, ECONNRESET) << "cut's default mode is reset";
  EXPECT_GE(took, 250ms);
  EXPECT_LT(took, 5s);
  EXPECT_FALSE(echoed.empty()) << "data flowed before the cut";
}

// A cut added to a connection that has been open longer than after_ms cuts at once: the time
// counts from the connection's opening, not from the add.
TEST_F(TcpToxics, CutAddedLiveCountsFromTheConnectionsOpening) {
  auto echo = TcpServer::echo();
  Proxy proxy = proxyTo(echo);
  Socket client = Socket::connectTo(proxy.port());
  ASSERT_TRUE(client.sendAll("ping"));
  ASSERT_EQ(client.readExactly(4, 5s), "ping");
  std::this_thread::sleep_for(2s);
  const auto added = Steady::now();
  auto cut = proxy.withToxic(cutAfterMs(1500));
  int error = -1;
  client.readUntilClosed(10s, &error);
  EXPECT_EQ(error, ECONNRESET);
  // Counted from the add it would take 1500 ms; from the opening it is already due.
  EXPECT_LT(Steady::now() - added, 1300ms);
}

TEST_F(TcpToxics, CutAfterBytesPassesNoMoreThanThatManyBytes) {
  auto echo = TcpServer::echo();
  Proxy proxy = proxyTo(echo);
  auto cut = proxy.withToxic(cutAfterBytes(100'000));
  Socket client = Socket::connectTo(proxy.port());
  std::thread sender([&] { client.sendAll(randomBytes(1 << 20, 16)); });
  int error = -1;
  const std::string echoed = client.readUntilClosed(10s, &error);
  sender.join();
  EXPECT_EQ(error, ECONNRESET);
  EXPECT_LE(echoed.size(), 100'000u);
}

// A minimal HTTP server: answers every request with "ok".
TcpServer httpOk() {
  return TcpServer([](Socket& s) {
    std::string request;
    while (request.find("\r\n\r\n") == std::string::npos) {
      std::string piece = s.readExactly(1, 5s);
      if (piece.empty()) return;
      request += piece;
    }
    s.sendAll("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
    s.shutdownWrite();
    s.readUntilClosed(5s);
  });
}

// curl's exit code for GET http://127.0.0.1:port/ with a 1 s connect timeout (28 = timed out).
int curlWithConnectTimeout(uint16_t port) {
  const std::string command = "curl -s -o /dev/null --connect-timeout 1 --max-time 10 http://127.0.0.1:" +
                              std::to_string(port) + "/";
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST_F(TcpToxics, ConnectTimeoutMakesNewConnectsTimeOutLeavesOpenOnesAndLiftsWhenRemoved) {
  if (::access("/usr/bin/curl", X_OK) != 0) GTEST_SKIP() << "curl is not installed (/usr/bin/curl)";
  auto upstream = httpOk();
  Proxy proxy = proxyTo(upstream);
  ASSERT_EQ(curlWithConnectTimeout(proxy.port()), 0) << "the proxy answers before the toxic";
  auto echo = TcpServer::echo();
  Proxy echoing = proxyTo(echo, "echoing");
  Socket open_before = Socket::connectTo(echoing.port());
  ASSERT_TRUE(open_before.sendAll("before"));
  ASSERT_EQ(open_before.readExactly(6, 5s), "before");
  {
    auto blackhole = proxy.withToxic(connectTimeout());
    auto blackhole_echo = echoing.withToxic(connectTimeout());
    const auto start = Steady::now();
    EXPECT_EQ(curlWithConnectTimeout(proxy.port()), 28) << "curl: connect timed out, not refused or reset";
    EXPECT_GE(Steady::now() - start, 900ms) << "the attempt was answered (refused) instead of ignored";
    ASSERT_TRUE(open_before.sendAll("during")) << "open connections are untouched";
    EXPECT_EQ(open_before.readExactly(6, 5s), "during");
  }
  EXPECT_EQ(curlWithConnectTimeout(proxy.port()), 0) << "removing the toxic accepts again";
  Socket after = Socket::connectTo(echoing.port());
  ASSERT_TRUE(after.sendAll("after"));
  EXPECT_EQ(after.readExactly(5, 5s), "after");
}

// What a command printed on stdout (popen; the command is the test's own).
std::string commandOutput(const std::string& command) {
  std::string out;
  if (FILE* pipe = ::popen(command.c_str(), "r")) {
    char buf[4096];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, pipe)) > 0;) out.append(buf, n);
    ::pclose(pipe);
  }
  return out;
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// /metrics shows that each fault happened: the counters move when the toxics act, and the
// exposition still passes promtool.
TEST_F(TcpToxics, MetricsShowCutsStallsCorruptionDelaysAndHeldConnects) {
  auto echo = TcpServer::echo();
  Proxy proxy = proxyTo(echo, "fx");
  {
    auto lossy = proxy.withToxic(tcpLoss(100, 5));
    auto flip = proxy.withToxic(corrupt(1'000'000));
    auto slow = proxy.withToxic(Toxic{"latency", "slow", "upstream", 1.0, {{"latency", 30}}});
    Socket client = Socket::connectTo(proxy.port());
    ASSERT_TRUE(client.sendAll(std::string(100, 'a')));
    EXPECT_EQ(client.readExactly(100, 10s).size(), 100u);
  }
  {
    auto cut = proxy.withToxic(cutAfterBytes(10, "close"));
    Socket client = Socket::connectTo(proxy.port());
    ASSERT_TRUE(client.sendAll(std::string(100, 'b')));
    client.readUntilClosed(10s);
  }
  auto held = proxy.withToxic(connectTimeout());
  const std::string metrics = commandOutput("curl -sf " + faultline_->apiUrl() + "/metrics");
  EXPECT_TRUE(has(metrics, R"(faultline_toxic_cuts_total{proxy="fx",toxic="cut_downstream",mode="close"} 1)")) << metrics;
  EXPECT_TRUE(has(metrics, R"(faultline_toxic_loss_stalls_total{proxy="fx",toxic="tcp_loss_downstream"} )"));
  EXPECT_FALSE(has(metrics, R"(faultline_toxic_loss_stalls_total{proxy="fx",toxic="tcp_loss_downstream"} 0)"));
  EXPECT_TRUE(has(metrics, R"(faultline_toxic_corrupted_bytes_total{proxy="fx",toxic="corrupt_downstream"} 100)"));
  EXPECT_TRUE(has(metrics, R"(faultline_toxic_latency_delay_seconds_bucket{proxy="fx",toxic="slow",le="0.05"} )"));
  EXPECT_TRUE(has(metrics, R"(faultline_proxy_connect_timeout_active{proxy="fx"} 1)"));
  if (::access("/usr/bin/promtool", X_OK) == 0) {
    const std::string file = "/tmp/faultline-tcp-metrics-" + std::to_string(::getpid()) + ".txt";
    if (FILE* out = std::fopen(file.c_str(), "w")) {
      std::fwrite(metrics.data(), 1, metrics.size(), out);
      std::fclose(out);
    }
    const std::string lint = commandOutput("promtool check metrics < " + file + " 2>&1; echo rc=$?");
    std::remove(file.c_str());
    EXPECT_TRUE(has(lint, "rc=0")) << lint;
  }
}

TEST_F(TcpToxics, StreamBothMakesTheToxicOnBothDirectionsInOneRequest) {
  auto echo = TcpServer::echo();
  Proxy proxy = proxyTo(echo);
  const auto& api = faultline_->api();
  auto created = api.call("POST", "/proxies/tcp/toxics",
                          nlohmann::json{{"name", "slow"}, {"type", "latency"}, {"stream", "both"},
                                         {"attributes", {{"latency", 200}}}});
  // One toxic object, as Toxiproxy's clients parse it: the downstream half.
  EXPECT_EQ(created.value("name", ""), "slow_downstream");
  EXPECT_EQ(created.value("stream", ""), "downstream");
  auto listed = api.call("GET", "/proxies/tcp/toxics");
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].value("name", ""), "slow_upstream");
  EXPECT_EQ(listed[1].value("name", ""), "slow_downstream");
  Socket client = Socket::connectTo(proxy.port());
  const auto start = Steady::now();
  ASSERT_TRUE(client.sendAll("ping"));
  EXPECT_EQ(client.readExactly(4, 10s), "ping");
  EXPECT_GE(Steady::now() - start, 390ms) << "200 ms each way";
  // The base name removes the pair.
  api.call("DELETE", "/proxies/tcp/toxics/slow");
  EXPECT_EQ(api.call("GET", "/proxies/tcp/toxics").size(), 0u);
}

TEST_F(TcpToxics, StreamBothIsAllOrNothing) {
  auto echo = TcpServer::echo();
  Proxy proxy = proxyTo(echo);
  const auto& api = faultline_->api();
  api.call("POST", "/proxies/tcp/toxics",
           nlohmann::json{{"name", "x_downstream"}, {"type", "latency"}, {"attributes", {{"latency", 1}}}});
  EXPECT_THROW(api.call("POST", "/proxies/tcp/toxics",
                        nlohmann::json{{"name", "x"}, {"type", "latency"}, {"stream", "both"},
                                       {"attributes", {{"latency", 1}}}}),
               FaultlineError);
  auto listed = api.call("GET", "/proxies/tcp/toxics");
  ASSERT_EQ(listed.size(), 1u) << listed.dump();
  EXPECT_EQ(listed[0].value("name", ""), "x_downstream");
}

TEST_F(TcpToxics, OnUpstreamErrorResetMakesARefusedUpstreamAResetInsteadOfEof) {
  const std::string dead = "127.0.0.1:" + std::to_string(unusedPort());
  const auto& api = faultline_->api();
  auto plain = api.call("POST", "/proxies", nlohmann::json{{"name", "plain"}, {"listen", "127.0.0.1:0"}, {"upstream", dead}});
  auto resetting = api.call("POST", "/proxies", nlohmann::json{{"name", "resetting"}, {"listen", "127.0.0.1:0"},
                                                              {"upstream", dead}, {"on_upstream_error", "reset"}});
  EXPECT_FALSE(plain.contains("on_upstream_error")) << "the default keeps Toxiproxy's proxy shape";
  EXPECT_EQ(resetting.value("on_upstream_error", ""), "reset");
  auto portOf = [](const nlohmann::json& proxy) {
    const std::string listen = proxy.value("listen", "");
    return static_cast<uint16_t>(std::stoi(listen.substr(listen.rfind(':') + 1)));
  };
  int error = -1;
  Socket toxiproxy_like = Socket::connectTo(portOf(plain));
  toxiproxy_like.readUntilClosed(10s, &error);
  EXPECT_EQ(error, 0) << "close: accept, then EOF (Toxiproxy)";
  Socket reset_like = Socket::connectTo(portOf(resetting));
  reset_like.readUntilClosed(10s, &error);
  EXPECT_EQ(error, ECONNRESET) << "reset: the client sees the refusal as a reset";
  EXPECT_THROW(api.call("POST", "/proxies/plain", nlohmann::json{{"on_upstream_error", "explode"}}), FaultlineError);
  faultline_->proxy("plain").setOnUpstreamError("reset");  // the test helper's way
  Socket after_patch = Socket::connectTo(portOf(plain));
  after_patch.readUntilClosed(10s, &error);
  EXPECT_EQ(error, ECONNRESET) << "a PATCH switches new connections to reset";
}

TEST_F(TcpToxics, TestHelperSwitchesHttpRequestFaultsOnARunningProxy) {
  auto upstream = httpOk();
  Proxy proxy = proxyTo(upstream, "web");
  const std::string request = "GET / HTTP/1.1\r\nHost: web\r\nX-Faultline-Abort: 503\r\n\r\n";
  auto first = [&] {
    Socket client = Socket::connectTo(proxy.port());
    client.sendAll(request);
    return client.readExactly(12, 10s);
  };
  EXPECT_EQ(first(), "HTTP/1.1 200") << "off: the header goes upstream";
  proxy.setHttpRequestFaults(true);
  EXPECT_EQ(first(), "HTTP/1.1 503");
  proxy.setHttpRequestFaults(false);
  EXPECT_EQ(first(), "HTTP/1.1 200");
}

// The string-valued attributes on live sockets, with the registry in-process (real sockets on
// 127.0.0.1, the same Proxy/Session/Link code the binary runs).
class LiveTcpToxics : public ProxyFixture {
 protected:
  ToxicSpec spec(const std::string& type, Stream stream, std::map<std::string, int64_t> ints,
                 std::map<std::string, std::string> texts, const std::string& name = "") {
    ToxicInput input;
    input.type = type;
    input.stream = streamName(stream);
    if (!name.empty()) input.name = name;
    input.attributes = std::move(ints);
    input.text_attributes = std::move(texts);
    auto built = buildToxicSpec(input);
    EXPECT_TRUE(built.ok()) << (built.ok() ? "" : built.error().message);
    return built.ok() ? *built : ToxicSpec{};
  }
};

// A client socket whose source address is `source` (any 127.0.0.0/8 address is local on Linux).
Socket connectFrom(const char* source, uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in from{};
  from.sin_family = AF_INET;
  inet_pton(AF_INET, source, &from.sin_addr);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from) != 0 ||
      ::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) {
    ::close(fd);
    return Socket();
  }
  return Socket(fd);
}

Steady::duration pingPong(Socket& client) {
  const auto start = Steady::now();
  EXPECT_TRUE(client.sendAll("ping"));
  EXPECT_EQ(client.readExactly(4, 20s), "ping");
  return Steady::now() - start;
}

TEST_F(LiveTcpToxics, ClientCidrLimitsAToxicToConnectionsFromThatBlock) {
  auto echo = TcpServer::echo();
  uint16_t port = createProxy("clients", echo.port());
  addToxic("clients", spec("latency", Stream::kDownstream, {{"latency", 2000}}, {{"client", "127.0.0.2/32"}}));
  Socket matched = connectFrom("127.0.0.2", port);
  Socket other = connectFrom("127.0.0.3", port);
  ASSERT_TRUE(matched.valid() && other.valid());
  EXPECT_GE(pingPong(matched), 1990ms) << "127.0.0.2 is in the block";
  EXPECT_LT(pingPong(other), 1500ms) << "127.0.0.3 is not";
}

TEST_F(LiveTcpToxics, CutCloseDeliversExactlyAfterBytesThenEof) {
  // The server streams; the client sends one byte, all of which the proxy reads (a socket closed
  // with unread input would answer with RST whatever the mode).
  const std::string data = randomBytes(1 << 20, 17);
  TcpServer source([&](Socket& s) {
    if (s.readExactly(1, 10s) != "g") return;
    s.sendAll(data);
    s.readUntilClosed(20s);
  });
  uint16_t port = createProxy("cutclose", source.port());
  addToxic("cutclose", spec("cut", Stream::kDownstream, {{"after_bytes", 100'000}}, {{"mode", "close"}}));
  Socket client = Socket::connectTo(port);
  ASSERT_TRUE(client.sendAll("g"));
  int error = -1;
  const std::string got = client.readUntilClosed(20s, &error);
  EXPECT_EQ(error, 0) << "close mode ends with FIN, not RST";
  ASSERT_EQ(got.size(), 100'000u);
  EXPECT_EQ(got, data.substr(0, 100'000));
}

TEST_F(LiveTcpToxics, CutHangKeepsTheConnectionOpenAndSilentUntilRemoved) {
  auto echo = TcpServer::echo();
  uint16_t port = createProxy("hang", echo.port());
  addToxic("hang", spec("cut", Stream::kDownstream, {{"after_ms", 1000}}, {{"mode", "hang"}}, "cable"));
  Socket client = Socket::connectTo(port);
  pingPong(client);  // before the cut, data flows
  std::this_thread::sleep_for(1200ms);
  ASSERT_TRUE(client.sendAll("lost?"));
  int error = -1;
  EXPECT_EQ(client.readUntilClosed(1s, &error), "");
  EXPECT_EQ(error, ETIMEDOUT) << "open and silent: neither data nor EOF nor RST";
  removeToxic("hang", "cable");
  EXPECT_EQ(client.readExactly(5, 10s), "lost?") << "plugged back in: the held bytes arrive";
}

TEST_F(LiveTcpToxics, ParetoLatencyHasRoughlyItsMedianAndP99OnLiveSockets) {
  auto echo = TcpServer::echo();
  uint16_t port = createProxy("pareto", echo.port());
  addToxic("pareto", spec("latency", Stream::kDownstream, {{"latency", 10}, {"p99", 100}}, {{"distribution", "pareto"}}));
  Socket client = Socket::connectTo(port);
  std::vector<double> ms;
  for (int i = 0; i < 200; ++i) ms.push_back(std::chrono::duration<double, std::milli>(pingPong(client)).count());
  std::sort(ms.begin(), ms.end());
  // Exact within 15 % on the fake clock (LatencyDistribution tests); here generous bounds: the
  // loop and the loopback add a little, never take away.
  EXPECT_GE(ms[99], 8.0);
  EXPECT_LE(ms[99], 40.0);
  EXPECT_GE(ms[197], 50.0);
  EXPECT_LE(ms[197], 500.0);
  std::printf("pareto latency=10 p99=100 over 200 round trips: median %.1f ms, p99 %.1f ms\n", ms[99], ms[197]);
}

TEST_F(LiveTcpToxics, BandwidthScopeProxySharesOneRateBetweenConnections) {
  constexpr std::size_t kEach = 300'000;
  TcpServer source([](Socket& s) {
    if (s.readExactly(1, 10s) != "g") return;
    s.sendAll(std::string(kEach, 'x'));
    s.shutdownWrite();
    s.readUntilClosed(20s);
  });
  uint16_t port = createProxy("shared", source.port());
  addToxic("shared", spec("bandwidth", Stream::kDownstream, {{"rate", 300}}, {{"scope", "proxy"}}));
  Socket a = Socket::connectTo(port);
  Socket b = Socket::connectTo(port);
  const auto start = Steady::now();
  ASSERT_TRUE(a.sendAll("g") && b.sendAll("g"));
  std::string got_b;
  std::thread reader([&] { got_b = b.readExactly(kEach, 30s); });
  const std::string got_a = a.readExactly(kEach, 30s);
  reader.join();
  const auto took = Steady::now() - start;
  EXPECT_EQ(got_a.size(), kEach);
  EXPECT_EQ(got_b.size(), kEach);
  // 600 KB at one shared 300 KB/s takes 2 s; each connection alone at 300 KB/s would take 1 s.
  EXPECT_GE(took, 1800ms);
}

}  // namespace
}  // namespace faultline::testing
