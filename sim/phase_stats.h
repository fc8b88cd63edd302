#pragma once

#include <array>
#include <optional>

#include "sim_types.h"

namespace faultline::sim {

// The numbers of one phase that the table and the report show.
struct PhaseStats {
  std::size_t requests = 0;
  std::array<std::size_t, kOutcomeCount> by_outcome{};
  double p50_ms = 0, p90_ms = 0, p99_ms = 0, max_ms = 0;
  double peak_rss_mib = 0;
  double breaker_transitions = 0;
  // Seconds from the end of the last fault window until requests answer ok again and keep
  // doing so; nullopt when there was no window or it never recovered.
  std::optional<double> recovery_s;
  bool recovered = false;
};

// Nearest-rank percentile of an unsorted sample; 0 when empty.
double percentile(std::vector<double> values, double p);

PhaseStats computeStats(const PhaseResult& phase);

}  // namespace faultline::sim
