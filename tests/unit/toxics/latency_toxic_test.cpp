#include "toxics/latency_toxic.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "support/fake_toxic_context.h"

namespace faultline {
namespace {

using std::chrono::milliseconds;

LatencyToxic makeLatency(int64_t latency_ms, int64_t jitter_ms = 0) {
  return LatencyToxic(LatencyToxic::Params{milliseconds(latency_ms), milliseconds(jitter_ms)});
}

// A context for the first of two stacked stages: timers, time and randomness are the shared
// fake's, forward() hands the chunk to the next stage stamped with its arrival there, as the
// link does.
class ForwardingContext : public ToxicContext {
 public:
  ForwardingContext(FakeToxicContext& fake, Toxic& next) : fake_(fake), next_(next) {}
  void forward(Chunk chunk) override {
    chunk.setArrivedAt(fake_.now());
    next_.onChunk(std::move(chunk), fake_);
  }
  void forwardEnd() override { next_.onEnd(fake_); }
  void closeLink(CloseMode mode) override { fake_.closeLink(mode); }
  TimerId after(Duration delay, std::function<void()> fn) override { return fake_.after(delay, std::move(fn)); }
  void cancel(TimerId id) override { fake_.cancel(id); }
  TimePoint now() const override { return fake_.now(); }
  Random& random() override { return fake_.random(); }

 private:
  FakeToxicContext& fake_;
  Toxic& next_;
};

TEST(LatencyToxic, HoldsAChunkUntilTheLatencyHasElapsed) {
  FakeToxicContext ctx;
  auto toxic = makeLatency(100);
  ctx.push(toxic, "hello");
  ctx.advance(milliseconds(99));
  EXPECT_TRUE(ctx.forwarded().empty());
  ctx.advance(milliseconds(1));
  ASSERT_EQ(ctx.forwarded().size(), 1u);
  EXPECT_EQ(ctx.forwardedBytes(), "hello");
  EXPECT_EQ(ctx.forwardedAt()[0], FakeToxicContext::epoch() + milliseconds(100));
}

TEST(LatencyToxic, CountsEveryDelayInTheHistogramForMetrics) {
  FakeToxicContext ctx;
  auto toxic = makeLatency(100);
  for (int i = 0; i < 3; ++i) ctx.push(toxic, "x");
  ctx.runAllTimers();
  const ToxicCounters& counters = ctx.toxicCounters();
  EXPECT_EQ(counters.delays, 3u);
  EXPECT_EQ(counters.delay_sum, milliseconds(300));
  EXPECT_EQ(counters.delay_buckets[5], 3u);  // the bucket up to 100 ms (bounds are inclusive)
  ToxicCounters edges;
  edges.countDelay(milliseconds(0));
  edges.countDelay(milliseconds(101));
  edges.countDelay(milliseconds(20'000));
  EXPECT_EQ(edges.delay_buckets[0], 1u);
  EXPECT_EQ(edges.delay_buckets[6], 1u);
  EXPECT_EQ(edges.delay_buckets.back(), 1u);  // beyond 10 s: +Inf
}

TEST(LatencyToxic, ZeroLatencyForwardsAtOnceWithoutATimer) {
  FakeToxicContext ctx;
  auto toxic = makeLatency(0);
  ctx.push(toxic, "abc");
  EXPECT_EQ(ctx.forwardedBytes(), "abc");
  EXPECT_EQ(ctx.pendingTimers(), 0u);
}

TEST(LatencyToxic, DelaysEachChunkFromItsOwnArrivalSoDelaysDoNotAddUp) {
  FakeToxicContext ctx;
  auto toxic = makeLatency(100);
  ctx.push(toxic, "a");
  ctx.advance(milliseconds(50));
  ctx.push(toxic, "b");
  ctx.advance(milliseconds(200));
  ASSERT_EQ(ctx.forwarded().size(), 2u);
  EXPECT_EQ(ctx.forwardedAt()[0], FakeToxicContext::epoch() + milliseconds(100));
  EXPECT_EQ(ctx.forwardedAt()[1], FakeToxicContext::epoch() + milliseconds(150));
}

TEST(LatencyToxic, PipelinesManyChunksWithASingleTimer) {
  FakeToxicContext ctx;
  auto toxic = makeLatency(100);
  for (int i = 0; i < 1000; ++i) {
    ctx.push(toxic, "x");
    ctx.advance(std::chrono::microseconds(50));
  }
  EXPECT_EQ(ctx.pendingTimers(), 1u);
  EXPECT_EQ(toxic.bufferedBytes(), 1000u);
  ctx.advance(milliseconds(100));
  EXPECT_EQ(ctx.forwardedSize(), 1000u);
  EXPECT_EQ(ctx.pendingTimers(), 0u);
}

TEST(LatencyToxic, JitterSpreadsDelaysWithinLatencyPlusOrMinusJitter) {
  FakeToxicContext ctx(7);
  auto toxic = makeLatency(100, 20);
  Duration shortest = Duration::max();
  Duration longest = Duration::min();
  for (int i = 0; i < 500; ++i) {
    const TimePoint sent = ctx.now();
    ctx.push(toxic, "j");
    ctx.runAllTimers();
    ASSERT_EQ(ctx.forwarded().size(), static_cast<std::size_t>(i + 1));
    const Duration delay = ctx.forwardedAt().back() - sent;
    shortest = std::min(shortest, delay);
    longest = std::max(longest, delay);
    // Space the samples so the order-keeping rule never lifts one delay to the previous release.
    ctx.advance(milliseconds(200));
  }
  EXPECT_GE(shortest, milliseconds(80));
  EXPECT_LE(longest, milliseconds(120));
  // Uniform over +/-20 ms: 500 samples cover most of the 40 ms range.
  EXPECT_GE(longest - shortest, milliseconds(30));
}

TEST(LatencyToxic, JitterNeverReordersChunks) {
  FakeToxicContext ctx(11);
  auto toxic = makeLatency(50, 50);
  std::string sent;
  for (int i = 0; i < 2000; ++i) {
    std::string piece = std::to_string(i) + ",";
    sent += piece;
    ctx.push(toxic, piece);
    ctx.advance(milliseconds(1));
  }
  ctx.advance(milliseconds(200));
  EXPECT_EQ(ctx.forwardedBytes(), sent);
  EXPECT_TRUE(std::is_sorted(ctx.forwardedAt().begin(), ctx.forwardedAt().end()));
}

TEST(LatencyToxic, JitterLargerThanLatencyClampsTheDelayAtZero) {
  FakeToxicContext ctx(3);
  auto toxic = makeLatency(10, 100);
  for (int i = 0; i < 200; ++i) {
    const TimePoint sent = ctx.now();
    const std::size_t before = ctx.forwarded().size();
    ctx.push(toxic, "z");
    ctx.runAllTimers();
    ASSERT_EQ(ctx.forwarded().size(), before + 1);
    EXPECT_GE(ctx.forwardedAt().back(), sent);
    EXPECT_LE(ctx.forwardedAt().back(), sent + milliseconds(110));
    ctx.advance(milliseconds(200));
  }
}

TEST(LatencyToxic, CountsHeldBytesAsBuffered) {
  FakeToxicContext ctx;
  auto toxic = makeLatency(100);
  ctx.push(toxic, "12345");
  ctx.advance(milliseconds(10));
  ctx.push(toxic, "678");
  EXPECT_EQ(toxic.bufferedBytes(), 8u);
  ctx.advance(milliseconds(90));
  EXPECT_EQ(toxic.bufferedBytes(), 3u);
  ctx.advance(milliseconds(10));
  EXPECT_EQ(toxic.bufferedBytes(), 0u);
}

TEST(LatencyToxic, ForwardsEndOfStreamAfterEveryHeldChunk) {
  FakeToxicContext ctx;
  auto toxic = makeLatency(100);
  std::size_t forwarded_when_ended = 0;
  ctx.setOnEnd([&] { forwarded_when_ended = ctx.forwarded().size(); });
  ctx.push(toxic, "a");
  ctx.advance(milliseconds(30));
  ctx.push(toxic, "b");
  toxic.onEnd(ctx);
  EXPECT_FALSE(ctx.ended());
  ctx.advance(milliseconds(99));
  EXPECT_FALSE(ctx.ended());
  ctx.advance(milliseconds(1));
  EXPECT_TRUE(ctx.ended());
  EXPECT_EQ(ctx.endCount(), 1);
  EXPECT_EQ(forwarded_when_ended, 2u);
  EXPECT_EQ(ctx.endedAt(), FakeToxicContext::epoch() + milliseconds(130));
}

TEST(LatencyToxic, ForwardsEndAtOnceWhenNothingIsHeld) {
  FakeToxicContext ctx;
  auto toxic = makeLatency(100);
  toxic.onEnd(ctx);
  EXPECT_EQ(ctx.endCount(), 1);
}

TEST(LatencyToxic, DrainReturnsHeldChunksOldestFirstAndTheEnd) {
  FakeToxicContext ctx;
  auto toxic = makeLatency(100);
  ctx.push(toxic, "one");
  ctx.advance(milliseconds(10));
  ctx.push(toxic, "two");
  toxic.onEnd(ctx);
  DrainedStage drained = toxic.drain();
  ASSERT_EQ(drained.chunks.size(), 2u);
  EXPECT_EQ(std::string(drained.chunks[0].data(), drained.chunks[0].size()), "one");
  EXPECT_EQ(std::string(drained.chunks[1].data(), drained.chunks[1].size()), "two");
  EXPECT_EQ(drained.chunks[0].arrivedAt(), FakeToxicContext::epoch());
  EXPECT_TRUE(drained.ended);
  EXPECT_EQ(toxic.bufferedBytes(), 0u);
  EXPECT_FALSE(ctx.ended());
}

TEST(LatencyToxic, ReplacementStageKeepsTheTimeAlreadyWaited) {
  FakeToxicContext ctx;
  auto old_stage = makeLatency(100);
  ctx.push(old_stage, "data");
  ctx.advance(milliseconds(60));
  DrainedStage drained = old_stage.drain();
  ctx.cancelAllTimers();

  auto new_stage = makeLatency(100);
  for (auto& chunk : drained.chunks) new_stage.onChunk(std::move(chunk), ctx);
  ctx.advance(milliseconds(39));
  EXPECT_TRUE(ctx.forwarded().empty());
  ctx.advance(milliseconds(1));
  EXPECT_EQ(ctx.forwardedBytes(), "data");
}

TEST(LatencyToxic, StackedStagesAddUp) {
  FakeToxicContext ctx;
  auto second = makeLatency(500);
  auto first = makeLatency(500);
  ForwardingContext first_ctx(ctx, second);
  Chunk chunk = ctx.makeChunk("stacked");
  first.onChunk(std::move(chunk), first_ctx);
  ctx.advance(milliseconds(999));
  EXPECT_TRUE(ctx.forwarded().empty());
  ctx.advance(milliseconds(1));
  EXPECT_EQ(ctx.forwardedBytes(), "stacked");
}

TEST(LatencyToxic, CreateReadsLatencyAndJitterFromTheSpec) {
  ToxicSpec spec;
  spec.type = "latency";
  spec.attributes = {{"latency", 250}, {"jitter", 0}};
  auto toxic = LatencyToxic::create(spec);
  FakeToxicContext ctx;
  ctx.push(*toxic, "x");
  ctx.advance(milliseconds(249));
  EXPECT_TRUE(ctx.forwarded().empty());
  ctx.advance(milliseconds(1));
  EXPECT_EQ(ctx.forwardedBytes(), "x");
}

}  // namespace
}  // namespace faultline
