#include "rules/validate_command.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "support/temp_dir.h"

namespace faultline {
namespace {

using ::testing::HasSubstr;

TEST(ValidateCommand, ValidFilePrintsOkWithCounts) {
  test::TempDir dir;
  std::string path = dir.write("r.yaml", R"(proxies:
  - {name: a, listen: "127.0.0.1:1", upstream: "127.0.0.1:2", toxics: [{type: latency}, {type: timeout, stream: upstream}]}
  - {name: b, listen: "127.0.0.1:3", upstream: "127.0.0.1:2"}
)");
  std::ostringstream out, err;
  EXPECT_EQ(runValidate({path}, out, err), 0);
  EXPECT_EQ(out.str(), path + ": ok (2 proxies, 2 toxics)\n");
  EXPECT_EQ(err.str(), "");
}

TEST(ValidateCommand, InvalidFilePrintsEveryErrorAndFails) {
  test::TempDir dir;
  std::string path = dir.write("r.yaml", "proxies:\n  - 1\n  - 2\n");
  std::ostringstream out, err;
  EXPECT_EQ(runValidate({path}, out, err), 1);
  EXPECT_EQ(out.str(), "");
  EXPECT_THAT(err.str(), HasSubstr(path + ":2:5: proxies[0]: expected a proxy"));
  EXPECT_THAT(err.str(), HasSubstr(path + ":3:5: proxies[1]: expected a proxy"));
}

TEST(ValidateCommand, OneBadFileAmongGoodOnesFailsTheRun) {
  test::TempDir dir;
  std::string good = dir.write("good.yaml", "proxies: []\n");
  std::string bad = dir.write("bad.yaml", "");
  std::ostringstream out, err;
  EXPECT_EQ(runValidate({good, bad}, out, err), 1);
  EXPECT_EQ(out.str(), good + ": ok (0 proxies, 0 toxics)\n");
  EXPECT_THAT(err.str(), HasSubstr(bad + ":1:1: empty rules file"));
}

TEST(ValidateCommand, MissingFileIsAnError) {
  test::TempDir dir;
  std::ostringstream out, err;
  EXPECT_EQ(runValidate({dir.file("nope.yaml")}, out, err), 1);
  EXPECT_THAT(err.str(), HasSubstr("nope.yaml: rules file not found"));
}

TEST(ValidateCommand, NoFilesIsAUsageError) {
  std::ostringstream out, err;
  EXPECT_EQ(runValidate({}, out, err), 2);
  EXPECT_THAT(err.str(), HasSubstr("no rules file given"));
}

}  // namespace
}  // namespace faultline
