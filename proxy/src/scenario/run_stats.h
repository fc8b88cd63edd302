#pragma once

#include <array>
#include <optional>

#include "scenario/run_types.h"

namespace faultline::scenario {

// The numbers of one variant that the table, the verdicts and the report show.
struct RunStats {
  std::size_t requests = 0;
  std::array<std::size_t, kOutcomeCount> by_outcome{};
  std::size_t failed = 0;  // shed, error and timeout: no usable answer
  double error_rate = 0;   // failed / requests
  double p50_ms = 0, p90_ms = 0, p99_ms = 0, max_ms = 0;
  // Seconds from the end of the last fault window until requests answer ok again and keep
  // doing so; nullopt when no window ended during the load or it never recovered.
  std::optional<double> recovery_s;
  std::optional<double> last_fault_end_s;
};

// Nearest-rank percentile of an unsorted sample; 0 when empty.
double percentile(std::vector<double> values, double p);

RunStats computeStats(const VariantResult& variant);

}  // namespace faultline::scenario
