#include "retry_budget.h"

#include <gtest/gtest.h>

namespace faultline {
namespace {

using std::chrono::seconds;

const TimePoint kStart = TimePoint{} + std::chrono::hours(1);

RetryBudget budget(uint32_t percent = 20, uint32_t min_retries = 0) {
  return RetryBudget({seconds(10), percent, min_retries, 10});
}

TEST(RetryBudget, AllowsRetriesUpToTheRatioOfRequests) {
  RetryBudget b = budget(20, 0);
  for (int i = 0; i < 10; ++i) b.recordRequest(kStart);
  EXPECT_TRUE(b.tryAcquireRetry(kStart));
  EXPECT_TRUE(b.tryAcquireRetry(kStart));
  EXPECT_FALSE(b.tryAcquireRetry(kStart));
  EXPECT_EQ(b.retries(kStart), 2u);
}

TEST(RetryBudget, DeniesRetriesWithoutRequestsWhenThereIsNoFloor) {
  RetryBudget b = budget(20, 0);
  EXPECT_FALSE(b.tryAcquireRetry(kStart));
}

TEST(RetryBudget, TheFloorAllowsAFewRetriesAtLowTraffic) {
  RetryBudget b = budget(20, 3);
  b.recordRequest(kStart);
  EXPECT_TRUE(b.tryAcquireRetry(kStart));
  EXPECT_TRUE(b.tryAcquireRetry(kStart));
  EXPECT_TRUE(b.tryAcquireRetry(kStart));
  EXPECT_FALSE(b.tryAcquireRetry(kStart));
}

TEST(RetryBudget, DeniedRetriesAreNotCounted) {
  RetryBudget b = budget(20, 0);
  for (int i = 0; i < 5; ++i) b.recordRequest(kStart);
  EXPECT_TRUE(b.tryAcquireRetry(kStart));
  EXPECT_FALSE(b.tryAcquireRetry(kStart));
  EXPECT_FALSE(b.tryAcquireRetry(kStart));
  EXPECT_EQ(b.retries(kStart), 1u);
}

TEST(RetryBudget, OldRequestsAndRetriesLeaveTheWindow) {
  RetryBudget b = budget(20, 0);
  for (int i = 0; i < 10; ++i) b.recordRequest(kStart);
  EXPECT_TRUE(b.tryAcquireRetry(kStart));
  EXPECT_TRUE(b.tryAcquireRetry(kStart));
  const TimePoint later = kStart + seconds(11);
  EXPECT_EQ(b.requests(later), 0u);
  EXPECT_EQ(b.retries(later), 0u);
  EXPECT_FALSE(b.tryAcquireRetry(later));
  for (int i = 0; i < 5; ++i) b.recordRequest(later);
  EXPECT_TRUE(b.tryAcquireRetry(later));
}

TEST(RetryBudget, TheWindowSlidesInSteps) {
  RetryBudget b = budget(100, 0);
  b.recordRequest(kStart);
  b.recordRequest(kStart + seconds(5));
  EXPECT_EQ(b.requests(kStart + seconds(9)), 2u);
  EXPECT_EQ(b.requests(kStart + seconds(10)), 1u);  // the first bucket has slid out
  EXPECT_EQ(b.requests(kStart + seconds(15)), 0u);
}

}  // namespace
}  // namespace faultline
