#include "support/fake_toxic_context.h"

#include <gtest/gtest.h>

#include <vector>

namespace faultline {
namespace {

using std::chrono::milliseconds;

TEST(FakeToxicContext, StartsAtAFixedEpoch) {
  FakeToxicContext ctx;
  EXPECT_EQ(ctx.now(), FakeToxicContext::epoch());
}

TEST(FakeToxicContext, NeverRunsATimerSynchronously) {
  FakeToxicContext ctx;
  bool fired = false;
  ctx.after(Duration::zero(), [&] { fired = true; });
  EXPECT_FALSE(fired);
  ctx.advance(Duration::zero());
  EXPECT_TRUE(fired);
}

TEST(FakeToxicContext, FiresTimersInDeadlineOrderWithTheClockAtEachDeadline) {
  FakeToxicContext ctx;
  std::vector<std::pair<int, TimePoint>> fired;
  ctx.after(milliseconds(30), [&] { fired.emplace_back(3, ctx.now()); });
  ctx.after(milliseconds(10), [&] { fired.emplace_back(1, ctx.now()); });
  ctx.after(milliseconds(20), [&] { fired.emplace_back(2, ctx.now()); });
  ctx.advance(milliseconds(25));
  ASSERT_EQ(fired.size(), 2u);
  EXPECT_EQ(fired[0], std::make_pair(1, FakeToxicContext::epoch() + milliseconds(10)));
  EXPECT_EQ(fired[1], std::make_pair(2, FakeToxicContext::epoch() + milliseconds(20)));
  EXPECT_EQ(ctx.now(), FakeToxicContext::epoch() + milliseconds(25));
  EXPECT_EQ(ctx.pendingTimers(), 1u);
}

TEST(FakeToxicContext, FiresTimersScheduledByTimersWithinTheSameWindow) {
  FakeToxicContext ctx;
  int fired = 0;
  ctx.after(milliseconds(10), [&] {
    ++fired;
    ctx.after(milliseconds(10), [&] { ++fired; });
    ctx.after(milliseconds(100), [&] { ++fired; });
  });
  ctx.advance(milliseconds(20));
  EXPECT_EQ(fired, 2);
  EXPECT_EQ(ctx.pendingTimers(), 1u);
}

TEST(FakeToxicContext, CancelledTimersNeverFire) {
  FakeToxicContext ctx;
  bool fired = false;
  TimerId id = ctx.after(milliseconds(5), [&] { fired = true; });
  ctx.cancel(id);
  ctx.advance(milliseconds(10));
  EXPECT_FALSE(fired);
  EXPECT_EQ(ctx.pendingTimers(), 0u);
}

TEST(FakeToxicContext, RecordsForwardsEndsAndCloses) {
  FakeToxicContext ctx;
  ctx.forward(ctx.makeChunk("ab"));
  ctx.forward(ctx.makeChunk("c"));
  ctx.forwardEnd();
  ctx.closeLink(CloseMode::kReset);
  ctx.closeLink(CloseMode::kGraceful);
  EXPECT_EQ(ctx.forwardedBytes(), "abc");
  EXPECT_EQ(ctx.forwardedSize(), 3u);
  EXPECT_EQ(ctx.endCount(), 1);
  EXPECT_EQ(ctx.closeMode(), CloseMode::kReset);
  EXPECT_EQ(ctx.closeCount(), 2);
}

TEST(FakeToxicContext, SameSeedGivesSameRandomSequence) {
  FakeToxicContext a(123);
  FakeToxicContext b(123);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(a.random().below(1000000), b.random().below(1000000));
}

}  // namespace
}  // namespace faultline
