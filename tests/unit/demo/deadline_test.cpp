#include "deadline.h"

#include <gtest/gtest.h>

namespace faultline {
namespace {

const TimePoint kStart = TimePoint{} + std::chrono::hours(1);

TEST(Deadline, RemainingShrinksAndStopsAtZero) {
  Deadline d(kStart, Millis{500});
  EXPECT_EQ(d.remaining(kStart), Millis{500});
  EXPECT_EQ(d.remaining(kStart + Millis{200}), Millis{300});
  EXPECT_EQ(d.remaining(kStart + Millis{900}), Duration{0});
}

TEST(Deadline, ExpiresExactlyAtItsTime) {
  Deadline d(kStart, Millis{500});
  EXPECT_FALSE(d.expired(kStart + Millis{499}));
  EXPECT_TRUE(d.expired(kStart + Millis{500}));
}

TEST(Deadline, AttemptTimeoutIsTheSmallerOfItsCapAndWhatIsLeft) {
  Deadline d(kStart, Millis{500});
  EXPECT_EQ(d.attemptTimeout(kStart, Millis{200}), Millis{200});
  EXPECT_EQ(d.attemptTimeout(kStart + Millis{400}, Millis{200}), Millis{100});
}

}  // namespace
}  // namespace faultline
