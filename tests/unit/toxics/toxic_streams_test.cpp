#include "toxics/toxic_streams.h"

#include <gtest/gtest.h>

namespace faultline {
namespace {

ToxicInput latencyInput(const char* stream, const char* name = nullptr) {
  ToxicInput input;
  input.type = "latency";
  input.stream = stream;
  if (name != nullptr) input.name = name;
  input.attributes = {{"latency", 100}};
  return input;
}

TEST(ToxicStreams, BothMakesAnUpstreamAndADownstreamToxicNamedAfterTheBase) {
  auto specs = buildToxicSpecs(latencyInput("both", "slow"));
  ASSERT_TRUE(specs.ok()) << specs.error().message;
  ASSERT_EQ(specs->size(), 2u);
  EXPECT_EQ((*specs)[0].name, "slow_upstream");
  EXPECT_EQ((*specs)[0].stream, Stream::kUpstream);
  EXPECT_EQ((*specs)[1].name, "slow_downstream");
  EXPECT_EQ((*specs)[1].stream, Stream::kDownstream);
  EXPECT_EQ((*specs)[0].attr("latency"), 100);
  EXPECT_EQ((*specs)[1].attr("latency"), 100);
}

TEST(ToxicStreams, UnnamedBothUsesTheTypeAsTheBaseLikeToxiproxysDefaultNames) {
  for (const char* empty_or_none : {"", static_cast<const char*>(nullptr)}) {
    auto specs = buildToxicSpecs(latencyInput("BOTH", empty_or_none));
    ASSERT_TRUE(specs.ok());
    EXPECT_EQ((*specs)[0].name, "latency_upstream");
    EXPECT_EQ((*specs)[1].name, "latency_downstream");
  }
}

TEST(ToxicStreams, OneStreamIsOneSpecExactlyAsBefore) {
  auto specs = buildToxicSpecs(latencyInput("upstream", "x"));
  ASSERT_TRUE(specs.ok());
  ASSERT_EQ(specs->size(), 1u);
  EXPECT_EQ((*specs)[0].name, "x");
  ToxicInput no_stream = latencyInput("downstream");
  no_stream.stream.reset();
  auto defaults = buildToxicSpecs(no_stream);
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ((*defaults)[0].name, "latency_downstream");
}

TEST(ToxicStreams, ErrorsAreBuildToxicSpecsWithTheFieldPath) {
  ToxicInput bad = latencyInput("both", "slow");
  bad.attributes = {{"latency", -5}};
  auto specs = buildToxicSpecs(bad, "proxies[0].toxics[1]");
  ASSERT_FALSE(specs.ok());
  EXPECT_NE(specs.error().message.find("proxies[0].toxics[1].attributes.latency"), std::string::npos)
      << specs.error().message;
  ToxicInput untyped;
  untyped.stream = "both";
  auto missing = buildToxicSpecs(untyped);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("type"), std::string::npos);
}

TEST(ToxicStreams, BothIsRecognisedInAnyCase) {
  ToxicInput input = latencyInput("both");
  EXPECT_TRUE(wantsBothStreams(input));
  input.stream = "Both";
  EXPECT_TRUE(wantsBothStreams(input));
  input.stream = "downstream";
  EXPECT_FALSE(wantsBothStreams(input));
}

}  // namespace
}  // namespace faultline
