#include "outcome_window.h"

#include <gtest/gtest.h>

namespace faultline {
namespace {

using std::chrono::seconds;
const TimePoint kStart = TimePoint{} + std::chrono::hours(1);

TEST(OutcomeWindow, CountWindowKeepsOnlyTheLastNCalls) {
  OutcomeWindow w({OutcomeWindow::Kind::kCount, 3, seconds(10), 10});
  w.record(true, kStart);
  w.record(true, kStart);
  w.record(false, kStart);
  EXPECT_EQ(w.calls(kStart), 3u);
  EXPECT_EQ(w.failures(kStart), 2u);
  w.record(false, kStart);  // pushes out the first failure
  EXPECT_EQ(w.calls(kStart), 3u);
  EXPECT_EQ(w.failures(kStart), 1u);
}

TEST(OutcomeWindow, CountWindowIgnoresTime) {
  OutcomeWindow w({OutcomeWindow::Kind::kCount, 3, seconds(10), 10});
  w.record(true, kStart);
  EXPECT_EQ(w.failures(kStart + std::chrono::hours(5)), 1u);
}

TEST(OutcomeWindow, TimeWindowDropsCallsOlderThanItsDuration) {
  OutcomeWindow w({OutcomeWindow::Kind::kTime, 0, seconds(10), 10});
  w.record(true, kStart);
  w.record(false, kStart + seconds(4));
  EXPECT_EQ(w.calls(kStart + seconds(9)), 2u);
  EXPECT_EQ(w.failures(kStart + seconds(10)), 0u);
  EXPECT_EQ(w.calls(kStart + seconds(10)), 1u);
  EXPECT_EQ(w.calls(kStart + seconds(14)), 0u);
}

TEST(OutcomeWindow, ResetForgetsEverything) {
  OutcomeWindow w({OutcomeWindow::Kind::kCount, 3, seconds(10), 10});
  w.record(true, kStart);
  w.reset();
  EXPECT_EQ(w.calls(kStart), 0u);
  EXPECT_EQ(w.failures(kStart), 0u);
}

}  // namespace
}  // namespace faultline
