// Issue 19 items 5, 6, 12 and the debounce's maximum wait, through `faultline serve --config`.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "support/serve_process.h"

namespace faultline::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

class RulesReloadHardening : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("faultline-reload-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    file_ = (dir_ / "rules.yaml").string();
  }
  void TearDown() override {
    server_.reset();
    std::filesystem::remove_all(dir_);
  }
  void write(const std::string& text) {
    const std::string tmp = file_ + ".tmp";
    std::ofstream(tmp, std::ios::binary) << text;
    std::filesystem::rename(tmp, file_);
  }
  void start(const std::string& text) {
    write(text);
    server_ = std::make_unique<ServeProcess>(std::vector<std::string>{"--config", file_});
    ASSERT_TRUE(server_->ready()) << server_->child().output();
  }
  json rulesStatus() {
    auto response = server_->api("GET", "/rules");
    EXPECT_TRUE(response.ok());
    if (!response.ok()) return nullptr;
    EXPECT_EQ(response->status, 200) << response->body;
    return json::parse(response->body, nullptr, false);
  }
  static std::string proxy(const std::string& name, const std::string& listen, uint16_t upstream,
                           const std::string& toxics = "") {
    return "  - name: " + name + "\n    listen: \"" + listen + "\"\n    upstream: 127.0.0.1:" +
           std::to_string(upstream) + "\n" + toxics;
  }

  std::filesystem::path dir_;
  std::string file_;
  std::unique_ptr<ServeProcess> server_;
};

// Item 5: the status of a rejected file with invalid UTF-8 is still readable.
TEST_F(RulesReloadHardening, RulesStatusAnswersWhileTheRejectedFileHoldsInvalidUtf8) {
  auto echo = TcpServer::echo();
  start("proxies:\n" + proxy("db", "127.0.0.1:0", echo.port()));
  write("proxies: [\xff\xfe]\n");
  auto reload = server_->api("POST", "/reload");
  ASSERT_TRUE(reload.ok());
  EXPECT_NE(reload->status, 200);
  json status = rulesStatus();
  ASSERT_TRUE(status.is_object());
  EXPECT_TRUE(server_->proxies().contains("db"));
}

// Item 6: a rejected reload leaves the live sessions of the proxies it would have removed, and
// [::ffff:127.0.0.1]:P is seen as the 127.0.0.1:P it is.
TEST_F(RulesReloadHardening, ARejectedReloadKeepsTheLiveSessionsOfProxiesItWouldRemove) {
  auto echo = TcpServer::echo();
  HeldPort a_port;
  const uint16_t a = a_port.port();
  a_port.release();
  start("proxies:\n" + proxy("old", "127.0.0.1:" + std::to_string(a), echo.port()));
  Socket live = Socket::connectTo(a);
  ASSERT_TRUE(live.sendAll("1"));
  ASSERT_EQ(live.readExactly(1, 5s), "1");

  HeldPort busy;  // held by another process's socket: the new proxy cannot bind
  write("proxies:\n" + proxy("new", "[::ffff:127.0.0.1]:" + std::to_string(a), echo.port()) +
        proxy("other", busy.address(), echo.port()));
  auto reload = server_->api("POST", "/reload");
  ASSERT_TRUE(reload.ok());
  EXPECT_NE(reload->status, 200) << reload->body;
  EXPECT_TRUE(server_->proxies().contains("old"));
  ASSERT_TRUE(live.sendAll("2"));
  EXPECT_EQ(live.readExactly(1, 5s), "2") << "the rejected reload dropped a live session";
}

// Item 6, the ordering: a step that fails late (a kept proxy's update over the toxics limit,
// which no pre-check sees) runs before any removal, so the removed proxy's sessions live on.
TEST_F(RulesReloadHardening, AReloadThatFailsLateHasRemovedNothing) {
  auto echo = TcpServer::echo();
  write("proxies:\n" + proxy("old", "127.0.0.1:0", echo.port()) + proxy("keep", "127.0.0.1:0", echo.port()));
  server_ = std::make_unique<ServeProcess>(std::vector<std::string>{"--config", file_, "--max-toxics-per-proxy", "2"});
  ASSERT_TRUE(server_->ready()) << server_->child().output();
  const std::string listen = server_->proxies()["old"]["listen"];
  Socket live = Socket::connectTo(static_cast<uint16_t>(std::stoi(listen.substr(listen.rfind(':') + 1))));
  ASSERT_TRUE(live.sendAll("1"));
  ASSERT_EQ(live.readExactly(1, 5s), "1");
  ASSERT_TRUE(server_->addToxic("keep", {{"name", "api_lag"}, {"type", "latency"}}));

  write("proxies:\n" + proxy("keep", "127.0.0.1:0", echo.port(),
                              "    toxics:\n      - {name: a, type: latency}\n      - {name: b, type: latency}\n"));
  auto reload = server_->api("POST", "/reload");
  ASSERT_TRUE(reload.ok());
  EXPECT_NE(reload->status, 200) << reload->body;
  EXPECT_TRUE(server_->proxies().contains("old"));
  ASSERT_TRUE(live.sendAll("2"));
  EXPECT_EQ(live.readExactly(1, 5s), "2") << "the rejected reload dropped a live session";
}

// Item 12: API toxics on a file-managed proxy are kept across edits of the file.
TEST_F(RulesReloadHardening, ApiToxicsOnAFileManagedProxySurviveAReload) {
  auto echo = TcpServer::echo();
  start("proxies:\n" + proxy("db", "127.0.0.1:0", echo.port(),
                              "    toxics:\n      - {name: file_lag, type: latency, attributes: {latency: 1}}\n"));
  ASSERT_TRUE(server_->addToxic("db", {{"name", "api_lag"}, {"type", "latency"}}));
  write("proxies:\n" + proxy("db", "127.0.0.1:0", echo.port(),
                              "    toxics:\n      - {name: file_lag, type: latency, attributes: {latency: 2}}\n"));
  auto reload = server_->api("POST", "/reload");
  ASSERT_TRUE(reload.ok());
  ASSERT_EQ(reload->status, 200) << reload->body;
  json toxics = server_->proxies()["db"]["toxics"];
  std::vector<std::string> names;
  for (const auto& t : toxics) names.push_back(t["name"]);
  EXPECT_NE(std::find(names.begin(), names.end(), "api_lag"), names.end()) << toxics.dump();
  EXPECT_NE(std::find(names.begin(), names.end(), "file_lag"), names.end()) << toxics.dump();
  for (const auto& t : toxics) {
    if (t["name"] == "file_lag") {
      EXPECT_EQ(t["attributes"]["latency"], 2);
    }
  }
}

// Decide-and-fix: a file rewritten more often than the debounce is still reloaded.
TEST_F(RulesReloadHardening, AFileRewrittenFasterThanTheDebounceIsStillReloaded) {
  auto echo = TcpServer::echo();
  start("proxies:\n" + proxy("p0", "127.0.0.1:0", echo.port()));
  bool seen = false;
  // Rewrites every 50 ms (debounce 100 ms) for up to 8 s; the maximum wait is 1 s.
  for (int i = 1; i <= 160 && !seen; ++i) {
    write("proxies:\n" + proxy("p" + std::to_string(i), "127.0.0.1:0", echo.port()));
    std::this_thread::sleep_for(50ms);
    if (i % 10 == 0) {
      json proxies = server_->proxies();
      seen = proxies.is_object() && !proxies.contains("p0");
    }
  }
  EXPECT_TRUE(seen) << "no reload happened while the writes went on";
}

}  // namespace
}  // namespace faultline::testing
