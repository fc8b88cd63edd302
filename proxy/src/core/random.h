#pragma once

#include <cstdint>
#include <random>
#include <string_view>

namespace faultline {

// SplitMix64's output function (Steele, Lea and Flood, "Fast splittable pseudorandom number
// generators", 2014): a bijective 64-bit mix, so distinct inputs never collide.
constexpr uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// FNV-1a over the bytes, then mixed: names (proxy, toxic) into the derivation.
constexpr uint64_t hashText(std::string_view text) {
  uint64_t h = 14695981039346656037ULL;
  for (char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  return mix64(h);
}

// Where a random choice is made. Every choice is drawn from a generator seeded with
// deriveSeed(key), so it depends on these fields only: the same seed and the same sequence of
// connections to a proxy give the same decisions, whatever happens on other proxies or in which
// order the loop serves them.
struct RandomKey {
  uint64_t seed = 0;
  std::string_view proxy;
  uint64_t connection = 0;  // ordinal on that proxy, from 1
  uint32_t direction = 0;   // 0 upstream, 1 downstream
  std::string_view toxic;
  uint64_t request = 0;     // ordinal of an HTTP request on the connection; 0 for byte toxics
  uint32_t purpose = 0;     // kRandomDraws or kRandomRoll: the roll is independent of the draws
};

inline constexpr uint32_t kRandomDraws = 0;
inline constexpr uint32_t kRandomRoll = 1;

constexpr uint64_t deriveSeed(const RandomKey& key) {
  // Each field goes through the bijective mix with a distinct odd constant, so (a, b) and
  // (b, a) give different seeds.
  uint64_t h = mix64(key.seed ^ 0x9e3779b97f4a7c15ULL);
  h = mix64(h ^ hashText(key.proxy));
  h = mix64(h ^ (key.connection * 0xd1b54a32d192ed03ULL));
  h = mix64(h ^ (static_cast<uint64_t>(key.direction) + 0x8cb92ba72f3d8dd7ULL));
  h = mix64(h ^ hashText(key.toxic));
  h = mix64(h ^ (key.request * 0xaef17502108ef2d9ULL));
  h = mix64(h ^ (static_cast<uint64_t>(key.purpose) * 0x2545f4914f6cdd1dULL));
  return h;
}

// Seeded, injectable randomness: toxics and tests get the same sequence for the same seed.
class Random {
 public:
  explicit Random(uint64_t seed = std::random_device{}()) : engine_(seed) {}
  explicit Random(const RandomKey& key) : engine_(deriveSeed(key)) {}

  // Uniform integer in [0, n); 0 when n == 0.
  uint64_t below(uint64_t n) {
    if (n == 0) return 0;
    return std::uniform_int_distribution<uint64_t>(0, n - 1)(engine_);
  }
  // Uniform integer in [lo, hi] (inclusive); lo when hi < lo.
  int64_t between(int64_t lo, int64_t hi) {
    if (hi <= lo) return lo;
    return std::uniform_int_distribution<int64_t>(lo, hi)(engine_);
  }
  // Uniform real in [0, 1).
  double unit() { return std::uniform_real_distribution<double>(0.0, 1.0)(engine_); }

 private:
  std::mt19937_64 engine_;
};

// Probabilities are compared as integers per million on the hot path (Envoy's FractionalPercent).
struct Probability {
  uint32_t per_million = 1'000'000;

  static Probability fromFraction(double p) {
    if (p <= 0) return {0};
    if (p >= 1) return {1'000'000};
    return {static_cast<uint32_t>(p * 1'000'000.0 + 0.5)};
  }
  bool roll(Random& random) const {
    if (per_million >= 1'000'000) return true;
    if (per_million == 0) return false;
    return random.below(1'000'000) < per_million;
  }
};

}  // namespace faultline
