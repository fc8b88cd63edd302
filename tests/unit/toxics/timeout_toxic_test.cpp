#include "toxics/timeout_toxic.h"

#include <gtest/gtest.h>

#include "support/fake_toxic_context.h"

namespace faultline {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;

TEST(TimeoutToxic, DropsAllDataWithoutBufferingIt) {
  FakeToxicContext ctx;
  TimeoutToxic toxic({milliseconds(0)});
  toxic.onAttach(ctx);
  ctx.push(toxic, std::string(100000, 'x'));
  EXPECT_TRUE(ctx.forwarded().empty());
  EXPECT_EQ(toxic.bufferedBytes(), 0u);
}

TEST(TimeoutToxic, ZeroTimeoutNeverClosesNorForwardsTheEnd) {
  FakeToxicContext ctx;
  TimeoutToxic toxic({milliseconds(0)});
  toxic.onAttach(ctx);
  ctx.push(toxic, "data");
  toxic.onEnd(ctx);
  ctx.advance(hours(48));
  EXPECT_EQ(ctx.closeCount(), 0);
  EXPECT_FALSE(ctx.ended());
  EXPECT_EQ(ctx.pendingTimers(), 0u);
}

TEST(TimeoutToxic, ClosesGracefullyTimeoutAfterAttaching) {
  FakeToxicContext ctx;
  TimeoutToxic toxic({milliseconds(100)});
  toxic.onAttach(ctx);
  ctx.advance(milliseconds(99));
  EXPECT_EQ(ctx.closeCount(), 0);
  ctx.advance(milliseconds(1));
  EXPECT_EQ(ctx.closeCount(), 1);
  EXPECT_EQ(ctx.closeMode(), CloseMode::kGraceful);
}

TEST(TimeoutToxic, SwallowsTheEndOfStreamWhileWaiting) {
  FakeToxicContext ctx;
  TimeoutToxic toxic({milliseconds(100)});
  toxic.onAttach(ctx);
  toxic.onEnd(ctx);
  EXPECT_FALSE(ctx.ended());
  EXPECT_TRUE(toxic.drain().ended);
}

TEST(TimeoutToxic, RemovingTheToxicClosesTheConnection) {
  FakeToxicContext ctx;
  TimeoutToxic toxic({milliseconds(0)});
  toxic.onAttach(ctx);
  ctx.push(toxic, "held");
  DrainedStage drained = toxic.drain();
  EXPECT_TRUE(drained.chunks.empty());
  toxic.onRemove(ctx);
  EXPECT_EQ(ctx.closeCount(), 1);
  EXPECT_EQ(ctx.closeMode(), CloseMode::kGraceful);
}

TEST(TimeoutToxic, CreateReadsTheTimeoutFromTheSpec) {
  ToxicSpec spec;
  spec.type = "timeout";
  spec.attributes = {{"timeout", 20}};
  auto toxic = TimeoutToxic::create(spec);
  FakeToxicContext ctx;
  toxic->onAttach(ctx);
  ctx.advance(milliseconds(19));
  EXPECT_EQ(ctx.closeCount(), 0);
  ctx.advance(milliseconds(1));
  EXPECT_EQ(ctx.closeCount(), 1);
}

}  // namespace
}  // namespace faultline
