#include "duration_flag.h"

#include <gtest/gtest.h>

namespace faultline {
namespace {

Micros parse(const std::string& text) {
  auto r = parseDuration(text, "--delay");
  EXPECT_TRUE(r.ok()) << text;
  return r.ok() ? *r : Micros{-1};
}

// As in the source stories' tools: `--timeout 1` is one second, `--duration 30` thirty.
TEST(DurationFlag, ABareNumberIsSeconds) {
  EXPECT_EQ(parse("1"), std::chrono::seconds(1));
  EXPECT_EQ(parse("30"), std::chrono::seconds(30));
  EXPECT_EQ(parse("0.5"), Millis{500});
}

TEST(DurationFlag, ABareNumberIsMillisecondsOnlyWhenTheFlagSaysSo) {
  auto r = parseDuration("750", "--deadline-ms", BareNumber::kMilliseconds);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, Millis{750});
  auto with_unit = parseDuration("2s", "--deadline-ms", BareNumber::kMilliseconds);
  ASSERT_TRUE(with_unit.ok());
  EXPECT_EQ(*with_unit, std::chrono::seconds(2));
}

TEST(DurationFlag, TheErrorSaysWhatABareNumberMeans) {
  auto r = parseDuration("soon", "--timeout");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("(seconds)"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("'soon'"), std::string::npos) << r.error().message;
  EXPECT_NE(std::string(durationHelpSuffix()).find("bare number is seconds"), std::string::npos);
}
TEST(DurationFlag, AcceptsUnits) {
  EXPECT_EQ(parse("250ms"), Millis{250});
  EXPECT_EQ(parse("1s"), Millis{1000});
  EXPECT_EQ(parse("1.5s"), Millis{1500});
  EXPECT_EQ(parse("2m"), std::chrono::seconds(120));
  EXPECT_EQ(parse("500us"), Micros{500});
  EXPECT_EQ(parse("24h"), std::chrono::hours(24));
  EXPECT_EQ(parse("0"), Micros{0});
}

TEST(DurationFlag, RejectsGarbageNegativeAndUnknownUnitsNamingTheFlag) {
  for (const char* bad : {"", "abc", "-5", "5d", "10 s", "1e400"}) {
    auto r = parseDuration(bad, "--max-delay");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.error().message.find("--max-delay"), std::string::npos) << r.error().message;
  }
}

TEST(DurationFlag, RejectsMoreThanADay) { EXPECT_FALSE(parseDuration("25000000s", "--x").ok()); }

TEST(DurationFlag, FormatsInTheLargestExactUnit) {
  EXPECT_EQ(formatDuration(Millis{2000}), "2s");
  EXPECT_EQ(formatDuration(Millis{250}), "250ms");
  EXPECT_EQ(formatDuration(Micros{1500}), "1500us");
}

}  // namespace
}  // namespace faultline
