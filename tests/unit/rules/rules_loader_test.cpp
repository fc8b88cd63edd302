#include "rules/rules_loader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "support/temp_dir.h"

namespace faultline {
namespace {

using ::testing::HasSubstr;

TEST(RulesLoader, LoadsAFileAndLabelsItWithItsPath) {
  test::TempDir dir;
  std::string path = dir.write("r.yaml", "proxies:\n  - {name: a, listen: '127.0.0.1:1', upstream: 'h:2'}\n");
  auto result = loadRulesFile(path);
  ASSERT_TRUE(result.ok()) << joinRulesErrors(result.errors);
  EXPECT_EQ(result.config.file, path);
  EXPECT_EQ(result.config.proxies.size(), 1u);
}

TEST(RulesLoader, ErrorsCarryThePath) {
  test::TempDir dir;
  std::string path = dir.write("r.yaml", "proxies:\n  - 42\n");
  auto result = loadRulesFile(path);
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].toString(), path + ":2:5: proxies[0]: expected a proxy (a map with name, listen, upstream), got '42'");
}

TEST(RulesLoader, MissingFileIsNotFound) {
  test::TempDir dir;
  auto read = readRulesFile(dir.file("absent.yaml"), 1024);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().code, ErrorCode::kNotFound);
  auto loaded = loadRulesFile(dir.file("absent.yaml"));
  ASSERT_EQ(loaded.errors.size(), 1u);
  EXPECT_EQ(loaded.errors[0].toString(), dir.file("absent.yaml") + ": rules file not found");
}

TEST(RulesLoader, FileOverOneMebibyteIsRejectedBeforeParsing) {
  test::TempDir dir;
  std::string path = dir.write("big.yaml", "proxies: []\n" + std::string((1u << 20) + 1, '#'));
  auto result = loadRulesFile(path);
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_THAT(result.errors[0].toString(), HasSubstr(path + ": rules file too large"));
  EXPECT_THAT(result.errors[0].message, HasSubstr("expected at most 1048576 bytes"));
}

TEST(RulesLoader, ADirectoryIsNotARulesFile) {
  test::TempDir dir;
  auto result = loadRulesFile(dir.path().string());
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_THAT(result.errors[0].message, HasSubstr("not a regular file"));
}

}  // namespace
}  // namespace faultline
