// Issue 19 (items 3, 4, 8, 9, 10, 11 and the keep-alive cap) and issue 11's Toxiproxy
// compatibility gaps, each reproduced through the real binary's API.
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "support/serve_process.h"

namespace faultline::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

class ApiHardening : public ::testing::Test {
 protected:
  void start(std::vector<std::string> extra = {}) {
    server_ = std::make_unique<ServeProcess>(std::move(extra));
    ASSERT_TRUE(server_->ready()) << server_->child().output();
  }
  HttpResponse call(const std::string& method, const std::string& path, const std::string& body = "") {
    auto response = server_->api(method, path, body);
    EXPECT_TRUE(response.ok()) << method << " " << path;
    return response.ok() ? *response : HttpResponse{};
  }
  std::string proxyBody(const std::string& name, const std::string& listen, const std::string& upstream) {
    return json{{"name", name}, {"listen", listen}, {"upstream", upstream}}.dump();
  }
  void TearDown() override {
    if (server_ && server_->ready()) {
      auto alive = server_->api("GET", "/version");
      EXPECT_TRUE(alive.ok() && alive->status == 200) << "the server stopped answering";
    }
  }

  std::unique_ptr<ServeProcess> server_;
};

// Item 3: "/proxies/p1%2Ftoxics%2Fkeep" names one proxy, it is not /proxies/p1/toxics/keep.
TEST_F(ApiHardening, PercentEncodedSlashStaysInsideItsSegment) {
  start();
  auto echo = TcpServer::echo();
  ASSERT_NE(server_->createProxy("p1", echo.port()), 0);
  ASSERT_TRUE(server_->addToxic("p1", {{"name", "keep"}, {"type", "latency"}}));
  auto response = call("DELETE", "/proxies/p1%2Ftoxics%2Fkeep");
  EXPECT_EQ(response.status, 404) << response.body;
  EXPECT_EQ(call("GET", "/proxies/p1/toxics/keep").status, 200) << "the toxic of p1 was deleted";
  // Encoded characters that are allowed in names still work.
  EXPECT_EQ(call("GET", "/proxies/p%31").status, 200);
}

// Item 4: one rule for names and hosts; nothing that could forge a log line or drive a terminal.
TEST_F(ApiHardening, NamesAndHostsFollowTheRulesFileRule) {
  start();
  for (const std::string& name : {std::string("a b"), std::string("a/b"), std::string("line\nforged=1"),
                                  std::string("\x1b[31mred"), std::string(129, 'n'), std::string(100 * 1024, 'x')}) {
    auto response = call("POST", "/proxies", proxyBody(name, "127.0.0.1:0", "127.0.0.1:9"));
    EXPECT_EQ(response.status, 400) << response.body.substr(0, 200);
    EXPECT_LT(response.body.size(), 1024u) << "the error echoes the whole name";
    EXPECT_EQ(response.body.find('\x1b'), std::string::npos);
  }
  for (const std::string& upstream : {std::string("host\n:80"), std::string("a b:80"), std::string("host:0"),
                                      std::string("\x1b]0;x\x07:80"), std::string("-bad.example:80")}) {
    auto response = call("POST", "/proxies", proxyBody("ok", "127.0.0.1:0", upstream));
    EXPECT_EQ(response.status, 400) << response.body;
  }
  EXPECT_EQ(call("POST", "/proxies", proxyBody("ok", "127.0.0.1:0", "db-1.internal_zone.example:5432")).status, 201);
  EXPECT_EQ(server_->proxies().size(), 1u);
}

// Item 8: an upstream that is one of the process's own listen addresses is refused.
TEST_F(ApiHardening, AProxyPointingAtItselfOrAnotherProxyIsRefused) {
  start();
  HeldPort free_port;
  const std::string own = free_port.address();
  free_port.release();  // the proxy binds it
  auto self = call("POST", "/proxies", proxyBody("self", own, own));
  EXPECT_EQ(self.status, 400) << self.body;
  EXPECT_NE(self.body.find("own listen address"), std::string::npos) << self.body;

  auto echo = TcpServer::echo();
  const uint16_t first = server_->createProxy("first", echo.port());
  ASSERT_NE(first, 0);
  auto chained = call("POST", "/proxies", proxyBody("loop", "127.0.0.1:0", "localhost:" + std::to_string(first)));
  EXPECT_EQ(chained.status, 400) << chained.body;
  auto patched = call("PATCH", "/proxies/first", json{{"upstream", "127.0.0.1:" + std::to_string(first)}}.dump());
  EXPECT_EQ(patched.status, 400) << patched.body;
  EXPECT_EQ(server_->proxies()["first"]["upstream"], "127.0.0.1:" + std::to_string(echo.port()));
}

// Item 9: toxics per proxy are bounded, with a flag and a limit_hits label.
TEST_F(ApiHardening, ToxicsPerProxyAreLimited) {
  start({"--max-toxics-per-proxy", "3"});
  auto echo = TcpServer::echo();
  ASSERT_NE(server_->createProxy("p", echo.port()), 0);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(server_->addToxic("p", {{"name", "t" + std::to_string(i)}, {"type", "latency"}}));
  }
  auto refused = call("POST", "/proxies/p/toxics", json{{"name", "t3"}, {"type", "latency"}}.dump());
  EXPECT_EQ(refused.status, 400) << refused.body;
  EXPECT_NE(refused.body.find("--max-toxics-per-proxy"), std::string::npos) << refused.body;
  auto metrics = call("GET", "/metrics");
  EXPECT_NE(metrics.body.find("faultline_limit_hits_total{limit=\"proxy_toxics\"} 1"), std::string::npos);
}

// Item 10: a PATCH that fails changes nothing.
TEST_F(ApiHardening, AFailedPatchLeavesTheProxyAsItWas) {
  start();
  auto echo = TcpServer::echo();
  const uint16_t port = server_->createProxy("p", echo.port());
  ASSERT_NE(port, 0);
  Socket live = Socket::connectTo(port);
  ASSERT_TRUE(live.sendAll("a"));
  ASSERT_EQ(live.readExactly(1, 5s), "a");
  HeldPort busy;
  auto response = call("PATCH", "/proxies/p", json{{"upstream", "127.0.0.1:9"}, {"listen", busy.address()}}.dump());
  EXPECT_EQ(response.status, 500) << response.body;
  json proxy = server_->proxies()["p"];
  EXPECT_EQ(proxy["upstream"], "127.0.0.1:" + std::to_string(echo.port()));
  EXPECT_EQ(proxy["listen"], "127.0.0.1:" + std::to_string(port));
  ASSERT_TRUE(live.sendAll("b"));
  EXPECT_EQ(live.readExactly(1, 5s), "b") << "the live session was dropped";
}

// Item 11: parser-level errors carry the request id the README promises on every response.
TEST_F(ApiHardening, ParserLevelErrorsCarryTheRequestId) {
  start({"--api-max-header-kib", "1", "--api-max-body-kib", "1"});
  const std::vector<std::pair<int, std::string>> cases = {
      {400, "BOGUS\r\n\r\n"},
      {414, "GET /" + std::string(9000, 'a') + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"},
      {431, "GET /version HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + std::string(2048, 'b') + "\r\n\r\n"},
      {413, "POST /proxies HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 4096\r\n\r\n" + std::string(4096, '{')},
  };
  for (const auto& [status, raw] : cases) {
    const std::string answer = rawExchange(server_->apiPort(), raw, 5s);
    ASSERT_FALSE(statusCodes(answer).empty()) << status;
    EXPECT_EQ(statusCodes(answer).front(), status) << answer.substr(0, 200);
    EXPECT_NE(answer.find("X-Toxiproxy-Request-Id: "), std::string::npos) << answer.substr(0, 300);
  }
}

// Decide-and-fix: 64 idle keep-alive connections no longer lock the API out.
TEST_F(ApiHardening, IdleKeepAliveConnectionsAtTheCapDoNotLockTheApiOut) {
  start({"--api-max-connections", "4"});
  std::vector<Socket> idle;
  for (int i = 0; i < 4; ++i) {
    idle.push_back(Socket::connectTo(server_->apiPort()));
    ASSERT_TRUE(idle.back().sendAll("GET /version HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
    // Read the whole answer so the connection is idle between requests.
    std::string got;
    for (int tries = 0; tries < 50 && got.find("\"faultline\"") == std::string::npos; ++tries) {
      got += idle.back().readExactly(1, 2s);
    }
  }
  auto response = server_->api("GET", "/version");
  ASSERT_TRUE(response.ok()) << "a new API client was refused while the others sat idle";
  EXPECT_EQ(response->status, 200);
}

// Decide-and-fix: at the process fd limit the API stays reachable (descriptors held back from
// the data path). Log level error: see Resources.AcceptAtTheFdLimitDoesNotSpinAndServiceRecovers.
TEST_F(ApiHardening, TheApiStaysReachableWhenProxiedConnectionsTakeEveryDescriptor) {
  server_ = std::make_unique<ServeProcess>(std::vector<std::string>{"--log-level", "error"}, "ulimit -n 96;");
  ASSERT_TRUE(server_->ready()) << server_->child().output();
  auto echo = TcpServer::echo();
  const uint16_t port = server_->createProxy("echo", echo.port());
  ASSERT_NE(port, 0);
  Socket warm = Socket::connectTo(port);  // the session paths run once before the limit
  ASSERT_TRUE(warm.sendAll("w"));
  ASSERT_EQ(warm.readExactly(1, 5s), "w");
  warm.close();
  std::this_thread::sleep_for(200ms);

  std::vector<Socket> flood;
  for (int i = 0; i < 120; ++i) {
    flood.push_back(Socket::connectTo(port));
    if (flood.back().valid()) ::send(flood.back().fd(), "x", 1, MSG_NOSIGNAL);
  }
  std::this_thread::sleep_for(500ms);
  for (int i = 0; i < 3; ++i) {
    auto version = server_->api("GET", "/version");
    ASSERT_TRUE(version.ok()) << "the API was unreachable at the fd limit";
    EXPECT_EQ(version->status, 200);
  }
  auto metrics = server_->api("GET", "/metrics");
  ASSERT_TRUE(metrics.ok());
  EXPECT_EQ(metrics->body.find("faultline_limit_hits_total{limit=\"fd_reserve\"} 0"), std::string::npos);
  flood.clear();
}

// Issue 11: Toxiproxy's /version framing, which its clients parse.
TEST_F(ApiHardening, VersionIsToxiproxysJsonWithANewline) {
  start();
  auto response = call("GET", "/version");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.header("Content-Type"), "application/json;charset=utf-8");
  ASSERT_FALSE(response.body.empty());
  EXPECT_EQ(response.body.back(), '\n');
  EXPECT_EQ(json::parse(response.body)["version"], "2.12.0");
}

// Issue 11: the bind error names the resolved address, and /populate's bind failure is a 500
// that changes nothing (all or nothing: Toxiproxy would keep the entries before it).
TEST_F(ApiHardening, BindErrorsNameTheResolvedAddressAndPopulateIsAllOrNothing) {
  start();
  HeldPort busy;
  const std::string port = std::to_string(busy.port());
  auto create = call("POST", "/proxies", proxyBody("busy", "localhost:" + port, "127.0.0.1:9"));
  EXPECT_EQ(create.status, 500);
  EXPECT_EQ(json::parse(create.body)["error"],
            "listen tcp 127.0.0.1:" + port + ": bind: address already in use");

  json items = json::array({json{{"name", "first"}, {"listen", "127.0.0.1:0"}, {"upstream", "127.0.0.1:9"}},
                            json{{"name", "second"}, {"listen", "127.0.0.1:" + port}, {"upstream", "127.0.0.1:9"}}});
  auto populate = call("POST", "/populate", items.dump());
  EXPECT_EQ(populate.status, 500) << populate.body;
  EXPECT_EQ(json::parse(populate.body)["proxies"], json::array());
  EXPECT_TRUE(server_->proxies().empty()) << "populate created proxies before the failing entry";
}

}  // namespace
}  // namespace faultline::testing
