// Issue 19's decide-and-fix list for flags: an empty token, a negative unsigned value and an
// empty --config are errors that name the flag, not silent defaults.
#include <gtest/gtest.h>

#include <chrono>

#include "support/serve_process.h"

namespace faultline::testing {
namespace {

using namespace std::chrono_literals;

void expectRefused(const std::vector<std::string>& args, const std::string& mentions, std::vector<std::string> env = {}) {
  std::vector<std::string> full = {"serve", "--port", "0"};
  full.insert(full.end(), args.begin(), args.end());
  const auto run = runFaultline(full, 10s, std::move(env));
  EXPECT_NE(run.code, 0) << "started anyway: " << run.output;
  EXPECT_NE(run.code, -1) << "still running: " << run.output;
  EXPECT_NE(run.output.find(mentions), std::string::npos) << run.output;
  EXPECT_EQ(run.output.find("control API listening"), std::string::npos) << run.output;
}

TEST(ServeFlags, AnEmptyApiTokenIsRefused) { expectRefused({"--api-token", ""}, "--api-token"); }

TEST(ServeFlags, AnEmptyTokenVariableIsRefused) {
  expectRefused({}, "FAULTLINE_API_TOKEN", {"FAULTLINE_API_TOKEN="});
}

TEST(ServeFlags, AnEmptyConfigIsRefused) { expectRefused({"--config", ""}, "--config"); }

TEST(ServeFlags, NegativeValuesForUnsignedFlagsAreRefused) {
  expectRefused({"--max-connections", "-1"}, "max-connections");
  expectRefused({"--seed", "-5"}, "seed");
  expectRefused({"--max-toxics-per-proxy", "-1"}, "max-toxics-per-proxy");
}

}  // namespace
}  // namespace faultline::testing
