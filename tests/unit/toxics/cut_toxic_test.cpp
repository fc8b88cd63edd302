#include "toxics/cut_toxic.h"

#include <gtest/gtest.h>

#include <string>

#include "support/fake_toxic_context.h"

namespace faultline {
namespace {

using std::chrono::milliseconds;

CutToxic cutAfterMs(int64_t ms, CutMode mode = CutMode::kReset) {
  return CutToxic({milliseconds(ms), 0, mode});
}
CutToxic cutAfterBytes(uint64_t bytes, CutMode mode = CutMode::kReset) {
  return CutToxic({milliseconds(0), bytes, mode});
}

TEST(CutToxic, ParsesTheThreeModes) {
  EXPECT_EQ(parseCutMode("reset"), CutMode::kReset);
  EXPECT_EQ(parseCutMode("close"), CutMode::kClose);
  EXPECT_EQ(parseCutMode("hang"), CutMode::kHang);
  EXPECT_FALSE(parseCutMode("RESET"));
  EXPECT_FALSE(parseCutMode("drop"));
  EXPECT_EQ(CutToxic::Params{}.mode, CutMode::kReset);
}

TEST(CutToxic, ResetsTheConnectionAfterMsWhileDataFlows) {
  FakeToxicContext ctx;
  auto toxic = cutAfterMs(500);
  toxic.onAttach(ctx);
  for (int i = 0; i < 49; ++i) {
    ctx.push(toxic, "tick");
    ctx.advance(milliseconds(10));
  }
  EXPECT_FALSE(ctx.closeMode());
  EXPECT_EQ(ctx.forwardedSize(), 49u * 4);
  ctx.advance(milliseconds(10));
  EXPECT_EQ(ctx.closeMode(), CloseMode::kReset);
  EXPECT_EQ(ctx.closedAt(), FakeToxicContext::epoch() + milliseconds(500));
  ctx.push(toxic, "late");
  EXPECT_EQ(ctx.forwardedSize(), 49u * 4);  // nothing passes the cut
}

// Issue 14: after_ms counts "since the connection opened", also for a cut added to a live
// connection: the rest of the time, or at once when that moment has already passed.
TEST(CutToxic, AddedLiveCountsFromTheConnectionsOpening) {
  FakeToxicContext ctx;
  ctx.setConnectionOpenedAt(FakeToxicContext::epoch());
  ctx.advance(milliseconds(300));  // the connection has been open 300 ms when the toxic comes
  auto toxic = cutAfterMs(500);
  toxic.onAttach(ctx);
  ctx.advance(milliseconds(199));
  EXPECT_FALSE(ctx.closeMode());
  ctx.advance(milliseconds(1));
  EXPECT_EQ(ctx.closeMode(), CloseMode::kReset);
  EXPECT_EQ(ctx.closedAt(), FakeToxicContext::epoch() + milliseconds(500));
}

TEST(CutToxic, AddedLiveAfterItsMomentCutsAtOnce) {
  FakeToxicContext ctx;
  ctx.setConnectionOpenedAt(FakeToxicContext::epoch());
  ctx.advance(milliseconds(2000));
  auto toxic = cutAfterMs(500, CutMode::kHang);
  toxic.onAttach(ctx);
  ctx.advance(milliseconds(0));  // the next loop turn
  EXPECT_TRUE(toxic.isCut());
  ctx.push(toxic, "held");
  EXPECT_EQ(ctx.forwardedSize(), 0u);
  EXPECT_EQ(toxic.bufferedBytes(), 4u);
}

TEST(CutToxic, CountsEachCutByModeForMetrics) {
  FakeToxicContext ctx;
  auto by_time = cutAfterMs(10, CutMode::kClose);
  by_time.onAttach(ctx);
  ctx.advance(milliseconds(10));
  auto by_bytes = cutAfterBytes(2, CutMode::kHang);
  by_bytes.onAttach(ctx);
  ctx.push(by_bytes, "abc");
  ctx.push(by_bytes, "d");  // already cut: not counted again
  EXPECT_EQ(ctx.toxicCounters().cuts.at("close"), 1u);
  EXPECT_EQ(ctx.toxicCounters().cuts.at("hang"), 1u);
  EXPECT_EQ(ctx.toxicCounters().cuts.count("reset"), 0u);
}

TEST(CutToxic, CloseModeEndsGracefully) {
  FakeToxicContext ctx;
  auto toxic = cutAfterMs(100, CutMode::kClose);
  toxic.onAttach(ctx);
  ctx.advance(milliseconds(100));
  EXPECT_EQ(ctx.closeMode(), CloseMode::kGraceful);
  EXPECT_EQ(ctx.closeCount(), 1);
}

TEST(CutToxic, AfterBytesPassesExactlyThatManyBytesThenResets) {
  FakeToxicContext ctx;
  auto toxic = cutAfterBytes(10);
  toxic.onAttach(ctx);
  EXPECT_EQ(ctx.pendingTimers(), 0u);  // a byte limit alone does not arm the clock
  ctx.push(toxic, "0123");
  ctx.push(toxic, "456789abc");
  ctx.push(toxic, "def");
  EXPECT_EQ(ctx.forwardedBytes(), "0123456789");
  EXPECT_FALSE(ctx.closeMode());  // never inside onChunk
  ctx.advance(Duration::zero());
  EXPECT_EQ(ctx.closeMode(), CloseMode::kReset);
  EXPECT_EQ(ctx.closeCount(), 1);
}

TEST(CutToxic, AfterBytesOnAChunkBoundaryCutsAtOnce) {
  FakeToxicContext ctx;
  auto toxic = cutAfterBytes(4, CutMode::kClose);
  toxic.onAttach(ctx);
  ctx.push(toxic, "abcd");
  ctx.advance(Duration::zero());
  EXPECT_EQ(ctx.forwardedBytes(), "abcd");
  EXPECT_EQ(ctx.closeMode(), CloseMode::kGraceful);
}

TEST(CutToxic, WhicheverLimitComesFirstCuts) {
  FakeToxicContext time_first;
  CutToxic by_time({milliseconds(50), 1000, CutMode::kReset});
  by_time.onAttach(time_first);
  time_first.push(by_time, "small");
  time_first.advance(milliseconds(50));
  EXPECT_EQ(time_first.closedAt(), FakeToxicContext::epoch() + milliseconds(50));

  FakeToxicContext bytes_first;
  CutToxic by_bytes({milliseconds(50), 3, CutMode::kReset});
  by_bytes.onAttach(bytes_first);
  bytes_first.push(by_bytes, "abcdef");
  bytes_first.advance(milliseconds(100));
  EXPECT_EQ(bytes_first.forwardedBytes(), "abc");
  EXPECT_EQ(bytes_first.closedAt(), FakeToxicContext::epoch());
  EXPECT_EQ(bytes_first.closeCount(), 1);  // the timer was cancelled
}

TEST(CutToxic, NoLimitAtAllCutsAtOnce) {
  FakeToxicContext ctx;
  CutToxic toxic({});
  toxic.onAttach(ctx);
  ctx.advance(Duration::zero());
  EXPECT_EQ(ctx.closeMode(), CloseMode::kReset);
}

TEST(CutToxic, HangMovesNothingClosesNothingAndHoldsWhatArrives) {
  FakeToxicContext ctx;
  auto toxic = cutAfterBytes(3, CutMode::kHang);
  toxic.onAttach(ctx);
  ctx.push(toxic, "abcdef");
  ctx.push(toxic, "ghi");
  toxic.onEnd(ctx);
  ctx.advance(std::chrono::hours(1));
  EXPECT_EQ(ctx.forwardedBytes(), "abc");
  EXPECT_FALSE(ctx.closeMode());
  EXPECT_FALSE(ctx.ended());
  EXPECT_TRUE(toxic.isCut());
  // Held bytes count for backpressure, so the sender stops as it would against a dead peer.
  EXPECT_EQ(toxic.bufferedBytes(), 6u);
}

TEST(CutToxic, RemovingAHangPlugsTheCableBackIn) {
  FakeToxicContext ctx;
  auto toxic = cutAfterMs(10, CutMode::kHang);
  toxic.onAttach(ctx);
  ctx.push(toxic, "before");
  ctx.advance(milliseconds(10));
  ctx.push(toxic, "after");
  toxic.onEnd(ctx);
  DrainedStage drained = toxic.drain();
  ASSERT_EQ(drained.chunks.size(), 1u);
  EXPECT_EQ(std::string(drained.chunks[0].data(), drained.chunks[0].size()), "after");
  EXPECT_TRUE(drained.ended);
  EXPECT_EQ(toxic.bufferedBytes(), 0u);
}

TEST(CutToxic, EndBeforeTheCutPassesThrough) {
  FakeToxicContext ctx;
  auto toxic = cutAfterMs(1000);
  toxic.onAttach(ctx);
  ctx.push(toxic, "bye");
  toxic.onEnd(ctx);
  EXPECT_EQ(ctx.endCount(), 1);
  EXPECT_EQ(ctx.forwardedBytes(), "bye");
  EXPECT_FALSE(toxic.drain().ended);
}

TEST(CutToxic, CreateReadsTheLimitsFromTheSpec) {
  ToxicSpec spec;
  spec.type = "cut";
  spec.attributes = {{"after_ms", 0}, {"after_bytes", 2}};
  auto toxic = CutToxic::create(spec);
  FakeToxicContext ctx;
  toxic->onAttach(ctx);
  ctx.push(*toxic, "xyz");
  ctx.advance(Duration::zero());
  EXPECT_EQ(ctx.forwardedBytes(), "xy");
  EXPECT_EQ(ctx.closeMode(), CloseMode::kReset);
}

}  // namespace
}  // namespace faultline
