#include "control/json_mapping.h"

#include <gtest/gtest.h>

namespace faultline {
namespace {

using nlohmann::json;

TEST(JsonNestingDepth, CountsArraysAndObjectsButNotBracketsInStrings) {
  EXPECT_EQ(jsonNestingDepth(R"({"a":[1,{"b":2}]})"), 3);
  EXPECT_EQ(jsonNestingDepth(R"({"a":"[[[[\"{{{"})"), 1);
  EXPECT_EQ(jsonNestingDepth("42"), 0);
}

TEST(ParseJsonBody, AnEmptyBodyIsAnEmptyObject) {
  auto parsed = parseJsonBody("  \r\n");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(*parsed, json::object());
}

TEST(ParseJsonBody, SixtyFourLevelsParse) {
  EXPECT_TRUE(parseJsonBody(std::string(64, '[') + std::string(64, ']')).ok());
}

TEST(ParseJsonBody, SixtyFiveLevelsAreRejected) {
  auto parsed = parseJsonBody(std::string(65, '[') + std::string(65, ']'));
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().message, "JSON nested 65 levels deep; at most 64 are allowed");
}

TEST(ParseJsonBody, TrailingGarbageIsRejected) {
  auto parsed = parseJsonBody(R"({"a":1}{"b":2})");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().message.rfind("invalid JSON: ", 0), 0u) << parsed.error().message;
}

TEST(ParseJsonBody, OverflowingFloatIsRejected) {
  auto parsed = parseJsonBody(R"({"a":1e400})");
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.error().message.find("overflow"), std::string::npos) << parsed.error().message;
}

TEST(ToxicToJson, KeepsToxiproxysFieldOrder) {
  ToxicSpec spec;
  spec.name = "lag";
  spec.type = "latency";
  spec.stream = Stream::kUpstream;
  spec.toxicity = 0.5;
  spec.attributes = {{"latency", 10}, {"jitter", 2}};
  EXPECT_EQ(toxicToJson(spec).dump(),
            R"({"name":"lag","type":"latency","stream":"upstream","toxicity":0.5,"attributes":{"jitter":2,"latency":10}})");
}

TEST(ProxyToJson, HasNameListenUpstreamEnabledAndToxics) {
  ProxyInfo info;
  info.name = "db";
  info.listen = "127.0.0.1:1234";
  info.upstream = "127.0.0.1:5432";
  info.enabled = false;
  EXPECT_EQ(proxyToJson(info).dump(),
            R"({"name":"db","listen":"127.0.0.1:1234","upstream":"127.0.0.1:5432","enabled":false,"toxics":[]})");
}

TEST(ProxyConfigFromJson, EnabledDefaultsToTrue) {
  auto config = proxyConfigFromJson(json{{"name", "db"}, {"upstream", "x:1"}});
  ASSERT_TRUE(config.ok());
  EXPECT_TRUE(config->enabled);
  EXPECT_FALSE(config->toxics_given);
}

TEST(ProxyConfigFromJson, ToxicsAreValidatedWithTheirPath) {
  auto config = proxyConfigFromJson(json{{"name", "db"}, {"toxics", json::array({json{{"type", "nope"}}})}});
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().message.rfind("toxics[0].type: invalid toxic type", 0), 0u) << config.error().message;
}

TEST(ProxyConfigFromJson, GivenToxicsAreMarkedAsGiven) {
  auto config = proxyConfigFromJson(json{{"name", "db"}, {"toxics", json::array()}});
  ASSERT_TRUE(config.ok());
  EXPECT_TRUE(config->toxics_given);
}

TEST(ProxyConfigFromJson, ANonObjectIsRejected) {
  auto config = proxyConfigFromJson(json::array());
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().message, "body: expected a JSON object, got an array");
}

TEST(ProxyPatchFromJson, OnlyFieldsSentArePatched) {
  auto patch = proxyPatchFromJson(json{{"enabled", false}});
  ASSERT_TRUE(patch.ok());
  EXPECT_EQ(patch->enabled, false);
  EXPECT_FALSE(patch->listen.has_value());
  EXPECT_FALSE(patch->upstream.has_value());
}

TEST(ToxicInputFromJson, AnIntegralFloatAttributeIsAccepted) {
  auto input = toxicInputFromJson(json::parse(R"({"type":"latency","attributes":{"latency":100.0}})"));
  ASSERT_TRUE(input.ok());
  EXPECT_EQ(input->attributes.at("latency"), 100);
}

TEST(ToxicInputFromJson, AFractionalAttributeIsRejectedNamingIt) {
  auto input = toxicInputFromJson(json::parse(R"({"type":"latency","attributes":{"latency":1.5}})"));
  ASSERT_FALSE(input.ok());
  EXPECT_EQ(input.error().message, "attributes.latency: expected an integer, got 1.5");
}

TEST(ToxicInputFromJson, AStringToxicityIsRejectedNamingIt) {
  auto input = toxicInputFromJson(json::parse(R"({"type":"latency","toxicity":"1"})"));
  ASSERT_FALSE(input.ok());
  EXPECT_EQ(input.error().message, "toxicity: expected a number, got a string");
}

TEST(ToxicPatchFromJson, MinusOneToxicityMeansUnchanged) {
  auto patch = toxicPatchFromJson(json::parse(R"({"toxicity":-1,"attributes":{"latency":5}})"));
  ASSERT_TRUE(patch.ok());
  EXPECT_FALSE(patch->toxicity.has_value());
  EXPECT_EQ(patch->attributes.at("latency"), 5);
}

TEST(ToxicPatchFromJson, AnUnknownFieldIsRejectedNamingIt) {
  auto patch = toxicPatchFromJson(json::parse(R"({"toxicty":0.5})"));
  ASSERT_FALSE(patch.ok());
  EXPECT_EQ(patch.error().message.rfind("toxicty: unknown field", 0), 0u) << patch.error().message;
}

}  // namespace
}  // namespace faultline
