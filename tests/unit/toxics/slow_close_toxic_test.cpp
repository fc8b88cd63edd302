#include "toxics/slow_close_toxic.h"

#include <gtest/gtest.h>

#include "support/fake_toxic_context.h"

namespace faultline {
namespace {

using std::chrono::milliseconds;

TEST(SlowCloseToxic, PassesDataThroughImmediately) {
  FakeToxicContext ctx;
  SlowCloseToxic toxic({milliseconds(500)});
  ctx.push(toxic, "now");
  EXPECT_EQ(ctx.forwardedBytes(), "now");
  EXPECT_EQ(ctx.pendingTimers(), 0u);
}

TEST(SlowCloseToxic, ForwardsEndOfStreamAfterTheDelay) {
  FakeToxicContext ctx;
  SlowCloseToxic toxic({milliseconds(100)});
  toxic.onEnd(ctx);
  ctx.advance(milliseconds(99));
  EXPECT_FALSE(ctx.ended());
  ctx.advance(milliseconds(1));
  EXPECT_EQ(ctx.endCount(), 1);
  EXPECT_EQ(ctx.endedAt(), FakeToxicContext::epoch() + milliseconds(100));
}

TEST(SlowCloseToxic, ZeroDelayForwardsEndAtOnce) {
  FakeToxicContext ctx;
  SlowCloseToxic toxic({milliseconds(0)});
  toxic.onEnd(ctx);
  EXPECT_EQ(ctx.endCount(), 1);
}

TEST(SlowCloseToxic, DrainHandsOnAnEndStillWaiting) {
  FakeToxicContext ctx;
  SlowCloseToxic toxic({milliseconds(100)});
  toxic.onEnd(ctx);
  ctx.advance(milliseconds(50));
  EXPECT_TRUE(toxic.drain().ended);
}

TEST(SlowCloseToxic, DrainAfterTheEndWasForwardedReportsNoEnd) {
  FakeToxicContext ctx;
  SlowCloseToxic toxic({milliseconds(100)});
  toxic.onEnd(ctx);
  ctx.advance(milliseconds(100));
  EXPECT_FALSE(toxic.drain().ended);
}

TEST(SlowCloseToxic, CreateReadsTheDelayFromTheSpec) {
  ToxicSpec spec;
  spec.type = "slow_close";
  spec.attributes = {{"delay", 30}};
  auto toxic = SlowCloseToxic::create(spec);
  FakeToxicContext ctx;
  toxic->onEnd(ctx);
  ctx.advance(milliseconds(29));
  EXPECT_FALSE(ctx.ended());
  ctx.advance(milliseconds(1));
  EXPECT_TRUE(ctx.ended());
}

}  // namespace
}  // namespace faultline
