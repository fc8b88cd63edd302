#include "cli/attribute_arg.h"

#include <gtest/gtest.h>

namespace faultline {
namespace {

TEST(AttributeArg, SplitsKeyAndIntegerValue) {
  auto kv = parseAttributeArg("latency=100");
  ASSERT_TRUE(kv.ok());
  EXPECT_EQ(kv->first, "latency");
  EXPECT_EQ(kv->second, 100);
}

TEST(AttributeArg, AcceptsNegativeValuesForTheServerToJudge) {
  auto kv = parseAttributeArg("latency=-5");
  ASSERT_TRUE(kv.ok());
  EXPECT_EQ(kv->second, -5);
}

TEST(AttributeArg, RejectsAMissingEqualsSign) {
  auto kv = parseAttributeArg("latency");
  ASSERT_FALSE(kv.ok());
  EXPECT_EQ(kv.error().message, "attribute 'latency': expected key=value, e.g. -a latency=100");
}

TEST(AttributeArg, RejectsANonInteger) {
  auto kv = parseAttributeArg("latency=1.5");
  ASSERT_FALSE(kv.ok());
  EXPECT_EQ(kv.error().message, "attribute 'latency': expected an integer, got '1.5'");
}

TEST(AttributeArg, RejectsAnEmptyValue) {
  EXPECT_FALSE(parseAttributeArg("latency=").ok());
}

TEST(AttributeArg, RejectsAValueBeyond64Bits) {
  auto kv = parseAttributeArg("bytes=99999999999999999999");
  ASSERT_FALSE(kv.ok());
  EXPECT_NE(kv.error().message.find("out of range"), std::string::npos);
}

}  // namespace
}  // namespace faultline
