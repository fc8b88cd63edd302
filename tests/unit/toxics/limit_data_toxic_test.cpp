#include "toxics/limit_data_toxic.h"

#include <gtest/gtest.h>

#include "support/fake_toxic_context.h"

namespace faultline {
namespace {

TEST(LimitDataToxic, ForwardsAChunkSmallerThanTheLimitWithoutClosing) {
  FakeToxicContext ctx;
  LimitDataToxic toxic({10});
  ctx.push(toxic, "12345");
  EXPECT_EQ(ctx.forwardedBytes(), "12345");
  EXPECT_EQ(ctx.closeCount(), 0);
}

TEST(LimitDataToxic, ForwardsAChunkEqualToTheLimitAndClosesOnce) {
  FakeToxicContext ctx;
  LimitDataToxic toxic({10});
  ctx.push(toxic, "0123456789");
  EXPECT_EQ(ctx.forwardedBytes(), "0123456789");
  EXPECT_EQ(ctx.closeCount(), 1);
  EXPECT_EQ(ctx.closeMode(), CloseMode::kGraceful);
}

TEST(LimitDataToxic, CutsAChunkBiggerThanTheLimitToTheRemainder) {
  FakeToxicContext ctx;
  LimitDataToxic toxic({10});
  ctx.push(toxic, "0123456789abcde");
  EXPECT_EQ(ctx.forwardedBytes(), "0123456789");
  EXPECT_EQ(ctx.closeCount(), 1);
}

TEST(LimitDataToxic, CountsBytesAcrossChunks) {
  FakeToxicContext ctx;
  LimitDataToxic toxic({10});
  ctx.push(toxic, "0123");
  ctx.push(toxic, "4567");
  EXPECT_EQ(ctx.closeCount(), 0);
  ctx.push(toxic, "89abc");
  EXPECT_EQ(ctx.forwardedBytes(), "0123456789");
  EXPECT_EQ(ctx.closeCount(), 1);
}

TEST(LimitDataToxic, DropsEverythingAfterTheLimitAndClosesOnlyOnce) {
  FakeToxicContext ctx;
  LimitDataToxic toxic({3});
  ctx.push(toxic, "abcd");
  ctx.push(toxic, "efgh");
  ctx.push(toxic, "ijkl");
  EXPECT_EQ(ctx.forwardedBytes(), "abc");
  EXPECT_EQ(ctx.closeCount(), 1);
}

TEST(LimitDataToxic, LimitZeroForwardsNothingAndClosesOnTheFirstChunk) {
  FakeToxicContext ctx;
  LimitDataToxic toxic({0});
  toxic.onAttach(ctx);
  EXPECT_EQ(ctx.closeCount(), 0);
  ctx.push(toxic, "anything");
  EXPECT_TRUE(ctx.forwarded().empty());
  EXPECT_EQ(ctx.closeCount(), 1);
  EXPECT_EQ(ctx.closeMode(), CloseMode::kGraceful);
}

TEST(LimitDataToxic, PassesTheEndOfStreamBeforeTheLimit) {
  FakeToxicContext ctx;
  LimitDataToxic toxic({100});
  ctx.push(toxic, "short");
  toxic.onEnd(ctx);
  EXPECT_EQ(ctx.endCount(), 1);
  EXPECT_EQ(ctx.closeCount(), 0);
}

TEST(LimitDataToxic, ForwardsTheCrossingPieceZeroCopy) {
  FakeToxicContext ctx;
  LimitDataToxic toxic({4});
  Chunk chunk = ctx.makeChunk("abcdefgh");
  const char* original = chunk.data();
  toxic.onChunk(std::move(chunk), ctx);
  ASSERT_EQ(ctx.forwarded().size(), 1u);
  EXPECT_EQ(ctx.forwarded()[0].data(), original);
}

TEST(LimitDataToxic, CreateReadsTheLimitFromTheSpec) {
  ToxicSpec spec;
  spec.type = "limit_data";
  spec.attributes = {{"bytes", 2}};
  auto toxic = LimitDataToxic::create(spec);
  FakeToxicContext ctx;
  ctx.push(*toxic, "xyz");
  EXPECT_EQ(ctx.forwardedBytes(), "xy");
  EXPECT_EQ(ctx.closeCount(), 1);
}

}  // namespace
}  // namespace faultline
