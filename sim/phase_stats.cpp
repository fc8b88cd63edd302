#include "phase_stats.h"

#include <algorithm>
#include <cmath>

namespace faultline::sim {

const char* outcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kOk: return "ok";
    case Outcome::kDegraded: return "degraded";
    case Outcome::kShed: return "shed";
    case Outcome::kError: return "error";
    case Outcome::kTimeout: return "timeout";
  }
  return "?";
}

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(values.size())));
  return values[std::clamp<std::size_t>(rank, 1, values.size()) - 1];
}

PhaseStats computeStats(const PhaseResult& phase) {
  PhaseStats stats;
  stats.requests = phase.requests.size();
  std::vector<double> latencies;
  latencies.reserve(phase.requests.size());
  for (const auto& r : phase.requests) {
    ++stats.by_outcome[static_cast<int>(r.outcome)];
    latencies.push_back(r.latency_ms);
  }
  stats.p50_ms = percentile(latencies, 50);
  stats.p90_ms = percentile(latencies, 90);
  stats.p99_ms = percentile(latencies, 99);
  stats.max_ms = latencies.empty() ? 0 : *std::max_element(latencies.begin(), latencies.end());
  for (const auto& s : phase.samples) {
    stats.peak_rss_mib = std::max(stats.peak_rss_mib, s.rss_mib);
    stats.breaker_transitions = std::max(stats.breaker_transitions, s.breaker_transitions);
  }
  if (!phase.windows.empty()) {
    // Recovered at the start of the first ok request after which every request started was ok.
    const double fault_end = phase.windows.back().end_s;
    double last_bad_start = fault_end;
    bool any_ok_after = false;
    for (const auto& r : phase.requests) {
      if (r.start_s < fault_end) continue;
      if (r.outcome != Outcome::kOk) last_bad_start = std::max(last_bad_start, r.start_s);
    }
    double first_ok = -1;
    for (const auto& r : phase.requests) {
      if (r.start_s >= last_bad_start && r.outcome == Outcome::kOk && r.start_s >= fault_end) {
        if (first_ok < 0 || r.start_s < first_ok) first_ok = r.start_s;
        any_ok_after = true;
      }
    }
    // Only a server that was failing in the window can "recover"; a last request that failed
    // means it never did.
    if (any_ok_after && !phase.server_exit_code) {
      stats.recovered = true;
      stats.recovery_s = first_ok - fault_end;
    }
  }
  return stats;
}

}  // namespace faultline::sim
