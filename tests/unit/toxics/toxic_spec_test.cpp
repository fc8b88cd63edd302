#include "toxics/toxic_spec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "toxics/toxic_registry.h"

namespace faultline {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

ToxicInput latencyInput() {
  ToxicInput input;
  input.type = "latency";
  return input;
}

TEST(ParseStream, AcceptsBothStreamsCaseInsensitively) {
  EXPECT_EQ(parseStream("upstream"), Stream::kUpstream);
  EXPECT_EQ(parseStream("UpStream"), Stream::kUpstream);
  EXPECT_EQ(parseStream("DOWNSTREAM"), Stream::kDownstream);
  EXPECT_EQ(parseStream("sideways"), std::nullopt);
  EXPECT_EQ(parseStream(""), std::nullopt);
}

TEST(BuildToxicSpec, DefaultsToDownstreamFullToxicityAndTypeStreamName) {
  auto spec = buildToxicSpec(latencyInput());
  ASSERT_TRUE(spec.ok()) << spec.error().message;
  EXPECT_EQ(spec->type, "latency");
  EXPECT_EQ(spec->stream, Stream::kDownstream);
  EXPECT_EQ(spec->name, "latency_downstream");
  EXPECT_EQ(spec->toxicity, 1.0);
  EXPECT_EQ(spec->probability.per_million, 1'000'000u);
}

TEST(BuildToxicSpec, DefaultNameFollowsTheGivenStream) {
  ToxicInput input = latencyInput();
  input.stream = "Upstream";
  auto spec = buildToxicSpec(input);
  ASSERT_TRUE(spec.ok());
  EXPECT_EQ(spec->stream, Stream::kUpstream);
  EXPECT_EQ(spec->name, "latency_upstream");
}

TEST(BuildToxicSpec, FillsEveryDeclaredAttributeWithItsDefault) {
  ToxicInput input;
  input.type = "slicer";
  input.attributes = {{"average_size", 64}};
  auto spec = buildToxicSpec(input);
  ASSERT_TRUE(spec.ok());
  EXPECT_EQ(spec->attributes, (std::map<std::string, int64_t>{{"average_size", 64}, {"size_variation", 0}, {"delay", 0}}));
  EXPECT_EQ(spec->attr("average_size"), 64);
  EXPECT_EQ(spec->attr("not_declared"), 0);
}

TEST(BuildToxicSpec, KeepsAGivenNameAndToxicity) {
  ToxicInput input = latencyInput();
  input.name = "slow-db.1";
  input.toxicity = 0.25;
  auto spec = buildToxicSpec(input);
  ASSERT_TRUE(spec.ok());
  EXPECT_EQ(spec->name, "slow-db.1");
  EXPECT_EQ(spec->toxicity, 0.25);
  EXPECT_EQ(spec->probability.per_million, 250'000u);
}

TEST(BuildToxicSpec, MissingTypeNamesTheTypeField) {
  ToxicInput input;
  auto spec = buildToxicSpec(input, "proxies[0].toxics[1]");
  ASSERT_FALSE(spec.ok());
  EXPECT_THAT(spec.error().message, StartsWith("proxies[0].toxics[1].type: "));
  EXPECT_EQ(spec.error().code, ErrorCode::kInvalidArgument);
}

TEST(BuildToxicSpec, UnknownTypeNamesTheFieldAndListsKnownTypes) {
  ToxicInput input;
  input.type = "lattency";
  auto spec = buildToxicSpec(input, "toxics[0]");
  ASSERT_FALSE(spec.ok());
  EXPECT_THAT(spec.error().message, StartsWith("toxics[0].type: "));
  EXPECT_THAT(spec.error().message, HasSubstr("invalid toxic type"));
  EXPECT_THAT(spec.error().message, HasSubstr("'lattency'"));
  EXPECT_THAT(spec.error().message, HasSubstr("latency"));
}

TEST(BuildToxicSpec, BadStreamNamesTheStreamField) {
  ToxicInput input = latencyInput();
  input.stream = "sideways";
  auto spec = buildToxicSpec(input);
  ASSERT_FALSE(spec.ok());
  EXPECT_THAT(spec.error().message, StartsWith("stream: "));
  EXPECT_THAT(spec.error().message, HasSubstr("stream was invalid, can be either upstream or downstream"));
  EXPECT_THAT(spec.error().message, HasSubstr("sideways"));
}

TEST(BuildToxicSpec, ToxicityOutsideZeroToOneNamesTheToxicityField) {
  for (double bad : {-0.1, 1.5, std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity()}) {
    ToxicInput input = latencyInput();
    input.toxicity = bad;
    auto spec = buildToxicSpec(input, "t");
    ASSERT_FALSE(spec.ok()) << bad;
    EXPECT_THAT(spec.error().message, StartsWith("t.toxicity: ")) << bad;
  }
}

TEST(BuildToxicSpec, ToxicityAtTheBoundsIsAccepted) {
  for (double ok : {0.0, 1.0}) {
    ToxicInput input = latencyInput();
    input.toxicity = ok;
    EXPECT_TRUE(buildToxicSpec(input).ok()) << ok;
  }
}

TEST(BuildToxicSpec, UnknownAttributeNamesItAndListsTheKnownOnes) {
  ToxicInput input = latencyInput();
  input.attributes = {{"latencyy", 5}};
  auto spec = buildToxicSpec(input, "toxics[2]");
  ASSERT_FALSE(spec.ok());
  EXPECT_THAT(spec.error().message, StartsWith("toxics[2].attributes.latencyy: "));
  EXPECT_THAT(spec.error().message, HasSubstr("latency, jitter"));
}

TEST(BuildToxicSpec, NegativeAttributeNamesTheFieldTheRangeAndTheUnit) {
  ToxicInput input = latencyInput();
  input.attributes = {{"latency", -5}};
  auto spec = buildToxicSpec(input);
  ASSERT_FALSE(spec.ok());
  EXPECT_THAT(spec.error().message, StartsWith("attributes.latency: "));
  EXPECT_THAT(spec.error().message, HasSubstr("from 0 to 86400000 (ms)"));
  EXPECT_THAT(spec.error().message, HasSubstr("got -5"));
}

TEST(BuildToxicSpec, DurationOverADayIsRejected) {
  ToxicInput input = latencyInput();
  input.attributes = {{"jitter", 86'400'001}};
  auto spec = buildToxicSpec(input);
  ASSERT_FALSE(spec.ok());
  EXPECT_THAT(spec.error().message, StartsWith("attributes.jitter: "));
}

TEST(BuildToxicSpec, BadNameNamesTheNameField) {
  for (const char* bad : {"has space", "slash/name", "\xc3\xa9"}) {
    ToxicInput input = latencyInput();
    input.name = bad;
    auto spec = buildToxicSpec(input, "x");
    ASSERT_FALSE(spec.ok()) << bad;
    EXPECT_THAT(spec.error().message, StartsWith("x.name: ")) << bad;
  }
}

TEST(BuildToxicSpec, EmptyNameGetsTheDefaultNameAsInToxiproxy) {
  ToxicInput input = latencyInput();
  input.name = "";
  input.stream = "upstream";
  auto spec = buildToxicSpec(input);
  ASSERT_TRUE(spec.ok()) << spec.error().message;
  EXPECT_EQ(spec->name, "latency_upstream");
}

TEST(BuildToxicSpec, NameLongerThan128CharactersIsRejected) {
  ToxicInput input = latencyInput();
  input.name = std::string(129, 'a');
  auto spec = buildToxicSpec(input);
  ASSERT_FALSE(spec.ok());
  EXPECT_THAT(spec.error().message, StartsWith("name: "));
}

TEST(BuildToxicSpec, EveryRegisteredTypeBuildsWithDefaults) {
  for (const auto& type : toxicTypes()) {
    ToxicInput input;
    input.type = type.name;
    auto spec = buildToxicSpec(input);
    ASSERT_TRUE(spec.ok()) << type.name;
    EXPECT_EQ(spec->attributes.size() + spec->text_attributes.size(), type.attributes.size()) << type.name;
    EXPECT_EQ(spec->name, type.name + "_downstream");
  }
}

}  // namespace
}  // namespace faultline
