#include "toxics/corrupt_toxic.h"

#include <gtest/gtest.h>

#include <bit>
#include <string>

#include "support/fake_toxic_context.h"
#include "support/sockets.h"

namespace faultline {
namespace {

struct Damage {
  std::size_t bytes_changed = 0;
  std::size_t bits_changed = 0;
};

Damage compare(const std::string& sent, const std::string& got) {
  Damage damage;
  for (std::size_t i = 0; i < sent.size() && i < got.size(); ++i) {
    const auto diff = static_cast<unsigned char>(sent[i] ^ got[i]);
    damage.bytes_changed += diff != 0;
    damage.bits_changed += static_cast<std::size_t>(std::popcount(diff));
  }
  return damage;
}

std::string pushInChunks(CorruptToxic& toxic, FakeToxicContext& ctx, const std::string& data, std::size_t chunk) {
  for (std::size_t pos = 0; pos < data.size(); pos += chunk) ctx.push(toxic, std::string_view(data).substr(pos, chunk));
  return ctx.forwardedBytes();
}

TEST(CorruptToxic, ChangesTheExpectedShareOfBytesOneBitEachAndKeepsTheLength) {
  FakeToxicContext ctx(21);
  CorruptToxic toxic({1000});  // 0.1 %
  const std::string sent = testing::randomBytes(4 << 20, 1);
  const std::string got = pushInChunks(toxic, ctx, sent, 65536);
  ASSERT_EQ(got.size(), sent.size());
  const Damage damage = compare(sent, got);
  // Binomial(4 Mi, 0.001): mean 4194, sd 65; 6 sd either side.
  EXPECT_NEAR(static_cast<double>(damage.bytes_changed), 4194.3, 6 * 65.0);
  EXPECT_EQ(damage.bits_changed, damage.bytes_changed);
}

TEST(CorruptToxic, CountsExactlyTheBytesItFlippedForMetrics) {
  FakeToxicContext ctx(22);
  CorruptToxic toxic({5000});
  const std::string sent = testing::randomBytes(1 << 20, 2);
  const std::string got = pushInChunks(toxic, ctx, sent, 4096);
  const Damage damage = compare(sent, got);
  ASSERT_GT(damage.bytes_changed, 0u);
  EXPECT_EQ(ctx.toxicCounters().bytes_corrupted, damage.bytes_changed);
}

TEST(CorruptToxic, ZeroPpmPassesTheChunkItselfUntouched) {
  FakeToxicContext ctx;
  CorruptToxic toxic({0});
  Chunk chunk = ctx.makeChunk("clean bytes");
  const char* original = chunk.data();
  toxic.onChunk(std::move(chunk), ctx);
  ASSERT_EQ(ctx.forwarded().size(), 1u);
  EXPECT_EQ(ctx.forwarded()[0].data(), original);  // zero-copy: no damage, no copy
  EXPECT_EQ(ctx.forwardedBytes(), "clean bytes");
}

TEST(CorruptToxic, AMillionPpmChangesEveryByte) {
  FakeToxicContext ctx;
  CorruptToxic toxic({CorruptToxic::kPerMillion});
  const std::string sent(10000, 'a');
  const std::string got = pushInChunks(toxic, ctx, sent, 999);
  ASSERT_EQ(got.size(), sent.size());
  EXPECT_EQ(compare(sent, got).bytes_changed, sent.size());
}

TEST(CorruptToxic, NeverWritesIntoTheSharedInputBuffer) {
  FakeToxicContext ctx(3);
  CorruptToxic toxic({500'000});
  Chunk chunk = ctx.makeChunk(std::string(4096, 'q'));
  Chunk keep = chunk;  // another holder of the same storage, like a second view on a read slab
  toxic.onChunk(std::move(chunk), ctx);
  EXPECT_EQ(std::string(keep.data(), keep.size()), std::string(4096, 'q'));
  EXPECT_NE(ctx.forwardedBytes(), std::string(4096, 'q'));
}

TEST(CorruptToxic, SameSeedSameDamageWhateverTheChunking) {
  const std::string sent = testing::randomBytes(1 << 20, 2);
  FakeToxicContext a(99), b(99);
  CorruptToxic first({2000}), second({2000});
  // The gap to the next flip carries over chunk boundaries, so only the random draws decide.
  EXPECT_EQ(pushInChunks(first, a, sent, 65536), pushInChunks(second, b, sent, 1000));
}

TEST(CorruptToxic, KeepsArrivalTimeAndOrder) {
  FakeToxicContext ctx(8);
  CorruptToxic toxic({100'000});
  ctx.push(toxic, std::string(100, 'x'));
  ctx.advance(std::chrono::milliseconds(5));
  ctx.push(toxic, std::string(100, 'z'));
  ASSERT_EQ(ctx.forwarded().size(), 2u);
  EXPECT_EQ(ctx.forwarded()[1].arrivedAt(), FakeToxicContext::epoch() + std::chrono::milliseconds(5));
  EXPECT_EQ(std::string(ctx.forwarded()[0].data(), 100).find('z'), std::string::npos);
}

TEST(CorruptToxic, PassesTheEndOfStream) {
  FakeToxicContext ctx;
  CorruptToxic toxic({10});
  toxic.onEnd(ctx);
  EXPECT_EQ(ctx.endCount(), 1);
}

}  // namespace
}  // namespace faultline
