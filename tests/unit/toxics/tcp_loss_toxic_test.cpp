#include "toxics/tcp_loss_toxic.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "support/fake_toxic_context.h"

namespace faultline {
namespace {

using std::chrono::milliseconds;

TcpLossToxic loss(int64_t percent, int64_t rto_ms = 200, int64_t burst = 1) {
  return TcpLossToxic({percent, milliseconds(rto_ms), burst});
}

TEST(TcpLossToxic, ZeroPercentPassesEverythingAtOnce) {
  FakeToxicContext ctx;
  auto toxic = loss(0);
  for (int i = 0; i < 1000; ++i) ctx.push(toxic, "x");
  EXPECT_EQ(ctx.forwardedSize(), 1000u);
  EXPECT_EQ(ctx.pendingTimers(), 0u);
  EXPECT_EQ(toxic.stalls(), 0u);
}

TEST(TcpLossToxic, ALostChunkAndEverythingBehindItWaitForTheRto) {
  FakeToxicContext ctx;
  auto toxic = loss(100, 200);
  ctx.push(toxic, "lost");
  ctx.advance(milliseconds(50));
  EXPECT_TRUE(ctx.forwarded().empty());
  EXPECT_EQ(toxic.bufferedBytes(), 4u);
  ctx.advance(milliseconds(150));
  ASSERT_EQ(ctx.forwarded().size(), 1u);
  EXPECT_EQ(ctx.forwardedAt()[0], FakeToxicContext::epoch() + milliseconds(200));
}

TEST(TcpLossToxic, CountsEachStallAndItsTimeForMetrics) {
  FakeToxicContext ctx;
  auto toxic = loss(100, 100);
  ctx.push(toxic, "a");
  ctx.push(toxic, "b");
  ctx.runAllTimers();
  EXPECT_EQ(ctx.toxicCounters().stalls, 2u);
  EXPECT_EQ(ctx.toxicCounters().stalled, milliseconds(200));
  FakeToxicContext clean;
  auto none = loss(0);
  clean.push(none, "x");
  EXPECT_EQ(clean.toxicCounters().stalls, 0u);
}

TEST(TcpLossToxic, StallsQueueUpBehindEachOtherInOrder) {
  FakeToxicContext ctx;
  auto toxic = loss(100, 100);
  ctx.push(toxic, "a");
  ctx.advance(milliseconds(10));
  ctx.push(toxic, "b");  // lost as well: its own stall starts when "a" has gone
  ctx.runAllTimers();
  EXPECT_EQ(ctx.forwardedBytes(), "ab");
  EXPECT_EQ(ctx.forwardedAt()[0], FakeToxicContext::epoch() + milliseconds(100));
  EXPECT_EQ(ctx.forwardedAt()[1], FakeToxicContext::epoch() + milliseconds(200));
}

TEST(TcpLossToxic, ConsecutiveLossesDoubleTheTimeout) {
  // burst 1000: after a loss the retransmission is lost again with probability 0.999, so a
  // burst runs to the cap of kMaxConsecutiveLosses: rto * (2^16 - 1).
  FakeToxicContext ctx(5);
  auto toxic = loss(100, 1, 1000);
  ctx.push(toxic, "burst");
  ctx.runAllTimers();
  ASSERT_EQ(ctx.forwarded().size(), 1u);
  EXPECT_EQ(ctx.forwardedAt()[0] - FakeToxicContext::epoch(), milliseconds(65535));
}

TEST(TcpLossToxic, MeanBurstLengthMatchesTheBurstAttribute) {
  // Each stall lasts rto * (2^k - 1); recover k per stall and average it.
  FakeToxicContext ctx(17);
  auto toxic = loss(100, 1, 3);
  double total_k = 0;
  const int samples = 2000;
  for (int i = 0; i < samples; ++i) {
    const TimePoint sent = ctx.now();
    ctx.push(toxic, "k");
    ctx.runAllTimers();
    const auto stall_ms = std::chrono::duration_cast<milliseconds>(ctx.forwardedAt().back() - sent).count();
    total_k += std::log2(static_cast<double>(stall_ms) + 1.0);
  }
  EXPECT_NEAR(total_k / samples, 3.0, 0.2);
}

TEST(TcpLossToxic, LosesAboutPercentOfChunksAndNeverAByte) {
  FakeToxicContext ctx(23);
  auto toxic = loss(10, 20);
  std::string sent;
  for (int i = 0; i < 5000; ++i) {
    std::string piece = std::to_string(i) + ";";
    sent += piece;
    ctx.push(toxic, piece);
    ctx.advance(milliseconds(1));
  }
  toxic.onEnd(ctx);
  ctx.runAllTimers();
  EXPECT_EQ(ctx.forwardedBytes(), sent);
  EXPECT_TRUE(std::is_sorted(ctx.forwardedAt().begin(), ctx.forwardedAt().end()));
  EXPECT_EQ(ctx.endCount(), 1);
  // Binomial(5000, 0.1): mean 500, sd 21.
  EXPECT_NEAR(static_cast<double>(toxic.stalls()), 500.0, 6 * 21.2);
}

TEST(TcpLossToxic, EndOfStreamWaitsBehindAStall) {
  FakeToxicContext ctx;
  auto toxic = loss(100, 300);
  ctx.push(toxic, "x");
  toxic.onEnd(ctx);
  EXPECT_FALSE(ctx.ended());
  ctx.advance(milliseconds(300));
  EXPECT_TRUE(ctx.ended());
  EXPECT_EQ(ctx.forwardedBytes(), "x");
}

TEST(TcpLossToxic, DrainHandsBackStalledChunksInOrder) {
  FakeToxicContext ctx;
  auto toxic = loss(100, 1000);
  ctx.push(toxic, "one");
  ctx.push(toxic, "two");
  toxic.onEnd(ctx);
  DrainedStage drained = toxic.drain();
  ASSERT_EQ(drained.chunks.size(), 2u);
  EXPECT_EQ(std::string(drained.chunks[0].data(), 3), "one");
  EXPECT_EQ(std::string(drained.chunks[1].data(), 3), "two");
  EXPECT_TRUE(drained.ended);
  EXPECT_EQ(toxic.bufferedBytes(), 0u);
}

TEST(TcpLossToxic, CreateReadsTheSpecWithItsDefaults) {
  ToxicSpec spec;
  spec.type = "tcp_loss";
  spec.attributes = {{"percent", 100}, {"rto_ms", 200}, {"burst", 1}};
  auto toxic = TcpLossToxic::create(spec);
  FakeToxicContext ctx;
  ctx.push(*toxic, "p");
  ctx.advance(milliseconds(199));
  EXPECT_TRUE(ctx.forwarded().empty());
  ctx.advance(milliseconds(1));
  EXPECT_EQ(ctx.forwardedBytes(), "p");
}

}  // namespace
}  // namespace faultline
