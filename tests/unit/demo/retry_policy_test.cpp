#include "retry_policy.h"

#include <gtest/gtest.h>

namespace faultline {
namespace {

using std::chrono::seconds;

RetryPolicy policy(uint32_t attempts = 3) { return RetryPolicy({attempts, {Millis{100}, Millis{1000}}}); }

TEST(RetryPolicy, ConnectErrorsTimeoutsAndGatewayStatusesAreRetryable) {
  EXPECT_TRUE(RetryPolicy::isRetryable(AttemptOutcome::connectError()));
  EXPECT_TRUE(RetryPolicy::isRetryable(AttemptOutcome::timeout()));
  EXPECT_TRUE(RetryPolicy::isRetryable(AttemptOutcome::response(502)));
  EXPECT_TRUE(RetryPolicy::isRetryable(AttemptOutcome::response(503)));
  EXPECT_TRUE(RetryPolicy::isRetryable(AttemptOutcome::response(504)));
  EXPECT_TRUE(RetryPolicy::isRetryable(AttemptOutcome::reset()));
  EXPECT_TRUE(RetryPolicy::isRetryable(AttemptOutcome::response(429)));
}

TEST(RetryPolicy, A429IsNotASuccess) {
  EXPECT_FALSE(AttemptOutcome::response(429).succeeded());
  EXPECT_TRUE(AttemptOutcome::response(404).succeeded());
}

// A rate-limited partner is up: its 429s must not open the breaker, its 503s, resets and
// timeouts must.
TEST(RetryPolicy, OnlyA429IsLeftOutOfTheBreakersCount) {
  EXPECT_FALSE(AttemptOutcome::response(429, Millis{1000}).countsForBreaker());
  EXPECT_TRUE(AttemptOutcome::response(503).countsForBreaker());
  EXPECT_TRUE(AttemptOutcome::response(200).countsForBreaker());
  EXPECT_TRUE(AttemptOutcome::reset().countsForBreaker());
  EXPECT_TRUE(AttemptOutcome::timeout().countsForBreaker());
  EXPECT_TRUE(AttemptOutcome::connectError().countsForBreaker());
}

TEST(RetryPolicy, RetryAfterWithinTheDeadlineIsHonouredExactly) {
  Random random(1);
  const auto d = policy().decide(1, AttemptOutcome::response(429, Millis{1000}), seconds(2), random);
  EXPECT_EQ(d.verdict, RetryPolicy::Verdict::kRetry);
  EXPECT_EQ(d.delay, Millis{1000});
}

TEST(RetryPolicy, RetryAfterBeyondTheDeadlineFallsBackAtOnce) {
  Random random(1);
  const auto d = policy().decide(1, AttemptOutcome::response(503, Millis{3000}), seconds(2), random);
  EXPECT_EQ(d.verdict, RetryPolicy::Verdict::kRetryAfterBeyondDeadline);
  EXPECT_EQ(toString(d.verdict), "retry_after_beyond_deadline");
}

TEST(RetryPolicy, OtherStatusesAndUnknownErrorsAreNotRetryable) {
  EXPECT_FALSE(RetryPolicy::isRetryable(AttemptOutcome::response(500)));
  EXPECT_FALSE(RetryPolicy::isRetryable(AttemptOutcome::response(501)));
  EXPECT_FALSE(RetryPolicy::isRetryable(AttemptOutcome::response(404)));
  EXPECT_FALSE(RetryPolicy::isRetryable(AttemptOutcome::otherError()));
}

TEST(RetryPolicy, SuccessIsNeverRetried) {
  Random random(1);
  EXPECT_EQ(policy().decide(1, AttemptOutcome::response(200), seconds(5), random).verdict,
            RetryPolicy::Verdict::kSucceeded);
}

TEST(RetryPolicy, RetryableFailureIsRetriedWithABackoffWithinTheFirstCeiling) {
  Random random(3);
  for (int i = 0; i < 200; ++i) {
    const auto d = policy().decide(1, AttemptOutcome::response(503), seconds(5), random);
    ASSERT_EQ(d.verdict, RetryPolicy::Verdict::kRetry);
    ASSERT_LE(d.delay, Millis{100});
  }
}

TEST(RetryPolicy, SecondRetryUsesTheDoubledCeiling) {
  Random random(3);
  Millis highest{0};
  for (int i = 0; i < 500; ++i) {
    const auto d = policy().decide(2, AttemptOutcome::timeout(), seconds(5), random);
    ASSERT_EQ(d.verdict, RetryPolicy::Verdict::kRetry);
    ASSERT_LE(d.delay, Millis{200});
    highest = std::max(highest, d.delay);
  }
  EXPECT_GT(highest, Millis{100});
}

TEST(RetryPolicy, StopsAfterMaxAttempts) {
  Random random(1);
  EXPECT_EQ(policy(3).decide(3, AttemptOutcome::connectError(), seconds(5), random).verdict,
            RetryPolicy::Verdict::kAttemptsExhausted);
}

TEST(RetryPolicy, NonRetryableFailureIsReportedAsSuch) {
  Random random(1);
  EXPECT_EQ(policy().decide(1, AttemptOutcome::response(500), seconds(5), random).verdict,
            RetryPolicy::Verdict::kNotRetryable);
}

TEST(RetryPolicy, GivesUpWhenTheBackoffWouldOutlastTheDeadline) {
  Random random(1);
  EXPECT_EQ(policy().decide(1, AttemptOutcome::timeout(), Duration{0}, random).verdict,
            RetryPolicy::Verdict::kNoTimeLeft);
}

}  // namespace
}  // namespace faultline
