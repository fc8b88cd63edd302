#pragma once

#include <cstdint>
#include <random>

namespace faultline {

// Seeded, injectable randomness: toxics and tests get the same sequence for the same seed.
class Random {
 public:
  explicit Random(uint64_t seed = std::random_device{}()) : engine_(seed) {}

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
