#pragma once

#include <chrono>
#include <optional>
#include <string_view>

#include "core/clock.h"
#include "core/random.h"
#include "core/result.h"
#include "toxics/toxic_spec.h"

namespace faultline {

enum class DistributionKind { kUniform, kNormal, kLognormal, kPareto };

const char* distributionName(DistributionKind kind);
std::optional<DistributionKind> parseDistribution(std::string_view text);

// The latency toxic's rule between attributes: lognormal and pareto need a positive latency (their
// median) and a p99 above it.
Status checkLatencyDistribution(const ToxicSpec& spec);

// How a latency toxic draws each chunk's delay. Built once per stage from validated settings;
// sampling only reads the precomputed parameters, so the hot path does no validation.
//   uniform:   latency +/- jitter (Toxiproxy's jitter)
//   normal:    mean latency, standard deviation jitter
//   lognormal: median latency, 99th percentile p99
//   pareto:    median latency, 99th percentile p99 (a long tail: most chunks near the median,
//              a few far out)
// Every draw goes through the Random it is given and is clamped at zero (never negative).
class LatencyDistribution {
 public:
  struct Params {
    DistributionKind kind = DistributionKind::kUniform;
    std::chrono::milliseconds latency{0};
    std::chrono::milliseconds jitter{0};
    std::chrono::milliseconds p99{0};
  };

  explicit LatencyDistribution(Params params);

  Duration sample(Random& random) const;
  // A tail distribution needs p99 above a positive median; otherwise it is a constant delay.
  static bool tailIsValid(const Params& params) {
    return params.latency.count() > 0 && params.p99 > params.latency;
  }

 private:
  Duration uniform(Random& random) const;
  Duration normal(Random& random) const;
  Duration lognormal(Random& random) const;
  Duration pareto(Random& random) const;

  Params params_;
  // Precomputed shape: sigma of ln(delay) for lognormal, the Pareto shape alpha and scale x_m.
  double log_median_ = 0.0;
  double log_sigma_ = 0.0;
  double pareto_alpha_ = 0.0;
  double pareto_scale_us_ = 0.0;
};

}  // namespace faultline
