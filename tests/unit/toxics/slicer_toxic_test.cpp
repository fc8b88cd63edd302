#include "toxics/slicer_toxic.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "support/fake_toxic_context.h"

namespace faultline {
namespace {

using std::chrono::microseconds;

std::string randomBytes(std::size_t size, uint64_t seed) {
  Random random(seed);
  std::string out(size, '\0');
  for (auto& c : out) c = static_cast<char>(random.below(256));
  return out;
}

SlicerToxic makeSlicer(int64_t average, int64_t variation, int64_t delay_us = 0) {
  return SlicerToxic(SlicerToxic::Params{average, variation, microseconds(delay_us)});
}

class SlicerReassembly : public ::testing::TestWithParam<std::pair<int64_t, int64_t>> {};

TEST_P(SlicerReassembly, ReassemblesByteForByteWithPiecesInRange) {
  const auto [average, variation] = GetParam();
  FakeToxicContext ctx;
  auto toxic = makeSlicer(average, variation);
  const std::string first = randomBytes(65536, 1);
  const std::string second = randomBytes(1000, 2);
  ctx.push(toxic, first);
  const std::size_t pieces_of_first = ctx.forwarded().size();
  ctx.push(toxic, second);
  EXPECT_EQ(ctx.forwardedBytes(), first + second);

  if (average == 0) {
    EXPECT_EQ(ctx.forwarded().size(), 2u);
    return;
  }
  const auto lo = static_cast<std::size_t>(std::max<int64_t>(1, average - variation));
  const auto hi = static_cast<std::size_t>(average + variation);
  for (std::size_t i = 0; i < ctx.forwarded().size(); ++i) {
    const std::size_t size = ctx.forwarded()[i].size();
    const bool last_of_a_chunk = i + 1 == pieces_of_first || i + 1 == ctx.forwarded().size();
    EXPECT_GE(size, 1u) << "piece " << i;
    EXPECT_LE(size, hi) << "piece " << i;
    if (!last_of_a_chunk) {
      EXPECT_GE(size, lo) << "piece " << i;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AttributePairs, SlicerReassembly,
                         ::testing::Values(std::make_pair(0, 0), std::make_pair(0, 10), std::make_pair(1, 0),
                                           std::make_pair(3, 1), std::make_pair(10, 10), std::make_pair(5, 20),
                                           std::make_pair(100, 99), std::make_pair(1024, 512),
                                           std::make_pair(100000, 0), std::make_pair(int64_t{1} << 50, int64_t{1} << 50)));

TEST(SlicerToxic, VariationActuallyVariesPieceSizes) {
  FakeToxicContext ctx;
  auto toxic = makeSlicer(100, 50);
  ctx.push(toxic, randomBytes(100000, 3));
  std::size_t smallest = SIZE_MAX;
  std::size_t largest = 0;
  for (std::size_t i = 0; i + 1 < ctx.forwarded().size(); ++i) {
    smallest = std::min(smallest, ctx.forwarded()[i].size());
    largest = std::max(largest, ctx.forwarded()[i].size());
  }
  EXPECT_LE(smallest, 60u);
  EXPECT_GE(largest, 140u);
}

TEST(SlicerToxic, OneBytePiecesOverOneMebibyteNeitherRecurseNorCopy) {
  FakeToxicContext ctx;
  auto toxic = makeSlicer(1, 0);
  const std::string data = randomBytes(1 << 20, 4);
  Chunk chunk = ctx.makeChunk(data);
  const char* base = chunk.data();
  toxic.onChunk(std::move(chunk), ctx);
  ASSERT_EQ(ctx.forwarded().size(), std::size_t{1} << 20);
  EXPECT_EQ(ctx.forwarded()[12345].data(), base + 12345);
  EXPECT_EQ(ctx.forwardedBytes(), data);
}

TEST(SlicerToxic, WithADelayReleasesOnePieceEveryDelay) {
  FakeToxicContext ctx;
  auto toxic = makeSlicer(2, 0, 500);
  ctx.push(toxic, "abcdef");
  EXPECT_EQ(ctx.forwardedBytes(), "ab");
  ctx.advance(microseconds(499));
  EXPECT_EQ(ctx.forwardedBytes(), "ab");
  ctx.advance(microseconds(1));
  EXPECT_EQ(ctx.forwardedBytes(), "abcd");
  ctx.advance(microseconds(500));
  EXPECT_EQ(ctx.forwardedBytes(), "abcdef");
  EXPECT_EQ(ctx.pendingTimers(), 0u);
}

TEST(SlicerToxic, ChunksQueueBehindPendingPiecesInOrder) {
  FakeToxicContext ctx;
  auto toxic = makeSlicer(1, 0, 100);
  ctx.push(toxic, "abc");
  ctx.push(toxic, "de");
  EXPECT_EQ(toxic.bufferedBytes(), 4u);
  ctx.advance(microseconds(1000));
  EXPECT_EQ(ctx.forwardedBytes(), "abcde");
  const auto& at = ctx.forwardedAt();
  for (std::size_t i = 0; i < at.size(); ++i) {
    EXPECT_EQ(at[i], FakeToxicContext::epoch() + microseconds(100 * static_cast<int64_t>(i)));
  }
}

TEST(SlicerToxic, ANewChunkWaitsForTheDelayAfterThePreviousPiece) {
  FakeToxicContext ctx;
  auto toxic = makeSlicer(10, 0, 1000);
  ctx.push(toxic, "ab");
  ctx.advance(microseconds(300));
  ctx.push(toxic, "cd");
  EXPECT_EQ(ctx.forwardedBytes(), "ab");
  ctx.advance(microseconds(700));
  EXPECT_EQ(ctx.forwardedBytes(), "abcd");
}

TEST(SlicerToxic, ForwardsEndOfStreamAfterTheLastPiece) {
  FakeToxicContext ctx;
  auto toxic = makeSlicer(1, 0, 100);
  std::size_t forwarded_when_ended = 0;
  ctx.setOnEnd([&] { forwarded_when_ended = ctx.forwardedSize(); });
  ctx.push(toxic, "xyz");
  toxic.onEnd(ctx);
  EXPECT_FALSE(ctx.ended());
  ctx.advance(microseconds(200));
  EXPECT_EQ(ctx.endCount(), 1);
  EXPECT_EQ(forwarded_when_ended, 3u);
}

TEST(SlicerToxic, DrainReturnsUnsentBytesInOrder) {
  FakeToxicContext ctx;
  auto toxic = makeSlicer(2, 0, 100);
  ctx.push(toxic, "abcdef");
  ctx.push(toxic, "gh");
  toxic.onEnd(ctx);
  DrainedStage drained = toxic.drain();
  std::string rest;
  for (const auto& chunk : drained.chunks) rest.append(chunk.data(), chunk.size());
  EXPECT_EQ(ctx.forwardedBytes(), "ab");
  EXPECT_EQ(rest, "cdefgh");
  EXPECT_TRUE(drained.ended);
  EXPECT_EQ(toxic.bufferedBytes(), 0u);
}

TEST(SlicerToxic, CreateReadsItsAttributesFromTheSpec) {
  ToxicSpec spec;
  spec.type = "slicer";
  spec.attributes = {{"average_size", 3}, {"size_variation", 0}, {"delay", 10}};
  auto toxic = SlicerToxic::create(spec);
  FakeToxicContext ctx;
  ctx.push(*toxic, "abcdefg");
  EXPECT_EQ(ctx.forwardedBytes(), "abc");
  ctx.advance(microseconds(20));
  EXPECT_EQ(ctx.forwardedBytes(), "abcdefg");
  ASSERT_EQ(ctx.forwarded().size(), 3u);
  EXPECT_EQ(ctx.forwarded()[2].size(), 1u);
}

}  // namespace
}  // namespace faultline
