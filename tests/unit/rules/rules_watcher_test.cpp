#include "rules/rules_watcher.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <string>

#include "support/loop_fixture.h"
#include "support/temp_dir.h"

namespace faultline {
namespace {

using ::testing::HasSubstr;
using std::chrono::milliseconds;

// Generous: the watcher reacts in ~100 ms (debounce); a loaded CI machine gets 20x that.
constexpr milliseconds kDeadline{2000};

std::string rulesWithLatency(int ms, const std::string& key = "latency") {
  return "version: 1\n"
         "proxies:\n"
         "  - name: partner\n"
         "    listen: 127.0.0.1:0\n"
         "    upstream: 127.0.0.1:9\n"
         "    toxics:\n"
         "      - name: lag\n"
         "        type: latency\n"
         "        attributes:\n"
         "          " + key + ": " + std::to_string(ms) + "\n";
}

class RulesWatcherTest : public test::LoopFixture {
 protected:
  void beforeDrain() override { watcher_.reset(); }

  RulesWatcher& startWatching(const std::string& content) {
    path_ = dir_.write("rules.yaml", content);
    watcher_ = std::make_unique<RulesWatcher>(&loop_, *registry_, path_);
    Status started = watcher_->start();
    EXPECT_TRUE(started.ok()) << (started.ok() ? "" : started.error().message);
    return *watcher_;
  }

  int64_t latencyNow() {
    auto info = registry_->get("partner");
    if (!info || info->toxics.empty()) return -1;
    return info->toxics[0]->attr("latency");
  }

  bool waitForLatency(int64_t ms) {
    return runUntil([&] { return latencyNow() == ms; }, kDeadline);
  }

  test::TempDir dir_;
  std::string path_;
  std::unique_ptr<RulesWatcher> watcher_;
};

TEST_F(RulesWatcherTest, StartLoadsTheFile) {
  auto& watcher = startWatching(rulesWithLatency(100));
  EXPECT_EQ(latencyNow(), 100);
  EXPECT_EQ(watcher.reloadsOk(), 1u);
  EXPECT_EQ(watcher.applied().proxies.size(), 1u);
}

TEST_F(RulesWatcherTest, StartWithAnInvalidFileFailsAndCreatesNothing) {
  path_ = dir_.write("rules.yaml", "proxies:\n  - name: partner\n    listen: nowhere\n");
  RulesWatcher watcher(&loop_, *registry_, path_);
  Status started = watcher.start();
  ASSERT_FALSE(started.ok());
  EXPECT_THAT(started.error().message, HasSubstr(path_ + ":3:13: proxies[0].listen"));
  EXPECT_TRUE(registry_->list().empty());
}

TEST_F(RulesWatcherTest, StartWithAMissingFileFails) {
  RulesWatcher watcher(&loop_, *registry_, dir_.file("absent.yaml"));
  Status started = watcher.start();
  ASSERT_FALSE(started.ok());
  EXPECT_THAT(started.error().message, HasSubstr("not found"));
}

TEST_F(RulesWatcherTest, AnInPlaceRewriteIsAppliedWithinTheDeadline) {
  startWatching(rulesWithLatency(100));
  auto written = std::chrono::steady_clock::now();
  dir_.write("rules.yaml", rulesWithLatency(200));
  ASSERT_TRUE(waitForLatency(200));
  EXPECT_LT(std::chrono::steady_clock::now() - written, kDeadline);
}

TEST_F(RulesWatcherTest, AnAtomicRenameIsApplied) {
  startWatching(rulesWithLatency(100));
  dir_.writeAtomically("rules.yaml", rulesWithLatency(300));
  EXPECT_TRUE(waitForLatency(300));
}

// Regression (a watcher on the file's inode dies when an editor renames a new file over it):
// every change after the first rename still arrives, whichever way it is written.
TEST_F(RulesWatcherTest, TheWatcherKeepsApplyingChangesAfterARename) {
  startWatching(rulesWithLatency(100));
  dir_.writeAtomically("rules.yaml", rulesWithLatency(300));
  ASSERT_TRUE(waitForLatency(300));
  dir_.write("rules.yaml", rulesWithLatency(350));  // in place, on the renamed-in inode
  ASSERT_TRUE(waitForLatency(350));
  dir_.writeAtomically("rules.yaml", rulesWithLatency(400));
  ASSERT_TRUE(waitForLatency(400));
  dir_.writeAtomically("rules.yaml", rulesWithLatency(450));
  EXPECT_TRUE(waitForLatency(450));
}

TEST_F(RulesWatcherTest, ASymlinkSwapLikeAConfigMapUpdateIsApplied) {
  // Kubernetes: rules.yaml -> ..data/rules.yaml, ..data -> ..v1; an update renames a new
  // ..data symlink (pointing at ..v2) over the old one.
  namespace fs = std::filesystem;
  fs::create_directory(dir_.path() / "..v1");
  fs::create_directory(dir_.path() / "..v2");
  std::ofstream(dir_.path() / "..v1" / "rules.yaml") << rulesWithLatency(100);
  std::ofstream(dir_.path() / "..v2" / "rules.yaml") << rulesWithLatency(400);
  fs::create_directory_symlink("..v1", dir_.path() / "..data");
  fs::create_symlink("..data/rules.yaml", dir_.path() / "rules.yaml");
  watcher_ = std::make_unique<RulesWatcher>(&loop_, *registry_, dir_.file("rules.yaml"));
  ASSERT_TRUE(watcher_->start().ok());
  ASSERT_EQ(latencyNow(), 100);

  fs::create_directory_symlink("..v2", dir_.path() / "..data_tmp");
  fs::rename(dir_.path() / "..data_tmp", dir_.path() / "..data");
  EXPECT_TRUE(waitForLatency(400));
}

TEST_F(RulesWatcherTest, AnInvalidVersionKeepsThePreviousRulesAndReportsWhere) {
  auto& watcher = startWatching(rulesWithLatency(100));
  dir_.write("rules.yaml", rulesWithLatency(100, "lattency"));
  ASSERT_TRUE(runUntil([&] { return watcher.reloadsFailed() == 1; }, kDeadline));
  EXPECT_EQ(latencyNow(), 100);
  ASSERT_TRUE(watcher.lastError().has_value());
  EXPECT_THAT(*watcher.lastError(), HasSubstr(path_ + ":10:11: proxies[0].toxics[0].attributes.lattency: unknown key 'lattency'"));
  auto status = watcher.status();
  EXPECT_THAT(status["last_error"].get<std::string>(), HasSubstr("unknown key 'lattency'"));
  EXPECT_EQ(status["reloads"]["error"], 1);
}

TEST_F(RulesWatcherTest, ATornWriteIsRejectedAndTheCompletedFileLoads) {
  auto& watcher = startWatching(rulesWithLatency(100));
  std::string full = rulesWithLatency(150);
  dir_.write("rules.yaml", full.substr(0, full.size() - 8));  // cut inside "latency: 150"
  ASSERT_TRUE(runUntil([&] { return watcher.reloadsFailed() == 1; }, kDeadline));
  dir_.write("rules.yaml", rulesWithLatency(150));
  ASSERT_TRUE(waitForLatency(150));
  EXPECT_FALSE(watcher.lastError().has_value());
  EXPECT_EQ(watcher.reloadsOk(), 2u);
}

TEST_F(RulesWatcherTest, ADeletedFileKeepsTheRulesAndRecreatingItLoads) {
  auto& watcher = startWatching(rulesWithLatency(100));
  std::filesystem::remove(path_);
  ASSERT_TRUE(runUntil([&] { return watcher.status()["file_missing"] == true; }, kDeadline));
  EXPECT_EQ(latencyNow(), 100);
  EXPECT_EQ(watcher.applied().proxies.size(), 1u);

  dir_.write("rules.yaml", rulesWithLatency(500));
  ASSERT_TRUE(waitForLatency(500));
  EXPECT_EQ(watcher.status()["file_missing"], false);
}

TEST_F(RulesWatcherTest, UnchangedContentIsANoOp) {
  auto& watcher = startWatching(rulesWithLatency(100));
  dir_.write("rules.yaml", rulesWithLatency(100));
  runFor(milliseconds(400));
  EXPECT_TRUE(watcher.reload().ok());
  EXPECT_EQ(watcher.reloadsOk(), 1u);
  EXPECT_EQ(watcher.reloadsFailed(), 0u);
}

TEST_F(RulesWatcherTest, ExplicitReloadAppliesWithoutWaitingForEvents) {
  auto& watcher = startWatching(rulesWithLatency(100));
  watcher.close();  // no watches: only reload() can pick the change up
  dir_.write("rules.yaml", rulesWithLatency(250));
  ASSERT_TRUE(watcher.reload().ok());
  EXPECT_EQ(latencyNow(), 250);
}

TEST_F(RulesWatcherTest, ExplicitReloadOfAnInvalidFileIsAnErrorAndChangesNothing) {
  auto& watcher = startWatching(rulesWithLatency(100));
  watcher.close();
  dir_.write("rules.yaml", "");
  Status reloaded = watcher.reload();
  ASSERT_FALSE(reloaded.ok());
  EXPECT_THAT(reloaded.error().message, HasSubstr(path_ + ":1:1: empty rules file"));
  EXPECT_EQ(latencyNow(), 100);
}

TEST_F(RulesWatcherTest, ExplicitReloadOfAMissingFileIsAnErrorAndKeepsTheRules) {
  auto& watcher = startWatching(rulesWithLatency(100));
  watcher.close();
  std::filesystem::remove(path_);
  Status reloaded = watcher.reload();
  ASSERT_FALSE(reloaded.ok());
  EXPECT_THAT(reloaded.error().message, HasSubstr("keeping the current rules"));
  EXPECT_EQ(latencyNow(), 100);
}

TEST_F(RulesWatcherTest, AReloadRemovesWhatTheFileNoLongerDeclares) {
  auto& watcher = startWatching(rulesWithLatency(100));
  dir_.write("rules.yaml", "proxies: []\n");
  ASSERT_TRUE(runUntil([&] { return !registry_->get("partner").ok(); }, kDeadline));
  EXPECT_TRUE(watcher.applied().proxies.empty());
}

TEST_F(RulesWatcherTest, StatusDescribesTheLoadedFile) {
  auto& watcher = startWatching(rulesWithLatency(100));
  auto status = watcher.status();
  EXPECT_EQ(status["file"], path_);
  EXPECT_EQ(status["content_hash"], watcher.applied().content_hash);
  EXPECT_TRUE(std::regex_match(status["loaded_at"].get<std::string>(),
                               std::regex(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)")))
      << status["loaded_at"];
  EXPECT_TRUE(status["last_error"].is_null());
  EXPECT_EQ(status["reloads"]["ok"], 1);
  EXPECT_EQ(status["reloads"]["error"], 0);
  EXPECT_EQ(status["proxies"], nlohmann::json::array({"partner"}));
}

TEST_F(RulesWatcherTest, OtherFilesInTheDirectoryDoNotTriggerReloads) {
  auto& watcher = startWatching(rulesWithLatency(100));
  dir_.write("unrelated.yaml", "garbage: [");
  runFor(milliseconds(400));
  EXPECT_EQ(watcher.reloadsFailed(), 0u);
}

TEST_F(RulesWatcherTest, ClosingTwiceIsHarmless) {
  auto& watcher = startWatching(rulesWithLatency(100));
  watcher.close();
  watcher.close();
  runFor(milliseconds(20));
  EXPECT_EQ(latencyNow(), 100);
}

}  // namespace
}  // namespace faultline
