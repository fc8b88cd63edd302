#include "backoff.h"

#include <gtest/gtest.h>

#include <set>

namespace faultline {
namespace {

TEST(Backoff, CeilingDoublesFromBaseUntilTheCap) {
  Backoff backoff({Millis{100}, Millis{1000}});
  EXPECT_EQ(backoff.ceiling(0), Millis{100});
  EXPECT_EQ(backoff.ceiling(1), Millis{200});
  EXPECT_EQ(backoff.ceiling(2), Millis{400});
  EXPECT_EQ(backoff.ceiling(3), Millis{800});
  EXPECT_EQ(backoff.ceiling(4), Millis{1000});
  EXPECT_EQ(backoff.ceiling(5), Millis{1000});
}

TEST(Backoff, CeilingDoesNotOverflowForHugeRetryNumbers) {
  Backoff backoff({Millis{50}, Millis{30'000}});
  EXPECT_EQ(backoff.ceiling(63), Millis{30'000});
  EXPECT_EQ(backoff.ceiling(1'000'000), Millis{30'000});
}

TEST(Backoff, EveryDelayLiesBetweenZeroAndTheCappedCeiling) {
  Backoff backoff({Millis{50}, Millis{2000}});
  Random random(42);
  for (uint32_t retry = 0; retry < 10; ++retry) {
    const Millis upper = std::min(Millis{2000}, Millis{50 * (int64_t{1} << retry)});
    for (int i = 0; i < 1000; ++i) {
      const Millis d = backoff.delay(retry, random);
      ASSERT_GE(d, Millis{0}) << "retry " << retry;
      ASSERT_LE(d, upper) << "retry " << retry;
    }
  }
}

TEST(Backoff, FullJitterSpreadsDelaysAcrossTheWholeRange) {
  Backoff backoff({Millis{100}, Millis{10'000}});
  Random random(7);
  std::set<int64_t> distinct;
  Millis lowest{100'000};
  Millis highest{0};
  for (int i = 0; i < 2000; ++i) {
    const Millis d = backoff.delay(3, random);  // ceiling 800 ms
    distinct.insert(d.count());
    lowest = std::min(lowest, d);
    highest = std::max(highest, d);
  }
  EXPECT_GT(distinct.size(), 300u);
  EXPECT_LT(lowest, Millis{80});    // reaches near zero ...
  EXPECT_GT(highest, Millis{720});  // ... and near the ceiling
}

TEST(Backoff, SameSeedGivesSameDelays) {
  Backoff backoff({Millis{100}, Millis{10'000}});
  Random a(99);
  Random b(99);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(backoff.delay(4, a), backoff.delay(4, b));
}

TEST(Backoff, ZeroBaseMeansNoWait) {
  Backoff backoff({Millis{0}, Millis{1000}});
  Random random(1);
  EXPECT_EQ(backoff.ceiling(5), Millis{0});
  EXPECT_EQ(backoff.delay(5, random), Millis{0});
}

}  // namespace
}  // namespace faultline
