#include "toxics/latency_distribution.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>

namespace faultline {

namespace {
// The standard normal's 99th percentile: p99 = median * exp(sigma * z99) for a lognormal.
constexpr double kZ99 = 2.3263478740408408;
// A draw beyond a day is a typo's consequence, not a delay anyone wants; the bound also keeps
// the conversion to integer microseconds in range for the far Pareto tail.
constexpr double kMaxDelayUs = 86'400'000'000.0;

double micros(std::chrono::milliseconds ms) { return static_cast<double>(ms.count()) * 1000.0; }

Duration fromMicros(double us) {
  if (!(us > 0.0)) return Duration::zero();  // also catches NaN
  return std::chrono::duration_cast<Duration>(Micros(std::llround(std::min(us, kMaxDelayUs))));
}

// A uniform draw in (0, 1]: never 0, so logarithms and powers stay finite.
double openUnit(Random& random) { return 1.0 - random.unit(); }

}  // namespace

const char* distributionName(DistributionKind kind) {
  switch (kind) {
    case DistributionKind::kUniform: return "uniform";
    case DistributionKind::kNormal: return "normal";
    case DistributionKind::kLognormal: return "lognormal";
    case DistributionKind::kPareto: return "pareto";
  }
  return "uniform";
}

std::optional<DistributionKind> parseDistribution(std::string_view text) {
  for (auto kind : {DistributionKind::kUniform, DistributionKind::kNormal, DistributionKind::kLognormal,
                    DistributionKind::kPareto}) {
    if (text == distributionName(kind)) return kind;
  }
  return std::nullopt;
}

Status checkLatencyDistribution(const ToxicSpec& spec) {
  const std::string& name = spec.text("distribution");
  if (name != "lognormal" && name != "pareto") return {};
  if (spec.attr("latency") <= 0) {
    return Error::invalid("attributes.latency: distribution " + name +
                          " needs latency > 0 (the median, ms); got " + std::to_string(spec.attr("latency")));
  }
  if (spec.attr("p99") <= spec.attr("latency")) {
    return Error::invalid("attributes.p99: distribution " + name + " needs p99 (the 99th percentile, ms) above latency " +
                          std::to_string(spec.attr("latency")) + ", got " + std::to_string(spec.attr("p99")));
  }
  return {};
}

LatencyDistribution::LatencyDistribution(Params params) : params_(params) {
  if (!tailIsValid(params_)) return;
  const double ratio = micros(params_.p99) / micros(params_.latency);
  log_median_ = std::log(micros(params_.latency));
  log_sigma_ = std::log(ratio) / kZ99;
  // Pareto CDF 1 - (x_m / x)^alpha: median = x_m * 2^(1/alpha), p99 = x_m * 100^(1/alpha), so
  // p99 / median = 50^(1/alpha).
  pareto_alpha_ = std::log(50.0) / std::log(ratio);
  pareto_scale_us_ = micros(params_.latency) / std::pow(2.0, 1.0 / pareto_alpha_);
}

Duration LatencyDistribution::sample(Random& random) const {
  switch (params_.kind) {
    case DistributionKind::kUniform: return uniform(random);
    case DistributionKind::kNormal: return normal(random);
    case DistributionKind::kLognormal: return lognormal(random);
    case DistributionKind::kPareto: return pareto(random);
  }
  return uniform(random);
}

Duration LatencyDistribution::uniform(Random& random) const {
  Duration delay = params_.latency;
  if (params_.jitter.count() > 0) {
    // Microsecond resolution: Toxiproxy draws whole milliseconds, which a finer draw contains.
    const auto jitter_us = std::chrono::duration_cast<Micros>(params_.jitter).count();
    delay += Micros(random.between(-jitter_us, jitter_us));
  }
  return std::max(delay, Duration::zero());
}

Duration LatencyDistribution::normal(Random& random) const {
  if (params_.jitter.count() == 0) return params_.latency;
  // Box-Muller from two uniform draws: the Random interface offers only uniform numbers.
  const double radius = std::sqrt(-2.0 * std::log(openUnit(random)));
  const double z = radius * std::cos(2.0 * std::numbers::pi * random.unit());
  return fromMicros(micros(params_.latency) + z * micros(params_.jitter));
}

Duration LatencyDistribution::lognormal(Random& random) const {
  if (!tailIsValid(params_)) return params_.latency;
  const double radius = std::sqrt(-2.0 * std::log(openUnit(random)));
  const double z = radius * std::cos(2.0 * std::numbers::pi * random.unit());
  return fromMicros(std::exp(log_median_ + log_sigma_ * z));
}

Duration LatencyDistribution::pareto(Random& random) const {
  if (!tailIsValid(params_)) return params_.latency;
  // Inverse CDF: x = x_m / U^(1/alpha) for U uniform in (0, 1].
  return fromMicros(pareto_scale_us_ / std::pow(openUnit(random), 1.0 / pareto_alpha_));
}

}  // namespace faultline
