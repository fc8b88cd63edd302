// Issue 19 item 1 and TESTS.md "Nothing blocks the loop", through the real binary: a FIFO, a
// directory or an unreadable file at the rules path is refused at once (the API keeps answering,
// GET /rules keeps the error), and `faultline validate` says so instead of hanging.
#include <gtest/gtest.h>
#include <sys/stat.h>
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

const std::string kRules = "proxies:\n  - name: db\n    listen: 127.0.0.1:0\n    upstream: 127.0.0.1:5432\n";

class LoopNeverBlocks : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("faultline-loop-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    file_ = (dir_ / "rules.yaml").string();
    std::ofstream(file_) << kRules;
  }
  void TearDown() override {
    server_.reset();
    std::error_code ignored;
    std::filesystem::permissions(file_, std::filesystem::perms::owner_all, ignored);
    std::filesystem::remove_all(dir_, ignored);
  }

  void start() {
    server_ = std::make_unique<ServeProcess>(std::vector<std::string>{"--config", file_});
    ASSERT_TRUE(server_->ready()) << server_->child().output();
  }

  // Every answer within a second while the bad file is in place; then the error is in /rules.
  void expectApiAnswersAndRulesNames(const std::string& what) {
    for (int i = 0; i < 5; ++i) {
      const auto started = std::chrono::steady_clock::now();
      auto reload = server_->api("POST", "/reload");
      auto version = server_->api("GET", "/version");
      const auto took = std::chrono::steady_clock::now() - started;
      ASSERT_TRUE(version.ok() && version->status == 200) << "the API stopped answering";
      ASSERT_TRUE(reload.ok());
      EXPECT_NE(reload->status, 200) << reload->body;
      EXPECT_LT(took, 1s) << "the loop was blocked";
    }
    auto rules = server_->api("GET", "/rules");
    ASSERT_TRUE(rules.ok());
    ASSERT_EQ(rules->status, 200) << rules->body;
    EXPECT_NE(rules->body.find(what), std::string::npos) << rules->body;
    // The running rules stay.
    EXPECT_TRUE(server_->proxies().contains("db"));
  }

  std::filesystem::path dir_;
  std::string file_;
  std::unique_ptr<ServeProcess> server_;
};

TEST_F(LoopNeverBlocks, AFifoAtTheRulesPathIsRefusedWithoutBlocking) {
  start();
  std::filesystem::remove(file_);
  ASSERT_EQ(::mkfifo(file_.c_str(), 0600), 0);
  expectApiAnswersAndRulesNames("FIFO");
}

TEST_F(LoopNeverBlocks, ADirectoryAtTheRulesPathIsRefused) {
  start();
  std::filesystem::remove(file_);
  std::filesystem::create_directory(file_);
  expectApiAnswersAndRulesNames("directory");
}

TEST_F(LoopNeverBlocks, AnUnreadableRulesFileIsRefused) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads files whatever their mode";
  start();
  std::filesystem::permissions(file_, std::filesystem::perms::none);
  expectApiAnswersAndRulesNames("cannot open rules file");
}

TEST_F(LoopNeverBlocks, ValidateOnAFifoAnswersAtOnce) {
  std::filesystem::remove(file_);
  ASSERT_EQ(::mkfifo(file_.c_str(), 0600), 0);
  const auto run = runFaultline({"validate", file_}, 5s);
  EXPECT_NE(run.code, -1) << "faultline validate hung on a FIFO";
  EXPECT_NE(run.code, 0);
  EXPECT_NE(run.output.find("FIFO"), std::string::npos) << run.output;
}

TEST_F(LoopNeverBlocks, AListenHostNameIsRefusedBeforeAnyLookup) {
  start();
  const auto started = std::chrono::steady_clock::now();
  auto response = server_->api("POST", "/proxies",
                               R"({"name":"slow","listen":"slow.invalid:15555","upstream":"127.0.0.1:9"})");
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 400) << response->body;
  EXPECT_NE(response->body.find("expected a numeric IP address or localhost"), std::string::npos) << response->body;
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);
}

TEST_F(LoopNeverBlocks, AListenHostNameInTheProxyFlagIsRefused) {
  const auto run = runFaultline({"serve", "--port", "0", "--proxy", "p=slow.invalid:15555=127.0.0.1:9"}, 10s);
  EXPECT_EQ(run.code, 1) << run.output;
  EXPECT_NE(run.output.find("expected a numeric IP address or localhost"), std::string::npos) << run.output;
}

}  // namespace
}  // namespace faultline::testing
