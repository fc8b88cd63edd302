#include "rate_meter.h"

#include <gtest/gtest.h>

namespace faultline {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(RateMeter, CountsTheLastCompleteSecond) {
  RateMeter meter;
  const TimePoint t0{seconds(100)};
  for (int i = 0; i < 30; ++i) meter.record(t0 + milliseconds(i * 30));  // 30 within second 100
  EXPECT_EQ(meter.perSecond(t0 + milliseconds(999)), 0u);  // second 100 is not complete yet
  EXPECT_EQ(meter.perSecond(t0 + milliseconds(1500)), 30u);
  meter.record(t0 + milliseconds(1600));
  EXPECT_EQ(meter.perSecond(t0 + milliseconds(1700)), 30u);
  EXPECT_EQ(meter.perSecond(t0 + milliseconds(2100)), 1u);
  // A quiet second reads as 0, not as an old count.
  EXPECT_EQ(meter.perSecond(t0 + milliseconds(3100)), 0u);
  EXPECT_EQ(meter.perSecond(t0 + seconds(10)), 0u);
}

}  // namespace
}  // namespace faultline
