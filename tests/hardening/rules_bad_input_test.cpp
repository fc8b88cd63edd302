// TESTS.md "Bad input / Rules files" through the real binary: `faultline serve --config FILE`,
// then FILE is replaced by each bad variant in turn. Each is rejected (GET /rules counts the
// error and names the file) and the running proxies stay exactly as they were (GET /proxies).
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "support/serve_process.h"

namespace faultline::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

const std::string kGoodRules = R"(version: 1
proxies:
  - name: db
    listen: 127.0.0.1:0
    upstream: 127.0.0.1:5432
    toxics:
      - {type: latency, attributes: {latency: 100, jitter: 5}}
)";

std::string withDbToxic(const std::string& toxic_line) {
  return "version: 1\nproxies:\n  - name: db\n    listen: 127.0.0.1:0\n    upstream: 127.0.0.1:5432\n"
         "    toxics:\n      - " + toxic_line + "\n";
}

class RulesBadInput : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("faultline-hardening-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    file_ = (dir_ / "rules.yaml").string();
    replace(kGoodRules);
    server_ = std::make_unique<ServeProcess>(std::vector<std::string>{"--config", file_});
    ASSERT_TRUE(server_->ready()) << server_->child().output();
    baseline_fds_ = server_->openFds();
  }
  // Every case ends with the process alive and its fds back at the baseline (TESTS.md).
  void TearDown() override {
    if (server_ && server_->ready()) {
      auto alive = server_->api("GET", "/version");
      EXPECT_TRUE(alive.ok() && alive->status == 200) << "the server stopped answering";
      int now = -1;
      for (int i = 0; i < 100 && (now = server_->openFds()) > baseline_fds_; ++i) std::this_thread::sleep_for(50ms);
      EXPECT_LE(now, baseline_fds_) << "rejected rules files left fds open in the server";
    }
    server_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Written beside the file and renamed over it: one complete version per change event.
  void replace(const std::string& content) {
    const std::string tmp = (dir_ / ".rules.tmp").string();
    {
      std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
      out << content;
    }
    std::filesystem::rename(tmp, file_);
  }

  json rules() {
    auto response = server_->api("GET", "/rules");
    if (!response.ok() || response->status != 200) return nullptr;
    return json::parse(response->body, nullptr, false);
  }
  int64_t errorCount() {
    json status = rules();
    return status.is_object() && status.contains("reloads") ? status["reloads"].value("error", int64_t{-1}) : -1;
  }

  // Replaces the file with `content`, waits until the reload is refused, and checks nothing moved.
  void expectRejected(const std::string& label, const std::string& content) {
    const json before = server_->proxies();
    ASSERT_TRUE(before.is_object() && before.contains("db")) << before.dump();
    const int64_t errors = errorCount();
    replace(content);
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (errorCount() <= errors && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(20ms);
    ASSERT_GT(errorCount(), errors) << label << ": the bad file was not reported within 10 s";
    const json status = rules();
    const std::string error = status.value("last_error", json(nullptr)).is_string() ? status["last_error"].get<std::string>() : "";
    EXPECT_NE(error.find("rules.yaml"), std::string::npos) << label << ": error does not name the file: " << error;
    EXPECT_EQ(server_->proxies(), before) << label << " changed the running proxies; error: " << error;
  }

  std::filesystem::path dir_;
  std::string file_;
  std::unique_ptr<ServeProcess> server_;
  int baseline_fds_ = -1;
};

TEST_F(RulesBadInput, EveryBadVariantIsRejectedAndTheRunningRulesStay) {
  const std::string base = "version: 1\nproxies:\n  - name: db\n    listen: 127.0.0.1:0\n    upstream: 127.0.0.1:5432\n";
  std::string bomb = "version: 1\na0: &a0 [x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 12; ++i) {
    bomb += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int j = 0; j < 8; ++j) bomb += (j ? ", *a" : "*a") + std::to_string(i - 1);
    bomb += "]\n";
  }
  bomb += "proxies: []\n";
  const std::vector<std::pair<std::string, std::string>> variants = {
      {"syntax error", base + "    toxics: [{type: latency\n"},
      {"wrong type", base + "    enabled: maybe\n"},
      {"unknown key typo", withDbToxic("{type: latency, attributes: {lattency: 100}}")},
      {"duplicate proxy", base + "  - name: db\n    listen: 127.0.0.1:0\n    upstream: 127.0.0.1:1\n"},
      {"duplicate key", base + "    upstream: 127.0.0.1:1\n"},
      {"out of range", withDbToxic("{type: latency, attributes: {latency: 86400001}}")},
      {"negative", withDbToxic("{type: bandwidth, attributes: {rate: -1}}")},
      {"toxicity over 1", withDbToxic("{type: latency, toxicity: 1.5}")},
      {"oversized", base + "# " + std::string((1 << 20) + 10, 'x') + "\n"},
      {"deep nesting", "version: 1\nproxies: " + std::string(200, '[') + std::string(200, ']') + "\n"},
      {"anchor bomb", bomb},
      {"empty file", ""},
      {"torn write", base.substr(0, base.size() - 12)},
      {"binary garbage", std::string("\xff\xfe\x00\x01version", 11)},
  };
  for (const auto& [label, content] : variants) {
    SCOPED_TRACE(label);
    expectRejected(label, content);
  }
}

TEST_F(RulesBadInput, ANewListenPortAlreadyInUseIsRejectedAndTheRunningRulesStay) {
  HeldPort held;
  expectRejected("port in use", "version: 1\nproxies:\n  - name: db\n    listen: 127.0.0.1:0\n"
                                "    upstream: 127.0.0.1:5432\n  - name: other\n    listen: 127.0.0.1:" +
                                    std::to_string(held.port()) + "\n    upstream: 127.0.0.1:1\n");
}

TEST_F(RulesBadInput, TheErrorNamesFileLineColumnAndField) {
  expectRejected("typo", withDbToxic("{type: latency, attributes: {lattency: 100}}"));
  const std::string error = rules()["last_error"].get<std::string>();
  EXPECT_NE(error.find("rules.yaml:7:"), std::string::npos) << error;
  EXPECT_NE(error.find("lattency"), std::string::npos) << error;
}

TEST_F(RulesBadInput, AValidFileAfterTheBadOnesIsApplied) {
  expectRejected("syntax error", "version: 1\nproxies: [\n");
  replace(withDbToxic("{name: slow, type: bandwidth, attributes: {rate: 10}}"));
  json toxics;
  auto deadline = std::chrono::steady_clock::now() + 10s;
  do {
    std::this_thread::sleep_for(20ms);
    json proxies = server_->proxies();
    toxics = proxies.is_object() && proxies.contains("db") ? proxies["db"]["toxics"] : json();
  } while ((!toxics.is_array() || toxics.size() != 1 || toxics[0]["name"] != "slow") &&
           std::chrono::steady_clock::now() < deadline);
  ASSERT_TRUE(toxics.is_array() && toxics.size() == 1) << toxics.dump();
  EXPECT_EQ(toxics[0]["name"], "slow");
}

}  // namespace
}  // namespace faultline::testing
