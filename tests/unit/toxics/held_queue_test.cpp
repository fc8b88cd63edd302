#include "toxics/held_queue.h"

#include <gtest/gtest.h>

#include <string>

#include "support/fake_toxic_context.h"

namespace faultline {
namespace {

std::string text(const Chunk& chunk) { return std::string(chunk.data(), chunk.size()); }

TEST(HeldQueue, CountsHeldBytesThroughPushPopAndPartialTakes) {
  FakeToxicContext ctx;
  HeldQueue held;
  held.push(ctx.makeChunk("hello"));
  held.push(ctx.makeChunk("world!"));
  EXPECT_EQ(held.bytes(), 11u);

  EXPECT_EQ(text(held.takeFront(2)), "he");
  EXPECT_EQ(held.bytes(), 9u);
  EXPECT_EQ(text(held.takeFront(10)), "llo");  // never crosses into the next chunk
  EXPECT_EQ(held.bytes(), 6u);
  EXPECT_EQ(text(held.pop()), "world!");
  EXPECT_EQ(held.bytes(), 0u);
  EXPECT_TRUE(held.empty());
}

TEST(HeldQueue, KeepsEachEntrysDueTime) {
  FakeToxicContext ctx;
  HeldQueue held;
  const TimePoint due = ctx.now() + std::chrono::milliseconds(5);
  held.push(ctx.makeChunk("x"), due);
  EXPECT_EQ(held.front().due, due);
}

TEST(HeldQueue, EndWaitsBehindHeldBytesAndIsForwardedExactlyOnce) {
  FakeToxicContext ctx;
  HeldQueue held;
  held.push(ctx.makeChunk("tail"));
  held.end(ctx);
  EXPECT_FALSE(ctx.ended()) << "FIN must not overtake held data";

  ctx.forward(held.pop());
  held.forwardEndIfDone(ctx);
  held.forwardEndIfDone(ctx);
  held.end(ctx);
  EXPECT_EQ(ctx.endCount(), 1);
  EXPECT_EQ(ctx.forwardedBytes(), "tail");
}

TEST(HeldQueue, EndOnAnEmptyQueueIsForwardedAtOnce) {
  FakeToxicContext ctx;
  HeldQueue held;
  held.forwardEndIfDone(ctx);
  EXPECT_FALSE(ctx.ended()) << "no FIN before the source sent one";
  held.end(ctx);
  EXPECT_EQ(ctx.endCount(), 1);
}

TEST(HeldQueue, DrainHandsBackEverythingInOrderWithTheOwedEnd) {
  FakeToxicContext ctx;
  HeldQueue held;
  held.push(ctx.makeChunk("ab"));
  held.push(ctx.makeChunk("cd"));
  held.end(ctx);

  DrainedStage drained = held.drain();
  ASSERT_EQ(drained.chunks.size(), 2u);
  EXPECT_EQ(text(drained.chunks[0]), "ab");
  EXPECT_EQ(text(drained.chunks[1]), "cd");
  EXPECT_TRUE(drained.ended);
  EXPECT_TRUE(held.empty());
  EXPECT_EQ(held.bytes(), 0u);
  EXPECT_FALSE(ctx.ended());
}

TEST(HeldQueue, DrainAfterTheEndWasForwardedOwesNoEnd) {
  FakeToxicContext ctx;
  HeldQueue held;
  held.end(ctx);
  EXPECT_FALSE(held.drain().ended);
}

}  // namespace
}  // namespace faultline
