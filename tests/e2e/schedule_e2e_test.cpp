// Scheduled toxics through the real binary, measured from outside: a latency window is slow
// inside and fast around it, a window's end hands held bytes on, an API toxic with --for is gone
// after its window, a rules toxic stays declared and a reload keeps its clock.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "faultline/testing.hpp"
#include "support/child_process.h"
#include "support/serve_process.h"
#include "support/sockets.h"

namespace faultline::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
namespace fs = std::filesystem;
using SteadyClock = std::chrono::steady_clock;

const std::string kBin = std::string(FAULTLINE_BIN_DIR) + "/faultline";

class Server {
 public:
  explicit Server(std::vector<std::string> extra = {}) {
    // The logs (stderr) go with stdout, so tests can read the schedule's log lines.
    std::string command = "exec '" + kBin + "' serve --port 0";
    for (const auto& arg : extra) command += " '" + arg + "'";
    process_ = std::make_unique<ChildProcess>(std::vector<std::string>{"/bin/sh", "-c", command + " 2>&1"});
    const std::string line = process_->lineContaining("control API listening on", 10s);
    port_ = line.empty() ? 0 : static_cast<uint16_t>(apiPortFromLine(line));
  }
  uint16_t port() const { return port_; }
  ChildProcess& process() { return *process_; }
  // Everything it printed so far (reads what is pending for up to `for_ms`).
  std::string output(std::chrono::milliseconds for_ms = 300ms) {
    process_->lineContaining("\x01never printed\x01", for_ms);
    return process_->output();
  }

  json call(const std::string& method, const std::string& path, const std::string& body = "") const {
    return apiJson(port_, method, path, body);
  }
  std::string text(const std::string& path) const { return apiText(port_, path); }
  // The proxy's bound port.
  uint16_t createProxy(const std::string& name, uint16_t upstream) const {
    json created = call("POST", "/proxies",
                        json{{"name", name}, {"listen", "127.0.0.1:0"}, {"upstream", "127.0.0.1:" + std::to_string(upstream)}}.dump());
    if (!created.is_object() || !created.contains("listen")) return 0;
    const std::string listen = created["listen"];
    return static_cast<uint16_t>(std::stoi(listen.substr(listen.rfind(':') + 1)));
  }
  // Polls GET /proxies/P/toxics until `pred` holds for the list (bounded).
  template <typename Pred>
  bool waitForToxics(const std::string& proxy, Pred pred, std::chrono::milliseconds deadline) const {
    const auto until = SteadyClock::now() + deadline;
    while (SteadyClock::now() < until) {
      json toxics = call("GET", "/proxies/" + proxy + "/toxics");
      if (toxics.is_array() && pred(toxics)) return true;
      std::this_thread::sleep_for(20ms);
    }
    return false;
  }

 private:
  std::unique_ptr<ChildProcess> process_;
  uint16_t port_ = 0;
};

bool firstIsActive(const json& toxics) { return !toxics.empty() && toxics[0].value("active", false); }

// One echo round trip on a live connection, in milliseconds (or -1 when the echo did not come back).
int64_t roundTripMs(Socket& client, const std::string& payload) {
  const auto start = SteadyClock::now();
  if (!client.sendAll(payload)) return -1;
  if (client.readExactly(payload.size(), 10s) != payload) return -1;
  return std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - start).count();
}

TEST(ScheduleE2e, LatencyWindowIsSlowInsideAndFastBeforeAndAfter) {
  auto echo = TcpServer::echo();
  Server server;
  ASSERT_NE(server.port(), 0) << server.process().output();
  const uint16_t port = server.createProxy("p", echo.port());
  ASSERT_NE(port, 0);
  Socket client = Socket::connectTo(port);
  ASSERT_TRUE(client.valid());
  json added = server.call("POST", "/proxies/p/toxics",
                           R"({"name":"slow","type":"latency","attributes":{"latency":1000},
                               "schedule":{"start_ms":1000,"duration_ms":2500}})");
  ASSERT_EQ(added.value("active", true), false) << added.dump();

  const int64_t before = roundTripMs(client, "before");
  ASSERT_TRUE(server.waitForToxics("p", firstIsActive, 5s));
  const int64_t during = roundTripMs(client, "during");
  // The API toxic is removed after its (only) window.
  ASSERT_TRUE(server.waitForToxics("p", [](const json& t) { return t.empty(); }, 10s));
  const int64_t after = roundTripMs(client, "after");

  EXPECT_GE(before, 0);
  EXPECT_LT(before, 500) << "before the window the toxic must not apply";
  EXPECT_GE(during, 900) << "inside the window the latency applies";
  EXPECT_GE(after, 0);
  EXPECT_LT(after, 500) << "after the window the link is as without the toxic";
  const std::string metrics = server.text("/metrics");
  EXPECT_NE(metrics.find(R"(faultline_toxic_schedule_changes_total{proxy="p",toxic="slow",change="activated"} 1)"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find(R"(faultline_toxic_schedule_changes_total{proxy="p",toxic="slow",change="deactivated"} 1)"),
            std::string::npos);
  const std::string log = server.output();
  EXPECT_NE(log.find("toxic activated by schedule proxy=p toxic=slow"), std::string::npos);
  EXPECT_NE(log.find("toxic deactivated by schedule proxy=p toxic=slow"), std::string::npos);
}

TEST(ScheduleE2e, AWindowEndingMidDelayHandsTheHeldBytesOnInOrder) {
  auto echo = TcpServer::echo();
  Server server;
  ASSERT_NE(server.port(), 0);
  const uint16_t port = server.createProxy("p", echo.port());
  Socket client = Socket::connectTo(port);
  ASSERT_TRUE(client.valid());
  // 20 s of latency, but a window of 800 ms: what the toxic holds at its end moves on at once.
  server.call("POST", "/proxies/p/toxics",
              R"({"name":"hold","type":"latency","attributes":{"latency":20000},"schedule":{"duration_ms":800}})");
  ASSERT_TRUE(server.waitForToxics("p", firstIsActive, 5s));
  const std::string payload = randomBytes(256 * 1024, 7);
  const auto start = SteadyClock::now();
  ASSERT_TRUE(client.sendAll(payload));
  const std::string echoed = client.readExactly(payload.size(), 10s);
  const auto elapsed = SteadyClock::now() - start;
  ASSERT_EQ(echoed.size(), payload.size());
  EXPECT_EQ(hashBytes(echoed), hashBytes(payload));
  EXPECT_LT(elapsed, 10s) << "held bytes waited for the latency instead of the window's end";
}

TEST(ScheduleE2e, CliForIsADeadManSwitch) {
  auto echo = TcpServer::echo();
  Server server;
  ASSERT_NE(server.port(), 0);
  ASSERT_NE(server.createProxy("p", echo.port()), 0);
  ChildProcess cli({kBin, "-h", "http://127.0.0.1:" + std::to_string(server.port()), "toxic", "add", "p", "-t",
                    "latency", "-a", "latency=500", "--for", "1s"});
  ASSERT_EQ(cli.wait(10s), 0) << cli.output();
  ChildProcess inspect({kBin, "-h", "http://127.0.0.1:" + std::to_string(server.port()), "inspect", "p"});
  const std::string shown = inspect.readAll(10s);
  EXPECT_EQ(inspect.wait(5s), 0);
  EXPECT_NE(shown.find("schedule=for 1s, active"), std::string::npos) << shown;
  ASSERT_TRUE(server.waitForToxics("p", [](const json& t) { return t.size() == 1; }, 1s));
  EXPECT_TRUE(server.waitForToxics("p", [](const json& t) { return t.empty(); }, 10s))
      << "an API toxic with --for must be gone after its window";
  EXPECT_NE(server.output().find("toxic removed after its last window proxy=p toxic=latency_downstream"),
            std::string::npos);
}

TEST(ScheduleE2e, RulesToxicStaysDeclaredAndAReloadKeepsItsClock) {
  auto echo = TcpServer::echo();
  const fs::path dir = fs::temp_directory_path() / ("faultline-schedule-" + std::to_string(getpid()));
  fs::create_directories(dir);
  const fs::path file = dir / "rules.yaml";
  auto write = [&](const std::string& extra) {
    std::ofstream out(file.string() + ".tmp", std::ios::trunc);
    out << "version: 1\nproxies:\n  - name: p\n    listen: 127.0.0.1:0\n    upstream: 127.0.0.1:"
        << echo.port() << "\n    toxics:\n      - {name: w, type: latency, attributes: {latency: 10}, "
        << "schedule: {start: 2s, duration: 1s}}\n" << extra;
    out.close();
    fs::rename(file.string() + ".tmp", file);
  };
  write("");
  Server server({"--config", file.string()});
  ASSERT_NE(server.port(), 0) << server.process().output();
  const auto loaded = SteadyClock::now();
  std::this_thread::sleep_for(700ms);
  // A second proxy: the file changes, the toxic's definition does not.
  write("  - {name: q, listen: 127.0.0.1:0, upstream: 127.0.0.1:" + std::to_string(echo.port()) + "}\n");
  json reload = server.call("POST", "/reload");
  ASSERT_TRUE(server.call("GET", "/proxies/q").is_object());
  json toxics = server.call("GET", "/proxies/p/toxics");
  ASSERT_EQ(toxics.size(), 1u) << toxics.dump();
  const int64_t waited = std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - loaded).count();
  // A restarted clock would say ~2000 again; the kept one says 2000 minus what has passed.
  EXPECT_LE(toxics[0].value("next_change_ms", int64_t{99999}), 2000 - waited + 300) << toxics.dump();
  ASSERT_TRUE(server.waitForToxics("p", firstIsActive, 5s));
  EXPECT_TRUE(server.waitForToxics(
      "p", [](const json& t) { return t.size() == 1 && !t[0].value("active", true) && t[0]["next_change_ms"].is_null(); },
      5s))
      << "a declared toxic stays declared (inactive) after its last window";
  fs::remove_all(dir);
}

TEST(ScheduleE2e, TestingHelperSendsTheScheduleAndForDurationExpires) {
  auto echo = TcpServer::echo();
  auto faultline = Faultline::start(kBin);
  auto proxy = faultline.createProxy("helper", "127.0.0.1:" + std::to_string(echo.port()));
  auto events = proxy.events();
  proxy.addToxic(latency(300).named("windowed").during(Schedule::after(60s).forDuration(1s).every(2s).times(3)));
  proxy.addToxic(latency(300).named("brief").forDuration(500ms));
  auto toxics = faultline.api().call("GET", "/proxies/helper/toxics");
  ASSERT_EQ(toxics.size(), 2u) << toxics.dump();
  EXPECT_EQ(toxics[0]["schedule"].dump(), R"({"duration_ms":1000,"every_ms":2000,"start_ms":60000,"times":3})");
  EXPECT_FALSE(toxics[0]["active"].get<bool>());
  EXPECT_TRUE(toxics[1]["active"].get<bool>());
  // The server says when the window ended and when it removed the toxic (no polling).
  json started = events.waitFor("fault_injected", [](const json& e) { return e.value("toxic", "") == "brief"; }, 5s);
  EXPECT_TRUE(started["active"].get<bool>()) << "on at once: " << started.dump();
  json ended = events.waitFor(
      "fault_injected", [](const json& e) { return e.value("toxic", "") == "brief" && !e.value("active", true); }, 10s);
  EXPECT_TRUE(ended["next_change_ms"].is_null()) << ended.dump();
  json removed = events.waitFor("toxic_removed", [](const json& e) { return e.value("name", "") == "brief"; }, 10s);
  EXPECT_EQ(removed["reason"], "schedule_ended") << removed.dump();
  toxics = faultline.api().call("GET", "/proxies/helper/toxics");
  ASSERT_EQ(toxics.size(), 1u) << "forDuration's toxic must be removed by the server";
  EXPECT_EQ(toxics[0]["name"], "windowed");
}

}  // namespace
}  // namespace faultline::testing
