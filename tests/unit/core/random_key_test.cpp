// Every random choice derives from (seed, proxy, connection ordinal, direction, toxic, request).
#include <gtest/gtest.h>

#include <set>

#include "core/random.h"

namespace faultline {
namespace {

TEST(RandomKey, TheSameKeyGivesTheSameSequence) {
  Random a(RandomKey{42, "partner", 7, 1, "slow", 0});
  Random b(RandomKey{42, "partner", 7, 1, "slow", 0});
  for (int i = 0; i < 100; ++i) ASSERT_EQ(a.below(1'000'000), b.below(1'000'000));
}

TEST(RandomKey, EveryFieldChangesTheSeed) {
  const RandomKey base{42, "partner", 7, 1, "slow", 3};
  std::set<uint64_t> seeds = {deriveSeed(base)};
  auto with = [&](auto change) {
    RandomKey key = base;
    change(key);
    return seeds.insert(deriveSeed(key)).second;
  };
  EXPECT_TRUE(with([](RandomKey& k) { k.seed = 43; }));
  EXPECT_TRUE(with([](RandomKey& k) { k.proxy = "partner2"; }));
  EXPECT_TRUE(with([](RandomKey& k) { k.connection = 8; }));
  EXPECT_TRUE(with([](RandomKey& k) { k.direction = 0; }));
  EXPECT_TRUE(with([](RandomKey& k) { k.toxic = "slow2"; }));
  EXPECT_TRUE(with([](RandomKey& k) { k.request = 4; }));
  // Swapping two names between fields is a different key too.
  EXPECT_NE(deriveSeed({1, "a", 1, 0, "b", 0}), deriveSeed({1, "b", 1, 0, "a", 0}));
}

TEST(RandomKey, RollsOverConnectionsLookFair) {
  // A 50% toxicity over 10,000 connections of one proxy: about half, and not all alike.
  const Probability half = Probability::fromFraction(0.5);
  int applied = 0;
  for (uint64_t conn = 1; conn <= 10'000; ++conn) {
    Random random(RandomKey{9, "p", conn, 1, "coin", 0});
    applied += half.roll(random) ? 1 : 0;
  }
  EXPECT_NEAR(applied, 5000, 300);
}

}  // namespace
}  // namespace faultline
