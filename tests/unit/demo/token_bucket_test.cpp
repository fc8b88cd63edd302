#include "token_bucket.h"

#include <gtest/gtest.h>

namespace faultline {
namespace {

using std::chrono::milliseconds;

TEST(TokenBucket, LetsABurstThroughThenRefusesUntilItRefills) {
  TokenBucket bucket({10, 3});  // 10/s, burst 3
  const TimePoint t0{};
  EXPECT_TRUE(bucket.tryTake(t0));
  EXPECT_TRUE(bucket.tryTake(t0));
  EXPECT_TRUE(bucket.tryTake(t0));
  EXPECT_FALSE(bucket.tryTake(t0));
  // One token every 100 ms.
  EXPECT_EQ(std::chrono::duration_cast<milliseconds>(bucket.untilNextToken(t0)), milliseconds(100));
  EXPECT_FALSE(bucket.tryTake(t0 + milliseconds(50)));
  EXPECT_TRUE(bucket.tryTake(t0 + milliseconds(110)));
  EXPECT_FALSE(bucket.tryTake(t0 + milliseconds(110)));
}

TEST(TokenBucket, NeverHoldsMoreThanTheBurst) {
  TokenBucket bucket({100, 5});
  const TimePoint t0{};
  bucket.tryTake(t0);
  EXPECT_DOUBLE_EQ(bucket.tokens(t0 + std::chrono::seconds(60)), 5.0);
}

TEST(TokenBucket, OverASecondLetsThroughAboutTheRatePlusTheBurst) {
  TokenBucket bucket({20, 10});
  const TimePoint t0{};
  int passed = 0;
  for (int ms = 0; ms < 1000; ++ms) passed += bucket.tryTake(t0 + milliseconds(ms)) ? 1 : 0;
  EXPECT_GE(passed, 29);
  EXPECT_LE(passed, 30);
}

TEST(RetryAfter, WholeSecondsAtLeastOne) {
  EXPECT_EQ(retryAfterSeconds(milliseconds(0)), 1);
  EXPECT_EQ(retryAfterSeconds(milliseconds(20)), 1);
  EXPECT_EQ(retryAfterSeconds(milliseconds(1001)), 2);
}

TEST(RetryAfter, ParsesDeltaSecondsOnly) {
  EXPECT_EQ(parseRetryAfter("2"), milliseconds(2000));
  EXPECT_EQ(parseRetryAfter(" 0 "), milliseconds(0));
  EXPECT_FALSE(parseRetryAfter("").has_value());
  EXPECT_FALSE(parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT").has_value());
  EXPECT_FALSE(parseRetryAfter("-1").has_value());
  EXPECT_FALSE(parseRetryAfter("1.5").has_value());
}

}  // namespace
}  // namespace faultline
