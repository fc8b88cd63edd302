#include "circuit_breaker.h"

#include <gtest/gtest.h>

namespace faultline {
namespace {

using std::chrono::seconds;
using State = CircuitBreaker::State;

const TimePoint kStart = TimePoint{} + std::chrono::hours(1);

CircuitBreaker::Params params() {
  CircuitBreaker::Params p;
  p.window = {OutcomeWindow::Kind::kCount, 10, seconds(10), 10};
  p.failure_rate_percent = 50;
  p.minimum_calls = 4;
  p.open_duration = seconds(5);
  p.half_open_probes = 2;
  return p;
}

void fail(CircuitBreaker& b, TimePoint now) {
  auto permit = b.tryAcquire(now);
  ASSERT_TRUE(permit.has_value());
  b.onFailure(*permit, now);
}
void succeed(CircuitBreaker& b, TimePoint now) {
  auto permit = b.tryAcquire(now);
  ASSERT_TRUE(permit.has_value());
  b.onSuccess(*permit, now);
}
void openIt(CircuitBreaker& b, TimePoint now) {
  for (int i = 0; i < 4; ++i) fail(b, now);
  ASSERT_EQ(b.state(now), State::kOpen);
}

TEST(CircuitBreaker, StartsClosedAndLetsCallsThrough) {
  CircuitBreaker b(params());
  EXPECT_EQ(b.state(kStart), State::kClosed);
  EXPECT_TRUE(b.tryAcquire(kStart).has_value());
}

TEST(CircuitBreaker, StaysClosedBelowTheMinimumNumberOfCalls) {
  CircuitBreaker b(params());
  for (int i = 0; i < 3; ++i) fail(b, kStart);  // 100% failures, but only 3 < 4 calls
  EXPECT_EQ(b.state(kStart), State::kClosed);
}

TEST(CircuitBreaker, OpensWhenTheFailureRateReachesTheThreshold) {
  CircuitBreaker b(params());
  succeed(b, kStart);
  succeed(b, kStart);
  fail(b, kStart);
  EXPECT_EQ(b.state(kStart), State::kClosed);
  fail(b, kStart);  // 2 of 4 = 50%
  EXPECT_EQ(b.state(kStart), State::kOpen);
}

TEST(CircuitBreaker, StaysClosedBelowTheThreshold) {
  CircuitBreaker b(params());
  for (int i = 0; i < 7; ++i) succeed(b, kStart);
  for (int i = 0; i < 3; ++i) fail(b, kStart);  // 30%
  EXPECT_EQ(b.state(kStart), State::kClosed);
}

TEST(CircuitBreaker, OpenBreakerRefusesCalls) {
  CircuitBreaker b(params());
  openIt(b, kStart);
  EXPECT_FALSE(b.tryAcquire(kStart + seconds(4)).has_value());
}

TEST(CircuitBreaker, BecomesHalfOpenAfterTheOpenDuration) {
  CircuitBreaker b(params());
  openIt(b, kStart);
  EXPECT_EQ(b.state(kStart + seconds(5) - Millis{1}), State::kOpen);
  EXPECT_EQ(b.state(kStart + seconds(5)), State::kHalfOpen);
}

TEST(CircuitBreaker, HalfOpenLetsThroughOnlyTheProbeLimit) {
  CircuitBreaker b(params());
  openIt(b, kStart);
  const TimePoint t = kStart + seconds(5);
  auto p1 = b.tryAcquire(t);
  auto p2 = b.tryAcquire(t);
  auto p3 = b.tryAcquire(t);
  ASSERT_TRUE(p1.has_value());
  ASSERT_TRUE(p2.has_value());
  EXPECT_TRUE(p1->probe);
  EXPECT_FALSE(p3.has_value());
}

TEST(CircuitBreaker, ClosesAfterEnoughSuccessfulProbes) {
  CircuitBreaker b(params());
  openIt(b, kStart);
  const TimePoint t = kStart + seconds(5);
  succeed(b, t);
  EXPECT_EQ(b.state(t), State::kHalfOpen);
  succeed(b, t);
  EXPECT_EQ(b.state(t), State::kClosed);
}

TEST(CircuitBreaker, ClosingStartsWithAFreshWindow) {
  CircuitBreaker b(params());
  openIt(b, kStart);
  const TimePoint t = kStart + seconds(5);
  succeed(b, t);
  succeed(b, t);
  fail(b, t);  // one failure after closing is below minimum_calls, whatever happened before
  EXPECT_EQ(b.state(t), State::kClosed);
}

TEST(CircuitBreaker, AFailedProbeReopensTheBreaker) {
  CircuitBreaker b(params());
  openIt(b, kStart);
  const TimePoint t = kStart + seconds(5);
  succeed(b, t);
  fail(b, t);
  EXPECT_EQ(b.state(t), State::kOpen);
  EXPECT_FALSE(b.tryAcquire(t + seconds(4)).has_value());
  EXPECT_EQ(b.state(t + seconds(5)), State::kHalfOpen);
}

TEST(CircuitBreaker, GoesThroughTheWholeCycle) {
  CircuitBreaker b(params());
  openIt(b, kStart);                                      // closed -> open
  EXPECT_EQ(b.state(kStart + seconds(5)), State::kHalfOpen);  // open -> half-open
  succeed(b, kStart + seconds(5));
  succeed(b, kStart + seconds(5));
  EXPECT_EQ(b.state(kStart + seconds(5)), State::kClosed);  // half-open -> closed
  EXPECT_EQ(b.transitions(), 3u);
}

TEST(CircuitBreaker, AReleasedProbeFreesItsSlot) {
  CircuitBreaker b(params());
  openIt(b, kStart);
  const TimePoint t = kStart + seconds(5);
  auto p1 = b.tryAcquire(t);
  auto p2 = b.tryAcquire(t);
  ASSERT_TRUE(p1 && p2);
  EXPECT_FALSE(b.tryAcquire(t).has_value());
  b.release(*p1);
  EXPECT_TRUE(b.tryAcquire(t).has_value());
}

TEST(CircuitBreaker, ResultsOfCallsFromAnEarlierStateAreIgnored) {
  CircuitBreaker b(params());
  auto slow = b.tryAcquire(kStart);  // started while closed
  ASSERT_TRUE(slow.has_value());
  openIt(b, kStart);
  const TimePoint t = kStart + seconds(5);
  auto probe = b.tryAcquire(t);
  ASSERT_TRUE(probe.has_value());
  b.onSuccess(*slow, t);  // must not count as a probe
  b.onSuccess(*probe, t);
  EXPECT_EQ(b.state(t), State::kHalfOpen);
}

TEST(CircuitBreaker, TimeBasedWindowForgetsOldFailures) {
  CircuitBreaker::Params p = params();
  p.window = {OutcomeWindow::Kind::kTime, 100, seconds(10), 10};
  CircuitBreaker b(p);
  for (int i = 0; i < 3; ++i) fail(b, kStart);
  fail(b, kStart + seconds(11));  // the first three have left the window: 1 call < minimum
  EXPECT_EQ(b.state(kStart + seconds(11)), State::kClosed);
  for (int i = 0; i < 3; ++i) fail(b, kStart + seconds(12));
  EXPECT_EQ(b.state(kStart + seconds(12)), State::kOpen);
}

}  // namespace
}  // namespace faultline
