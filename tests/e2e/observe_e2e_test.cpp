// What an observer sees of the real binary (issue 15): the test helper's waitFor on GET /events
// (the event, its predicate and proxy filter, and a clear error at its timeout), fault_injected
// for HTTP faults and schedule changes, rules_reloaded from the file watcher and SIGHUP, and the
// per-toxic bytes-held gauge in a /metrics that promtool accepts.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include <nlohmann/json.hpp>

#include "faultline/testing.hpp"
#include "support/sockets.h"

namespace faultline::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
namespace fs = std::filesystem;

const std::string kBin = std::string(FAULTLINE_BIN_DIR) + "/faultline";

std::string upstreamOf(const TcpServer& server) { return "127.0.0.1:" + std::to_string(server.port()); }

TEST(ObserveE2e, WaitForReturnsTheMatchingEventAndKeepsTheOthers) {
  auto echo = TcpServer::echo();
  auto faultline = Faultline::start(kBin);
  auto events = faultline.events();
  faultline.createProxy("a", upstreamOf(echo));
  faultline.createProxy("b", upstreamOf(echo));
  // The predicate passes over a's event; a later wait still gets it.
  json b = events.waitFor("proxy_created", [](const json& e) { return e.value("proxy", "") == "b"; });
  EXPECT_EQ(b["proxy"], "b");
  json a = events.waitFor("proxy_created");
  EXPECT_EQ(a["proxy"], "a");
  EXPECT_LT(a["seq"].get<uint64_t>(), b["seq"].get<uint64_t>());

  // A proxy's own stream sees only its events.
  auto only_b = faultline.proxy("b").events();
  faultline.proxy("a").addToxic(latency(1).named("on_a"));
  faultline.proxy("b").addToxic(latency(1).named("on_b"));
  json added = only_b.waitFor("toxic_added");
  EXPECT_EQ(added["toxic"]["name"], "on_b") << added.dump();
}

TEST(ObserveE2e, WaitForTimesOutWithAClearErrorNamingWhatArrived) {
  auto echo = TcpServer::echo();
  auto faultline = Faultline::start(kBin);
  auto events = faultline.events();
  faultline.createProxy("quiet", upstreamOf(echo));
  const auto start = std::chrono::steady_clock::now();
  try {
    events.waitFor("toxic_added", 300ms);
    FAIL() << "waitFor returned without a toxic_added event";
  } catch (const FaultlineError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("no toxic_added event on http://127.0.0.1:"), std::string::npos) << message;
    EXPECT_NE(message.find("within 300 ms"), std::string::npos) << message;
    EXPECT_NE(message.find("unclaimed events: proxy_created #"), std::string::npos) << message;
  }
  EXPECT_GE(std::chrono::steady_clock::now() - start, 300ms);
  // The server going away ends the wait at once, and says so.
  auto gone = Faultline::start(kBin);
  auto gone_events = gone.events();
  gone.process()->stop(std::chrono::milliseconds(2000));
  try {
    gone_events.waitFor("proxy_created", 10s);
    FAIL() << "waitFor returned on a closed stream";
  } catch (const FaultlineError& e) {
    EXPECT_NE(std::string(e.what()).find("the server closed the stream"), std::string::npos) << e.what();
  }
}

TEST(ObserveE2e, HttpFaultsPublishFaultInjectedWithRequestAndAction) {
  auto echo = TcpServer::echo();
  auto faultline = Faultline::start(kBin);
  auto proxy = faultline.createProxy("api", upstreamOf(echo));
  proxy.addToxic(httpAbort(503).named("boom").path("/pay"));
  auto events = proxy.events();
  Socket client = Socket::connectTo(proxy.port());
  ASSERT_TRUE(client.sendAll("GET /pay?id=7 HTTP/1.1\r\nHost: shop\r\n\r\n"));
  const std::string answer = client.readExactly(12, 5s);
  EXPECT_EQ(answer, "HTTP/1.1 503") << answer;
  json fault = events.waitFor("fault_injected");
  EXPECT_EQ(fault["proxy"], "api");
  EXPECT_EQ(fault["kind"], "http");
  EXPECT_EQ(fault["toxic"], "boom");
  EXPECT_EQ(fault["method"], "GET");
  EXPECT_EQ(fault["path"], "/pay");
  EXPECT_EQ(fault["action"], "answer");
  EXPECT_EQ(fault["status"], 503);
  json opened = events.waitFor("connection_opened");
  EXPECT_EQ(fault["conn"], opened["conn"]) << fault.dump() << " " << opened.dump();
}

TEST(ObserveE2e, ScheduleWindowsPublishFaultInjectedOnAndOff) {
  auto echo = TcpServer::echo();
  auto faultline = Faultline::start(kBin);
  auto proxy = faultline.createProxy("sched", upstreamOf(echo));
  auto events = proxy.events();
  proxy.addToxic(latency(5).named("window").during(Schedule::after(300ms).forDuration(300ms)));
  auto isWindow = [](const json& e) { return e.value("kind", "") == "schedule" && e.value("toxic", "") == "window"; };
  json on = events.waitFor("fault_injected", isWindow, 5s);
  EXPECT_TRUE(on["active"].get<bool>()) << on.dump();
  EXPECT_LE(on["next_change_ms"].get<int64_t>(), 300) << on.dump();
  json off = events.waitFor("fault_injected", isWindow, 5s);
  EXPECT_FALSE(off["active"].get<bool>()) << off.dump();
  EXPECT_TRUE(off["next_change_ms"].is_null()) << "a single window never changes again: " << off.dump();
}

class RulesFile {
 public:
  RulesFile() : dir_(fs::temp_directory_path() / ("faultline-observe-" + std::to_string(getpid()))) {
    fs::create_directories(dir_);
  }
  ~RulesFile() { fs::remove_all(dir_); }
  std::string path() const { return (dir_ / "rules.yaml").string(); }
  void write(const std::string& text) const {
    {
      std::ofstream out(path() + ".tmp", std::ios::trunc);
      out << text;
    }
    fs::rename(path() + ".tmp", path());
  }

 private:
  fs::path dir_;
};

TEST(ObserveE2e, RulesReloadedComesFromTheWatcherSighupAndTheApi) {
  auto echo = TcpServer::echo();
  RulesFile rules;
  const std::string proxy = "version: 1\nproxies:\n  - name: r\n    listen: 127.0.0.1:0\n    upstream: " + upstreamOf(echo) + "\n";
  rules.write(proxy);
  auto faultline = Faultline::start(kBin, {"--config", rules.path()});
  auto events = faultline.events();

  rules.write(proxy + "    toxics:\n      - {name: lag, type: latency, attributes: {latency: 5}}\n");
  json watched = events.waitFor("rules_reloaded", 10s);
  EXPECT_TRUE(watched["ok"].get<bool>()) << watched.dump();
  EXPECT_EQ(watched["via"], "watch");
  EXPECT_TRUE(watched["changed"].get<bool>());

  rules.write(proxy + "    toxics:\n      - {name: lag, type: latency, attributes: {latency: -5}}\n");
  json broken = events.waitFor("rules_reloaded", 10s);
  EXPECT_FALSE(broken["ok"].get<bool>()) << broken.dump();
  EXPECT_EQ(broken["via"], "watch");
  EXPECT_NE(broken.value("error", "").find("rules.yaml:"), std::string::npos) << "file:line:col: " << broken.dump();

  ASSERT_EQ(::kill(faultline.process()->pid(), SIGHUP), 0);
  json signalled = events.waitFor("rules_reloaded", 10s);
  EXPECT_EQ(signalled["via"], "signal") << signalled.dump();
  EXPECT_FALSE(signalled["ok"].get<bool>()) << "the file is still broken: " << signalled.dump();

  rules.write(proxy);
  json fixed = events.waitFor("rules_reloaded", [](const json& e) { return e.value("ok", false); }, 10s);
  EXPECT_EQ(fixed["via"], "watch");
  faultline.api().call("POST", "/reload");
  json api = events.waitFor("rules_reloaded", 5s);
  EXPECT_EQ(api["via"], "api") << api.dump();
  EXPECT_TRUE(api["ok"].get<bool>());
  EXPECT_FALSE(api["changed"].get<bool>()) << "the same file again: " << api.dump();
}

std::string metricsText(Faultline& faultline) {
  auto answer = api::Client(faultline.api().url()).send("GET", "/metrics");
  auto* reply = std::get_if<api::Reply>(&answer);
  return reply != nullptr ? reply->text : "";
}

// The held-bytes sample of one toxic, or -1 when the row is missing.
long heldBytes(const std::string& metrics, const std::string& proxy, const std::string& toxic, const std::string& direction) {
  std::regex re("faultline_toxic_held_bytes\\{proxy=\"" + proxy + "\",toxic=\"" + toxic + "\",type=\"[a-z_]+\",direction=\"" +
                direction + "\"\\} ([0-9]+)");
  std::smatch m;
  return std::regex_search(metrics, m, re) ? std::stol(m[1]) : -1;
}

TEST(ObserveE2e, HeldBytesGaugeFollowsWhatALatencyToxicHolds) {
  auto echo = TcpServer::echo();
  auto faultline = Faultline::start(kBin);
  auto proxy = faultline.createProxy("held", upstreamOf(echo));
  proxy.addToxic(latency(1500).named("slow"));
  EXPECT_EQ(heldBytes(metricsText(faultline), "held", "slow", "downstream"), 0) << metricsText(faultline);
  Socket client = Socket::connectTo(proxy.port());
  const std::string payload(1000, 'x');
  ASSERT_TRUE(client.sendAll(payload));
  // The echo comes back into the latency stage and waits there for 1.5 s.
  long held = -1;
  for (int i = 0; i < 50 && held != 1000; ++i) {
    held = heldBytes(metricsText(faultline), "held", "slow", "downstream");
    if (held != 1000) std::this_thread::sleep_for(20ms);
  }
  EXPECT_EQ(held, 1000) << metricsText(faultline);
  EXPECT_EQ(client.readExactly(payload.size(), 10s), payload);
  EXPECT_EQ(heldBytes(metricsText(faultline), "held", "slow", "downstream"), 0) << "released once delivered";
}

TEST(ObserveE2e, MetricsWithEveryNewFamilyFilledPassPromtool) {
  const bool have_promtool = std::system("command -v promtool >/dev/null 2>&1") == 0;
  if (!have_promtool) GTEST_SKIP() << "promtool is not installed (Debian's prometheus; scripts/setup --test-deps)";
  auto echo = TcpServer::echo();
  auto faultline = Faultline::start(kBin);
  auto proxy = faultline.createProxy("lint", upstreamOf(echo));
  proxy.addToxic(latency(800).named("slow"));
  proxy.addToxic(httpAbort(503).named("boom").path("/nothing-here"));
  Socket client = Socket::connectTo(proxy.port());
  ASSERT_TRUE(client.sendAll("GET /x HTTP/1.1\r\nHost: a\r\n\r\n"));
  std::this_thread::sleep_for(200ms);  // the echo sits in the latency stage
  const std::string metrics = metricsText(faultline);
  ASSERT_NE(metrics.find("faultline_toxic_held_bytes{proxy=\"lint\""), std::string::npos) << metrics;
  ASSERT_NE(metrics.find("faultline_events_dropped_total"), std::string::npos) << metrics;
  const std::string file = (fs::temp_directory_path() / ("faultline-metrics-" + std::to_string(getpid()) + ".txt")).string();
  {
    std::ofstream out(file);
    out << metrics;
  }
  FILE* pipe = ::popen(("promtool check metrics < '" + file + "' 2>&1").c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string lint;
  char buffer[512];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) lint += buffer;
  const int status = ::pclose(pipe);
  fs::remove(file);
  EXPECT_EQ(status, 0) << "promtool check metrics: " << lint;
}

}  // namespace
}  // namespace faultline::testing
