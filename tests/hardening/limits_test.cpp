// Issue 7's limits, each through the real binary: the flag sets it, a peer that runs into it is
// refused cleanly (the process and everyone else carry on), and faultline_limit_hits_total{limit}
// counts the hit on /metrics.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include "support/serve_process.h"

namespace faultline::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

// The value of faultline_limit_hits_total{limit="<limit>"}, -1 when the row is missing.
int64_t limitHits(ServeProcess& server, const std::string& limit) {
  auto response = server.api("GET", "/metrics");
  if (!response.ok() || response->status != 200) return -1;
  const std::regex row("faultline_limit_hits_total\\{limit=\"" + limit + "\"\\} ([0-9]+)");
  std::smatch match;
  if (!std::regex_search(response->body, match, row)) return -1;
  return std::stoll(match[1].str());
}

// Polls until the hit is counted: the refusal and the counter may land a loop turn apart.
int64_t waitForHits(ServeProcess& server, const std::string& limit, int64_t at_least) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  int64_t hits = limitHits(server, limit);
  while (hits < at_least && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);
    hits = limitHits(server, limit);
  }
  return hits;
}

std::string statusLine(const std::string& response) { return response.substr(0, response.find("\r\n")); }

TEST(Limits, EveryLimitHasARowInTheLimitHitsMetricStartingAtZero) {
  const std::string dir = std::filesystem::temp_directory_path() / ("faultline-limits-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string file = dir + "/rules.yaml";
  std::ofstream(file) << "version: 1\nproxies: []\n";
  ServeProcess server({"--config", file});
  ASSERT_TRUE(server.ready()) << server.child().output();
  for (const char* limit : {"link_buffer_bytes", "global_buffer_bytes", "proxy_max_connections", "api_connections",
                            "api_url_bytes", "api_header_bytes", "api_body_bytes", "rules_file_bytes", "rules_nodes",
                            "rules_depth", "proxy_toxics", "fd_reserve"}) {
    EXPECT_EQ(limitHits(server, limit), 0) << limit;
  }
  std::filesystem::remove_all(dir);
}

TEST(Limits, ProxyMaxConnectionsRefusesTheExtraSessionCleanlyAndCountsIt) {
  ServeProcess server({"--max-connections", "2"});
  ASSERT_TRUE(server.ready()) << server.child().output();
  auto echo = TcpServer::echo();
  const uint16_t port = server.createProxy("capped", echo.port());
  ASSERT_NE(port, 0);

  Socket first = Socket::connectTo(port);
  Socket second = Socket::connectTo(port);
  ASSERT_TRUE(first.sendAll("one") && second.sendAll("two"));
  ASSERT_EQ(first.readExactly(3, 5s), "one");
  ASSERT_EQ(second.readExactly(3, 5s), "two");

  Socket third = Socket::connectTo(port);
  ASSERT_TRUE(third.valid());
  int error = -1;
  EXPECT_EQ(third.readUntilClosed(5s, &error), "");
  EXPECT_NE(error, ETIMEDOUT) << "the session over the limit must be closed, not left hanging";
  EXPECT_EQ(waitForHits(server, "proxy_max_connections", 1), 1);

  // The sessions within the limit are untouched.
  ASSERT_TRUE(first.sendAll("still"));
  EXPECT_EQ(first.readExactly(5, 5s), "still");
}

TEST(Limits, ApiMaxConnectionsFlagRefusesTheExtraConnectionAndCountsIt) {
  ServeProcess server({"--api-max-connections", "2"});
  ASSERT_TRUE(server.ready()) << server.child().output();
  std::vector<Socket> held;
  held.push_back(Socket::connectTo(server.apiPort()));
  held.push_back(Socket::connectTo(server.apiPort()));
  // The server learns of the two only once its loop accepts them; a request on each proves it.
  for (auto& socket : held) {
    ASSERT_TRUE(socket.sendAll("GET /version HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
  }
  for (auto& socket : held) {
    char buf[512];
    ASSERT_GT(::recv(socket.fd(), buf, sizeof buf, 0), 0);
  }
  // Both are busy (half-way through their next request): an idle keep-alive connection would be
  // evicted to make room instead (ApiHardening.IdleKeepAliveConnectionsAtTheCapDoNotLockTheApiOut).
  for (auto& socket : held) ASSERT_TRUE(socket.sendAll("GET /version HTTP/1.1\r\n"));
  std::this_thread::sleep_for(100ms);

  Socket extra = Socket::connectTo(server.apiPort());
  ASSERT_TRUE(extra.valid());
  extra.sendAll("GET /version HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  int error = -1;
  const std::string answer = extra.readUntilClosed(5s, &error);
  EXPECT_EQ(answer.find("200 OK"), std::string::npos) << "over the limit, yet served: " << answer;
  EXPECT_NE(error, ETIMEDOUT);

  held.clear();
  EXPECT_GE(waitForHits(server, "api_connections", 1), 1);
}

TEST(Limits, ApiHeaderAndBodyFlagsAnswer431And413AndCountEach) {
  ServeProcess server({"--api-max-header-kib", "1", "--api-max-body-kib", "1"});
  ASSERT_TRUE(server.ready()) << server.child().output();

  const std::string big_header = "X-Pad: " + std::string(2048, 'h') + "\r\n";
  std::string response = rawExchange(
      server.apiPort(), "GET /version HTTP/1.1\r\nHost: 127.0.0.1\r\n" + big_header + "\r\n", 5000ms);
  EXPECT_EQ(statusLine(response).substr(0, 12), "HTTP/1.1 431") << response;

  const std::string body = json{{"name", std::string(2048, 'b')}, {"upstream", "127.0.0.1:1"}}.dump();
  response = rawExchange(server.apiPort(),
                         "POST /proxies HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body,
                         5000ms);
  EXPECT_EQ(statusLine(response).substr(0, 12), "HTTP/1.1 413") << response;

  // Under the limits the same routes answer normally.
  response = rawExchange(server.apiPort(), "GET /version HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: short\r\n\r\n", 5000ms);
  EXPECT_EQ(statusLine(response), "HTTP/1.1 200 OK") << response;
  EXPECT_EQ(waitForHits(server, "api_header_bytes", 1), 1);
  EXPECT_EQ(waitForHits(server, "api_body_bytes", 1), 1);
  EXPECT_EQ(limitHits(server, "api_url_bytes"), 0);
}

class RulesLimits : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("faultline-rules-limits-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    file_ = (dir_ / "rules.yaml").string();
    replace(kGood);
  }
  void TearDown() override {
    server_.reset();
    std::filesystem::remove_all(dir_);
  }
  void replace(const std::string& content) {
    const std::string tmp = (dir_ / ".rules.tmp").string();
    std::ofstream(tmp, std::ios::binary | std::ios::trunc) << content;
    std::filesystem::rename(tmp, file_);
  }

  static constexpr const char* kGood =
      "version: 1\nproxies:\n  - name: db\n    listen: 127.0.0.1:0\n    upstream: 127.0.0.1:5432\n";
  std::filesystem::path dir_;
  std::string file_;
  std::unique_ptr<ServeProcess> server_;
};

TEST_F(RulesLimits, RulesMaxKibFlagRejectsALargerFileAndKeepsTheRunningRules) {
  server_ = std::make_unique<ServeProcess>(std::vector<std::string>{"--config", file_, "--rules-max-kib", "1"});
  ASSERT_TRUE(server_->ready()) << server_->child().output();
  const json before = server_->proxies();
  ASSERT_TRUE(before.contains("db")) << before.dump();

  // Valid rules, padded past 1 KiB with a comment: only the size is wrong.
  replace(std::string(kGood) + "  - name: cache\n    listen: 127.0.0.1:0\n    upstream: 127.0.0.1:6379\n# " +
          std::string(1100, 'x') + "\n");
  EXPECT_EQ(waitForHits(*server_, "rules_file_bytes", 1), 1);
  EXPECT_EQ(server_->proxies(), before);
  auto rules = server_->api("GET", "/rules");
  ASSERT_TRUE(rules.ok());
  EXPECT_NE(rules->body.find("too large"), std::string::npos) << rules->body;
}

TEST_F(RulesLimits, RulesMaxNodesFlagRejectsAFileWithMoreNodesAndKeepsTheRunningRules) {
  server_ = std::make_unique<ServeProcess>(std::vector<std::string>{"--config", file_, "--rules-max-nodes", "40"});
  ASSERT_TRUE(server_->ready()) << server_->child().output();
  const json before = server_->proxies();

  std::string many = kGood;
  for (int i = 0; i < 8; ++i) {
    many += "  - name: p" + std::to_string(i) + "\n    listen: 127.0.0.1:0\n    upstream: 127.0.0.1:1\n";
  }
  replace(many);
  EXPECT_EQ(waitForHits(*server_, "rules_nodes", 1), 1);
  EXPECT_EQ(server_->proxies(), before);
  auto rules = server_->api("GET", "/rules");
  ASSERT_TRUE(rules.ok());
  EXPECT_NE(rules->body.find("too many YAML nodes; expected at most 40"), std::string::npos) << rules->body;

  // Back under the limit, the next version loads.
  replace(std::string(kGood) + "  - name: cache\n    listen: 127.0.0.1:0\n    upstream: 127.0.0.1:6379\n");
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!server_->proxies().contains("cache") && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_TRUE(server_->proxies().contains("cache"));
}

TEST_F(RulesLimits, RulesDepthLimitRejectsDeepNestingAndCountsIt) {
  server_ = std::make_unique<ServeProcess>(std::vector<std::string>{"--config", file_});
  ASSERT_TRUE(server_->ready()) << server_->child().output();
  replace("version: 1\nproxies: " + std::string(40, '[') + std::string(40, ']') + "\n");
  EXPECT_EQ(waitForHits(*server_, "rules_depth", 1), 1);
}

// Floods one client -> upstream link whose bytes a 60 s latency toxic holds inside the proxy, where
// the buffer caps apply, until `limit` counts a hit.
void floodUntilHit(const std::vector<std::string>& flags, const std::string& limit) {
  ServeProcess server(flags);
  ASSERT_TRUE(server.ready()) << server.child().output();
  auto sink = TcpServer([](Socket& socket) { socket.readUntilClosed(20s); });
  const uint16_t port = server.createProxy("flood", sink.port());
  ASSERT_NE(port, 0);
  ASSERT_TRUE(server.addToxic("flood", {{"name", "hold"}, {"type", "latency"}, {"stream", "upstream"},
                                        {"attributes", {{"latency", 60000}}}}));
  Socket client = Socket::connectTo(port);
  const std::string block(64 * 1024, 'f');
  // 8 MiB is well past the 1 MiB cap plus the kernel's socket buffers on both sides.
  std::thread writer([&] {
    for (int i = 0; i < 128; ++i) {
      if (!client.sendAll(block)) break;
    }
  });
  EXPECT_GE(waitForHits(server, limit, 1), 1) << limit;
  ::shutdown(client.fd(), SHUT_RDWR);  // the writer, blocked in send, fails out
  writer.join();
}

TEST(Limits, LinkBufferCapPausesAFloodingLinkAndCountsIt) {
  floodUntilHit({"--link-cap-mib", "1", "--global-cap-mib", "64"}, "link_buffer_bytes");
}

TEST(Limits, GlobalBufferCapPausesEveryReaderAndCountsIt) {
  floodUntilHit({"--link-cap-mib", "8", "--global-cap-mib", "1"}, "global_buffer_bytes");
}

TEST(Limits, OutOfRangeLimitFlagsAreRefusedAtStartWithTheFlagNamed) {
  for (const std::vector<std::string>& flags :
       {std::vector<std::string>{"--api-max-body-kib", "0"}, {"--rules-max-nodes", "1"},
        {"--api-max-connections", "0"}, {"--link-cap-mib", "0"}}) {
    // CLI11 reports on stderr; the shell folds it into the captured stdout.
    ChildProcess child({"/bin/sh", "-c", "exec '" + faultlineBinary() + "' serve --port 0 " + flags[0] + " " + flags[1] + " 2>&1"});
    child.readAll(10s);
    const int status = child.wait(10s);
    EXPECT_NE(status, 0) << flags[0];
    EXPECT_NE(child.output().find(flags[0]), std::string::npos) << child.output();
  }
}

}  // namespace
}  // namespace faultline::testing
