// The real `faultline serve` process: flags, readiness line, graceful shutdown.
#include <gtest/gtest.h>
#include <signal.h>

#include <thread>

#include "http/http_client.h"
#include "support/child_process.h"
#include "support/sockets.h"

namespace faultline::testing {
namespace {

using namespace std::chrono_literals;

const std::string kFaultline = std::string(FAULTLINE_BIN_DIR) + "/faultline";

uint16_t proxyPortFromLine(const std::string& line) {
  // "proxy NAME listening on 127.0.0.1:PORT upstream ..."
  auto on = line.find(" on ");
  auto colon = line.find(':', on);
  return static_cast<uint16_t>(std::atoi(line.c_str() + colon + 1));
}

TEST(Serve, StartsProxiesFromFlagsAndAnswersTheApi) {
  auto echo = TcpServer::echo();
  ChildProcess server({kFaultline, "serve", "--port", "0", "--proxy",
                       "echo=127.0.0.1:0=127.0.0.1:" + std::to_string(echo.port())});
  const std::string proxy_line = server.lineContaining("proxy echo listening on", 10s);
  ASSERT_FALSE(proxy_line.empty()) << server.output();
  const std::string api_line = server.lineContaining("control API listening on", 10s);
  ASSERT_FALSE(api_line.empty()) << server.output();

  Socket client = Socket::connectTo(proxyPortFromLine(proxy_line));
  ASSERT_TRUE(client.sendAll("through the binary"));
  client.shutdownWrite();
  EXPECT_EQ(client.readUntilClosed(5s), "through the binary");

  HttpClientRequest request;
  request.method = "GET";
  request.host = "127.0.0.1";
  request.port = static_cast<uint16_t>(apiPortFromLine(api_line));
  request.path = "/version";
  auto response = httpRequestSync(request);
  ASSERT_TRUE(response.ok()) << response.error().message;
  EXPECT_EQ(response->status, 200);
  EXPECT_NE(response->body.find("version"), std::string::npos);
}

TEST(Serve, AcceptsToxiproxyServerFlagSpellings) {
  ChildProcess server({kFaultline, "-host=127.0.0.1", "-port", "0"});
  EXPECT_FALSE(server.lineContaining("control API listening on http://127.0.0.1:", 10s).empty()) << server.output();
}

TEST(Serve, SigtermWithOpenSessionsDrainsAndExitsZero) {
  auto echo = TcpServer::echo();
  ChildProcess server({kFaultline, "serve", "--port", "0", "--drain-timeout-ms", "1000", "--proxy",
                       "echo=127.0.0.1:0=127.0.0.1:" + std::to_string(echo.port())});
  const std::string proxy_line = server.lineContaining("proxy echo listening on", 10s);
  ASSERT_FALSE(proxy_line.empty());
  ASSERT_FALSE(server.lineContaining("control API listening on", 10s).empty());
  Socket idle = Socket::connectTo(proxyPortFromLine(proxy_line));
  ASSERT_TRUE(idle.sendAll("hi"));
  ASSERT_EQ(idle.readExactly(2, 5s), "hi");

  const auto signalled = std::chrono::steady_clock::now();
  server.signal(SIGTERM);
  // Exit 0 also means leak-free: under ASan (detect_leaks=1, inherited) LeakSanitizer turns a
  // leak at exit into exit code 23.
  EXPECT_EQ(server.wait(15s), 0);
  const auto took = std::chrono::steady_clock::now() - signalled;
  EXPECT_GE(took, 900ms) << "exited before the drain deadline although a session was open";
  EXPECT_LT(took, 1s + 5s) << "exited long after the 1 s drain deadline";
  int error = -1;
  idle.readUntilClosed(5s, &error);
  EXPECT_NE(error, ETIMEDOUT);  // the idle session was closed at the drain deadline
}

TEST(Serve, SigtermWithNoSessionsExitsAtOnce) {
  ChildProcess server({kFaultline, "serve", "--port", "0"});
  ASSERT_FALSE(server.lineContaining("control API listening on", 10s).empty());
  server.signal(SIGINT);
  EXPECT_EQ(server.wait(10s), 0);
}

TEST(Serve, MalformedProxyFlagExitsNonZero) {
  ChildProcess server({kFaultline, "serve", "--port", "0", "--proxy", "missing-parts"});
  EXPECT_EQ(server.wait(10s), 2);
}

TEST(Serve, ApiPortInUseExitsNonZero) {
  ChildProcess first({kFaultline, "serve", "--port", "0"});
  const std::string line = first.lineContaining("control API listening on", 10s);
  ASSERT_FALSE(line.empty());
  ChildProcess second({kFaultline, "serve", "--port", std::to_string(apiPortFromLine(line))});
  EXPECT_EQ(second.wait(10s), 1);
}

}  // namespace
}  // namespace faultline::testing
