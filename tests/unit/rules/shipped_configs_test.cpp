#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "rules/rules_loader.h"

namespace faultline {
namespace {

std::string configPath(const std::string& name) { return std::string(FAULTLINE_CONFIGS_DIR) + "/" + name; }

class ShippedConfig : public ::testing::TestWithParam<const char*> {};

TEST_P(ShippedConfig, Validates) {
  auto result = loadRulesFile(configPath(GetParam()));
  EXPECT_TRUE(result.ok()) << joinRulesErrors(result.errors);
  EXPECT_FALSE(result.config.proxies.empty());
}

TEST_P(ShippedConfig, DeclaresThePartnerProxyOnTheDemoPorts) {
  auto result = loadRulesFile(configPath(GetParam()));
  ASSERT_TRUE(result.ok());
  const auto& p = result.config.proxies.front();
  EXPECT_EQ(p.name, "partner");
  EXPECT_EQ(p.listen, "127.0.0.1:22220");
  EXPECT_EQ(p.upstream, "127.0.0.1:22221");
}

INSTANTIATE_TEST_SUITE_P(Configs, ShippedConfig,
                         ::testing::Values("demo.yaml", "partner-slow.yaml", "partner-outage.yaml", "blackhole.yaml",
                                           "flaky-network.yaml", "bandwidth.yaml", "toxiproxy.json"),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (char& c : n) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return n;
                         });

TEST(ShippedConfigs, EveryExampleInTheFolderIsCovered) {
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(FAULTLINE_CONFIGS_DIR)) {
    auto ext = entry.path().extension();
    if (ext != ".yaml" && ext != ".json") continue;
    ++count;
    auto result = loadRulesFile(entry.path().string());
    EXPECT_TRUE(result.ok()) << joinRulesErrors(result.errors);
  }
  EXPECT_GE(count, 7);
}

// JSON has no comments, so toxiproxy.json is the one example without this header.
TEST(ShippedConfigs, EveryYamlExampleStartsWithACommentSayingWhatItSimulates) {
  for (const auto& entry : std::filesystem::directory_iterator(FAULTLINE_CONFIGS_DIR)) {
    if (entry.path().extension() != ".yaml") continue;
    std::string name = entry.path().filename().string();
    std::ifstream in(entry.path());
    std::string first;
    std::getline(in, first);
    EXPECT_EQ(first.rfind("# " + name + " -- ", 0), 0u) << name << ": " << first;
  }
}

TEST(ShippedConfigs, DemoIsHealthy) {
  auto result = loadRulesFile(configPath("demo.yaml"));
  ASSERT_TRUE(result.ok());
  ASSERT_EQ(result.config.proxies.size(), 1u);
  EXPECT_TRUE(result.config.proxies[0].enabled);
  EXPECT_TRUE(result.config.proxies[0].toxics.empty());
}

TEST(ShippedConfigs, ToxiproxyJsonIsATopLevelList) {
  std::ifstream in(configPath("toxiproxy.json"));
  char first = 0;
  in >> first;
  EXPECT_EQ(first, '[');
}

}  // namespace
}  // namespace faultline
