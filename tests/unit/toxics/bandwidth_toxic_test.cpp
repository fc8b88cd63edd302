#include "toxics/bandwidth_toxic.h"

#include <gtest/gtest.h>

#include <string>

#include "support/fake_toxic_context.h"

namespace faultline {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;

std::string pattern(std::size_t size, char seed = 0) {
  std::string out(size, '\0');
  for (std::size_t i = 0; i < size; ++i) out[i] = static_cast<char>('a' + (i + static_cast<std::size_t>(seed)) % 26);
  return out;
}

// Timers fire `lateness` after their deadline, as on a busy loop.
class LateTimerContext : public FakeToxicContext {
 public:
  explicit LateTimerContext(Duration lateness) : lateness_(lateness) {}
  TimerId after(Duration delay, std::function<void()> fn) override {
    return FakeToxicContext::after(delay + lateness_, std::move(fn));
  }

 private:
  Duration lateness_;
};

TEST(BandwidthToxic, RateZeroPassesChunksThroughUnchanged) {
  FakeToxicContext ctx;
  BandwidthToxic toxic({0});
  ctx.push(toxic, pattern(100000));
  ASSERT_EQ(ctx.forwarded().size(), 1u);
  EXPECT_EQ(ctx.forwardedBytes(), pattern(100000));
  EXPECT_EQ(ctx.pendingTimers(), 0u);
  EXPECT_EQ(toxic.bufferedBytes(), 0u);
}

TEST(BandwidthToxic, ReleasesAChunkAfterItsTransmissionTime) {
  FakeToxicContext ctx;
  BandwidthToxic toxic({100});  // 100 KB/s = 100 bytes per ms
  ctx.push(toxic, pattern(1000));
  ctx.advance(microseconds(9999));
  EXPECT_TRUE(ctx.forwarded().empty());
  ctx.advance(microseconds(1));
  EXPECT_EQ(ctx.forwardedBytes(), pattern(1000));
}

TEST(BandwidthToxic, SplitsBigChunksIntoHundredMillisecondPieces) {
  FakeToxicContext ctx;
  BandwidthToxic toxic({10});  // 1000 bytes per 100 ms
  ctx.push(toxic, pattern(4500));
  ctx.advance(milliseconds(450));
  ASSERT_EQ(ctx.forwarded().size(), 5u);
  const std::size_t sizes[] = {1000, 1000, 1000, 1000, 500};
  for (std::size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(ctx.forwarded()[i].size(), sizes[i]) << "piece " << i;
  }
  EXPECT_EQ(ctx.forwardedAt()[0], FakeToxicContext::epoch() + milliseconds(100));
  EXPECT_EQ(ctx.forwardedAt()[3], FakeToxicContext::epoch() + milliseconds(400));
  EXPECT_EQ(ctx.forwardedAt()[4], FakeToxicContext::epoch() + milliseconds(450));
  EXPECT_EQ(ctx.forwardedBytes(), pattern(4500));
}

TEST(BandwidthToxic, QueuedChunksAreSentBackToBackInOrder) {
  FakeToxicContext ctx;
  BandwidthToxic toxic({1});  // 1 byte per ms
  ctx.push(toxic, "abc");
  ctx.push(toxic, "de");
  ctx.advance(milliseconds(4));
  EXPECT_EQ(ctx.forwardedBytes(), "abc");
  ctx.advance(milliseconds(1));
  EXPECT_EQ(ctx.forwardedBytes(), "abcde");
}

void feedForTenSeconds(FakeToxicContext& ctx, BandwidthToxic& toxic, Duration step) {
  const TimePoint end = ctx.now() + std::chrono::seconds(10);
  std::size_t sent = 0;
  while (ctx.now() < end) {
    // Keep the stage busy: there is always more to send than the rate allows.
    while (toxic.bufferedBytes() < 256 * 1024) {
      ctx.push(toxic, pattern(65536, static_cast<char>(sent % 26)));
      sent += 65536;
    }
    ctx.advance(std::min<Duration>(step, end - ctx.now()));
  }
}

TEST(BandwidthToxic, LongRunRateIsWithinOnePercentOverTenSeconds) {
  FakeToxicContext ctx;
  BandwidthToxic toxic({1000});  // 1,000,000 bytes/s
  feedForTenSeconds(ctx, toxic, microseconds(7300));
  EXPECT_NEAR(static_cast<double>(ctx.forwardedSize()), 10'000'000.0, 100'000.0);
}

TEST(BandwidthToxic, LateTimersDoNotLowerTheLongRunRate) {
  LateTimerContext ctx(milliseconds(3));
  BandwidthToxic toxic({1000});
  feedForTenSeconds(ctx, toxic, microseconds(7300));
  EXPECT_NEAR(static_cast<double>(ctx.forwardedSize()), 10'000'000.0, 100'000.0);
}

TEST(BandwidthToxic, DoesNotBurstAfterAnIdlePeriod) {
  FakeToxicContext ctx;
  BandwidthToxic toxic({100});
  ctx.push(toxic, pattern(1000));
  ctx.advance(milliseconds(10));
  ASSERT_EQ(ctx.forwarded().size(), 1u);
  ctx.advance(std::chrono::seconds(1));
  ctx.push(toxic, pattern(1000));
  ctx.advance(microseconds(9999));
  EXPECT_EQ(ctx.forwarded().size(), 1u);
  ctx.advance(microseconds(1));
  EXPECT_EQ(ctx.forwarded().size(), 2u);
}

TEST(BandwidthToxic, ForwardsEndOfStreamAfterHeldData) {
  FakeToxicContext ctx;
  BandwidthToxic toxic({1});
  std::size_t forwarded_when_ended = 0;
  ctx.setOnEnd([&] { forwarded_when_ended = ctx.forwardedSize(); });
  ctx.push(toxic, "hello");
  toxic.onEnd(ctx);
  ctx.advance(milliseconds(4));
  EXPECT_FALSE(ctx.ended());
  ctx.advance(milliseconds(1));
  EXPECT_EQ(ctx.endCount(), 1);
  EXPECT_EQ(forwarded_when_ended, 5u);
}

TEST(BandwidthToxic, CountsHeldBytesAsBuffered) {
  FakeToxicContext ctx;
  BandwidthToxic toxic({10});
  ctx.push(toxic, pattern(2500));
  EXPECT_EQ(toxic.bufferedBytes(), 2500u);
  ctx.advance(milliseconds(100));
  EXPECT_EQ(toxic.bufferedBytes(), 1500u);
}

TEST(BandwidthToxic, DrainReturnsTheUnsentRestInOrder) {
  FakeToxicContext ctx;
  BandwidthToxic toxic({10});
  const std::string first = pattern(2500);
  ctx.push(toxic, first);
  ctx.push(toxic, "tail");
  toxic.onEnd(ctx);
  ctx.advance(milliseconds(150));
  DrainedStage drained = toxic.drain();
  std::string rest;
  for (const auto& chunk : drained.chunks) rest.append(chunk.data(), chunk.size());
  EXPECT_EQ(ctx.forwardedBytes() + rest, first + "tail");
  EXPECT_EQ(rest.size(), 1504u);
  EXPECT_TRUE(drained.ended);
  EXPECT_EQ(toxic.bufferedBytes(), 0u);
}

// Two links (two connections' stages) on one clock: each one's forwards land in its own context.
struct TwoLinks {
  FakeToxicContext a{1};
  FakeToxicContext b{2};
  // Advances both clocks in 1 ms steps so timers of the two links interleave as on one loop.
  void advance(Duration by) {
    const TimePoint until = a.now() + by;
    while (a.now() < until) {
      a.advance(milliseconds(1));
      b.advance(milliseconds(1));
    }
  }
};

TEST(BandwidthToxic, ASharedLineGivesAllConnectionsTogetherOneRate) {
  auto line = std::make_shared<SharedRate>();
  BandwidthToxic first({100}, line), second({100}, line);  // 100 KB/s for the whole proxy
  TwoLinks links;
  links.a.push(first, pattern(100'000));
  links.b.push(second, pattern(100'000, 1));
  links.advance(milliseconds(1000));
  // One second at 100 KB/s moves 100 KB in total, split between the two connections.
  EXPECT_NEAR(static_cast<double>(links.a.forwardedSize() + links.b.forwardedSize()), 100'000.0, 10'000.0);
  EXPECT_GT(links.a.forwardedSize(), 30'000u);
  EXPECT_GT(links.b.forwardedSize(), 30'000u);
  links.advance(milliseconds(1100));
  EXPECT_EQ(links.a.forwardedBytes(), pattern(100'000));
  EXPECT_EQ(links.b.forwardedBytes(), pattern(100'000, 1));
}

TEST(BandwidthToxic, WithoutASharedLineEachConnectionHasTheWholeRate) {
  BandwidthToxic first({100}), second({100});
  TwoLinks links;
  links.a.push(first, pattern(100'000));
  links.b.push(second, pattern(100'000));
  links.advance(milliseconds(1000));
  EXPECT_EQ(links.a.forwardedSize(), 100'000u);
  EXPECT_EQ(links.b.forwardedSize(), 100'000u);
}

TEST(BandwidthToxic, ASharedLineLeftIdleDoesNotBurst) {
  auto line = std::make_shared<SharedRate>();
  BandwidthToxic only({100}, line);
  FakeToxicContext ctx;
  ctx.push(only, pattern(10'000));
  ctx.advance(milliseconds(5000));
  ctx.clearForwarded();
  ctx.push(only, pattern(10'000));
  ctx.advance(milliseconds(99));
  EXPECT_EQ(ctx.forwardedSize(), 0u);  // 10 KB at 100 KB/s still takes 100 ms after a pause
  ctx.advance(milliseconds(1));
  EXPECT_EQ(ctx.forwardedSize(), 10'000u);
}

TEST(BandwidthToxic, CreateReadsTheRateFromTheSpec) {
  ToxicSpec spec;
  spec.type = "bandwidth";
  spec.attributes = {{"rate", 50}};
  auto toxic = BandwidthToxic::create(spec);
  FakeToxicContext ctx;
  ctx.push(*toxic, pattern(500));  // 10 ms at 50 bytes/ms
  ctx.advance(microseconds(9999));
  EXPECT_TRUE(ctx.forwarded().empty());
  ctx.advance(microseconds(1));
  EXPECT_EQ(ctx.forwardedSize(), 500u);
}

}  // namespace
}  // namespace faultline
