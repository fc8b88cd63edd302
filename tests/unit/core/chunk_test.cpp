#include "core/chunk.h"

#include <gtest/gtest.h>

#include <string>

namespace faultline {
namespace {

std::string text(const Chunk& chunk) { return chunk.empty() ? "" : std::string(chunk.data(), chunk.size()); }

const TimePoint kArrived = TimePoint{} + std::chrono::seconds(42);

TEST(Chunk, CopyOfHoldsItsOwnCopyOfTheBytes) {
  std::string source = "hello";
  Chunk chunk = Chunk::copyOf(source.data(), source.size(), kArrived);
  source[0] = 'j';
  EXPECT_EQ(text(chunk), "hello");
  EXPECT_EQ(chunk.arrivedAt(), kArrived);
}

TEST(Chunk, CopyOfZeroBytesIsEmpty) {
  Chunk chunk = Chunk::copyOf("", 0, kArrived);
  EXPECT_TRUE(chunk.empty());
  EXPECT_EQ(chunk.size(), 0u);
}

TEST(Chunk, DefaultChunkIsEmptyWithNoData) {
  Chunk chunk;
  EXPECT_TRUE(chunk.empty());
  EXPECT_EQ(chunk.data(), nullptr);
}

TEST(Chunk, SliceIsAViewOnTheSameBytes) {
  Chunk chunk = Chunk::copyOf("abcdef", 6, kArrived);
  Chunk middle = chunk.slice(2, 3);
  EXPECT_EQ(text(middle), "cde");
  EXPECT_EQ(middle.data(), chunk.data() + 2);
  EXPECT_EQ(middle.arrivedAt(), kArrived);
}

TEST(Chunk, SliceClampsToTheEnd) {
  Chunk chunk = Chunk::copyOf("abcdef", 6, kArrived);
  EXPECT_EQ(text(chunk.slice(4, 100)), "ef");
  EXPECT_TRUE(chunk.slice(10, 2).empty());
}

TEST(Chunk, TakeFrontSplitsWithoutCopying) {
  Chunk chunk = Chunk::copyOf("abcdef", 6, kArrived);
  const char* base = chunk.data();
  Chunk front = chunk.takeFront(2);
  EXPECT_EQ(text(front), "ab");
  EXPECT_EQ(text(chunk), "cdef");
  EXPECT_EQ(front.data(), base);
  EXPECT_EQ(chunk.data(), base + 2);
}

TEST(Chunk, TakeFrontOfMoreThanTheSizeTakesEverything) {
  Chunk chunk = Chunk::copyOf("abc", 3, kArrived);
  Chunk front = chunk.takeFront(10);
  EXPECT_EQ(text(front), "abc");
  EXPECT_TRUE(chunk.empty());
}

TEST(Chunk, ViewsKeepTheStorageAliveAfterTheOriginalIsGone) {
  Chunk view;
  {
    Chunk chunk = Chunk::copyOf("persist", 7, kArrived);
    view = chunk.slice(1, 3);
  }
  EXPECT_EQ(text(view), "ers");
}

TEST(Chunk, SetArrivedAtRestampsTheChunk) {
  Chunk chunk = Chunk::copyOf("x", 1, kArrived);
  chunk.setArrivedAt(kArrived + std::chrono::milliseconds(5));
  EXPECT_EQ(chunk.arrivedAt(), kArrived + std::chrono::milliseconds(5));
}

}  // namespace
}  // namespace faultline
