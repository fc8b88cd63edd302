#include "core/random.h"

#include <gtest/gtest.h>

#include <set>

namespace faultline {
namespace {

TEST(Random, SameSeedGivesTheSameSequence) {
  Random a(77);
  Random b(77);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(a.below(1u << 30), b.below(1u << 30));
}

TEST(Random, BelowZeroIsZero) {
  Random random(1);
  EXPECT_EQ(random.below(0), 0u);
}

TEST(Random, BelowStaysUnderTheBoundAndCoversIt) {
  Random random(2);
  std::set<uint64_t> seen;
  for (int i = 0; i < 1000; ++i) {
    const uint64_t v = random.below(5);
    ASSERT_LT(v, 5u);
    seen.insert(v);
  }
  EXPECT_EQ(seen.size(), 5u);
}

TEST(Random, BetweenIsInclusiveAtBothEnds) {
  Random random(3);
  std::set<int64_t> seen;
  for (int i = 0; i < 1000; ++i) {
    const int64_t v = random.between(-2, 2);
    ASSERT_GE(v, -2);
    ASSERT_LE(v, 2);
    seen.insert(v);
  }
  EXPECT_EQ(seen, (std::set<int64_t>{-2, -1, 0, 1, 2}));
}

TEST(Random, BetweenWithAnEmptyRangeReturnsTheLowEnd) {
  Random random(4);
  EXPECT_EQ(random.between(7, 7), 7);
  EXPECT_EQ(random.between(9, 3), 9);
}

TEST(Random, UnitIsInTheHalfOpenInterval) {
  Random random(5);
  for (int i = 0; i < 1000; ++i) {
    const double v = random.unit();
    ASSERT_GE(v, 0.0);
    ASSERT_LT(v, 1.0);
  }
}

TEST(Probability, ConvertsFractionsToPerMillionAndClamps) {
  EXPECT_EQ(Probability::fromFraction(0.25).per_million, 250'000u);
  EXPECT_EQ(Probability::fromFraction(-1).per_million, 0u);
  EXPECT_EQ(Probability::fromFraction(2).per_million, 1'000'000u);
  EXPECT_EQ(Probability::fromFraction(0.0000004).per_million, 0u);
  EXPECT_EQ(Probability::fromFraction(0.0000005).per_million, 1u);
}

TEST(Probability, ZeroNeverAndOneAlwaysWins) {
  Random random(6);
  const Probability never = Probability::fromFraction(0);
  const Probability always = Probability::fromFraction(1);
  for (int i = 0; i < 10000; ++i) {
    ASSERT_FALSE(never.roll(random));
    ASSERT_TRUE(always.roll(random));
  }
}

TEST(Probability, AQuarterWinsAboutAQuarterOfTheTime) {
  Random random(7);
  const Probability quarter = Probability::fromFraction(0.25);
  int wins = 0;
  for (int i = 0; i < 10000; ++i) wins += quarter.roll(random) ? 1 : 0;
  EXPECT_GT(wins, 2300);
  EXPECT_LT(wins, 2700);
}

}  // namespace
}  // namespace faultline
