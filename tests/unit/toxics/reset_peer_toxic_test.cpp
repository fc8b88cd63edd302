#include "toxics/reset_peer_toxic.h"

#include <gtest/gtest.h>

#include "support/fake_toxic_context.h"

namespace faultline {
namespace {

using std::chrono::milliseconds;

TEST(ResetPeerToxic, LeavesTheConnectionAloneUntilDataArrives) {
  FakeToxicContext ctx;
  ResetPeerToxic toxic({milliseconds(100)});
  toxic.onAttach(ctx);
  ctx.advance(std::chrono::hours(1));
  EXPECT_EQ(ctx.closeCount(), 0);
  EXPECT_EQ(ctx.pendingTimers(), 0u);
}

TEST(ResetPeerToxic, ResetsTimeoutAfterTheFirstChunkAndDropsIt) {
  FakeToxicContext ctx;
  ResetPeerToxic toxic({milliseconds(100)});
  ctx.advance(milliseconds(5));
  ctx.push(toxic, "first");
  EXPECT_TRUE(ctx.forwarded().empty());
  ctx.advance(milliseconds(99));
  EXPECT_EQ(ctx.closeCount(), 0);
  ctx.advance(milliseconds(1));
  EXPECT_EQ(ctx.closeCount(), 1);
  EXPECT_EQ(ctx.closeMode(), CloseMode::kReset);
  EXPECT_EQ(ctx.closedAt(), FakeToxicContext::epoch() + milliseconds(105));
}

TEST(ResetPeerToxic, ZeroTimeoutResetsOnTheNextTickNotInsideOnChunk) {
  FakeToxicContext ctx;
  ResetPeerToxic toxic({milliseconds(0)});
  ctx.push(toxic, "x");
  EXPECT_EQ(ctx.closeCount(), 0);
  ctx.advance(Duration::zero());
  EXPECT_EQ(ctx.closeCount(), 1);
  EXPECT_EQ(ctx.closeMode(), CloseMode::kReset);
}

TEST(ResetPeerToxic, DropsLaterChunksAndResetsOnlyOnce) {
  FakeToxicContext ctx;
  ResetPeerToxic toxic({milliseconds(10)});
  ctx.push(toxic, "a");
  ctx.advance(milliseconds(5));
  ctx.push(toxic, "b");
  ctx.advance(milliseconds(100));
  ctx.push(toxic, "c");
  ctx.advance(milliseconds(100));
  EXPECT_TRUE(ctx.forwarded().empty());
  EXPECT_EQ(ctx.closeCount(), 1);
}

TEST(ResetPeerToxic, EndOfStreamAlsoStartsTheCountdownAsInToxiproxy) {
  FakeToxicContext ctx;
  ResetPeerToxic toxic({milliseconds(10)});
  toxic.onEnd(ctx);
  EXPECT_FALSE(ctx.ended());
  ctx.advance(milliseconds(10));
  EXPECT_EQ(ctx.closeMode(), CloseMode::kReset);
}

TEST(ResetPeerToxic, DrainHandsOnASwallowedEnd) {
  FakeToxicContext ctx;
  ResetPeerToxic toxic({milliseconds(10)});
  toxic.onEnd(ctx);
  EXPECT_TRUE(toxic.drain().ended);
}

TEST(ResetPeerToxic, CreateReadsTheTimeoutFromTheSpec) {
  ToxicSpec spec;
  spec.type = "reset_peer";
  spec.attributes = {{"timeout", 40}};
  auto toxic = ResetPeerToxic::create(spec);
  FakeToxicContext ctx;
  ctx.push(*toxic, "x");
  ctx.advance(milliseconds(39));
  EXPECT_EQ(ctx.closeCount(), 0);
  ctx.advance(milliseconds(1));
  EXPECT_EQ(ctx.closeCount(), 1);
}

}  // namespace
}  // namespace faultline
