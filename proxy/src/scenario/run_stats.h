#pragma once

#include <array>
#include <map>
#include <string>
#include <optional>

#include "scenario/run_types.h"

namespace faultline::scenario {

// The numbers of one variant that the table, the verdicts and the report show.
struct RunStats {
  std::size_t requests = 0;
  std::array<std::size_t, kOutcomeCount> by_outcome{};
  std::size_t failed = 0;  // neither ok nor degraded: no usable answer
  double error_rate = 0;   // failed / requests
  double p50_ms = 0, p90_ms = 0, p99_ms = 0, max_ms = 0;
  // Seconds from the end of the last fault window until requests answer ok again and keep
  // doing so; nullopt when no window ended during the load or it never recovered.
  std::optional<double> recovery_s;
  std::optional<double> last_fault_end_s;
  // Why: the ok answers that took more than one partner call, the fallbacks by their reason,
  // the client and server errors and the refusals by status.
  std::size_t ok_after_retry = 0;
  std::map<std::string, std::size_t> fallback_reasons;
  std::map<int, std::size_t> error_statuses;
  std::map<int, std::size_t> shed_statuses;
  // From the observe: entry marked partner_load: the partner's calls in all, and the peak rate.
  std::optional<double> partner_calls;
  double partner_peak_per_s = 0;
  double amplification() const { return partner_calls && requests ? *partner_calls / static_cast<double>(requests) : 0; }
};

// Nearest-rank percentile of an unsorted sample; 0 when empty.
double percentile(std::vector<double> values, double p);

RunStats computeStats(const VariantResult& variant);

}  // namespace faultline::scenario
