// --seed through the real binary: two runs with the same seed and the same sequence of
// connections per proxy make the same toxicity decisions, however the connections to another
// proxy are interleaved with them (read from the debug log).
#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <thread>

#include <nlohmann/json.hpp>

#include "support/child_process.h"
#include "support/serve_process.h"
#include "support/sockets.h"

namespace faultline::testing {
namespace {

using namespace std::chrono_literals;

const std::string kBin = std::string(FAULTLINE_BIN_DIR) + "/faultline";

struct ServeRun {
  std::unique_ptr<ChildProcess> server;
  uint16_t api = 0;
  uint16_t a = 0;
  uint16_t b = 0;
};

nlohmann::json post(uint16_t api, const std::string& path, const std::string& body) {
  return apiJson(api, "POST", path, body);
}

uint16_t proxyPort(const nlohmann::json& json) {
  if (!json.is_object() || !json.contains("listen")) return 0;
  const std::string listen = json["listen"];
  return static_cast<uint16_t>(std::stoi(listen.substr(listen.rfind(':') + 1)));
}

ServeRun start(const std::string& seed, uint16_t echo) {
  ServeRun run;
  run.server = std::make_unique<ChildProcess>(std::vector<std::string>{
      "/bin/sh", "-c", "exec '" + kBin + "' serve --port 0 --log-level debug --seed " + seed + " 2>&1"});
  const std::string line = run.server->lineContaining("control API listening on", 10s);
  if (line.empty()) return run;
  run.api = static_cast<uint16_t>(apiPortFromLine(line));
  const std::string upstream = "127.0.0.1:" + std::to_string(echo);
  for (const char* name : {"a", "b"}) {
    const uint16_t port =
        proxyPort(post(run.api, "/proxies", R"({"name":")" + std::string(name) + R"(","listen":"127.0.0.1:0","upstream":")" + upstream + "\"}"));
    (std::string(name) == "a" ? run.a : run.b) = port;
    // Two coins per connection (one per direction), and a jittery latency whose draws follow too.
    post(run.api, "/proxies/" + std::string(name) + "/toxics",
         R"({"name":"coin","type":"latency","stream":"downstream","toxicity":0.5,"attributes":{"latency":0}})");
    post(run.api, "/proxies/" + std::string(name) + "/toxics",
         R"({"name":"coin_up","type":"latency","stream":"upstream","toxicity":0.5,"attributes":{"latency":0}})");
  }
  return run;
}

// One connection that carries a byte both ways, so both links (and their rolls) exist.
void connectOnce(uint16_t port) {
  Socket s = Socket::connectTo(port);
  if (!s.valid() || !s.sendAll("x")) return;
  (void)s.readExactly(1, 5s);
}

// proxy/ordinal/toxic -> applied, from "toxicity roll proxy=a conn=.. conn_ordinal=3 toxic=coin ... applied=true".
std::map<std::string, bool> decisions(ChildProcess& server, const std::string& proxy, std::size_t expected) {
  static const std::regex line(R"(toxicity roll proxy=(\S+) conn=\d+ conn_ordinal=(\d+) toxic=(\S+) stream=\S+ toxicity=\S+ applied=(true|false))");
  std::map<std::string, bool> out;
  const auto until = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < until) {
    out.clear();
    const std::string& text = server.output();
    for (auto it = std::sregex_iterator(text.begin(), text.end(), line); it != std::sregex_iterator(); ++it) {
      if ((*it)[1] == proxy) out[(*it)[2].str() + "/" + (*it)[3].str()] = (*it)[4] == "true";
    }
    if (out.size() >= expected) break;
    server.lineContaining("\x01never\x01", 200ms);
  }
  return out;
}

TEST(SeedE2e, SameSeedSameDecisionsWhateverTheInterleavingWithOtherProxies) {
  auto echo = TcpServer::echo();
  constexpr int kConnections = 16;

  ServeRun first = start("4242", echo.port());
  ASSERT_NE(first.a, 0) << first.server->output();
  for (int i = 0; i < kConnections; ++i) {  // a, b, a, b, ...
    connectOnce(first.a);
    connectOnce(first.b);
  }
  ServeRun second = start("4242", echo.port());
  ASSERT_NE(second.a, 0);
  // The other proxy busy first, then alongside: a's own sequence is all that matters.
  for (int i = 0; i < 5; ++i) connectOnce(second.b);
  std::thread noise([&] {
    for (int i = 0; i < 3 * kConnections; ++i) connectOnce(second.b);
  });
  for (int i = 0; i < kConnections; ++i) connectOnce(second.a);
  noise.join();

  const auto a1 = decisions(*first.server, "a", 2 * kConnections);
  const auto a2 = decisions(*second.server, "a", 2 * kConnections);
  ASSERT_EQ(a1.size(), 2u * kConnections);
  EXPECT_EQ(a1, a2);
  // Not a test that cannot fail: the coins came up both ways.
  int applied = 0;
  for (const auto& [key, value] : a1) applied += value ? 1 : 0;
  EXPECT_GT(applied, 0);
  EXPECT_LT(applied, 2 * kConnections);

  // Another seed gives other decisions (2^-32 odds of an accidental match).
  ServeRun third = start("4243", echo.port());
  ASSERT_NE(third.a, 0);
  for (int i = 0; i < kConnections; ++i) connectOnce(third.a);
  EXPECT_NE(decisions(*third.server, "a", 2 * kConnections), a1);
}

TEST(SeedE2e, WithoutASeedTheChosenOneIsLoggedForReplay) {
  ChildProcess server({"/bin/sh", "-c", "exec '" + kBin + "' serve --port 0 2>&1"});
  const std::string line = server.lineContaining("random seed=", 10s);
  EXPECT_NE(line.find("replay this run's toxic decisions with --seed"), std::string::npos) << line;
}

}  // namespace
}  // namespace faultline::testing
