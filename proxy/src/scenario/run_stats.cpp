#include "scenario/run_stats.h"

#include <algorithm>
#include <cmath>

namespace faultline::scenario {

const char* outcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kOk: return "ok";
    case Outcome::kDegraded: return "degraded";
    case Outcome::kShed: return "shed";
    case Outcome::kClientError: return "client_error";
    case Outcome::kServerError: return "server_error";
    case Outcome::kTimeout: return "timeout";
    case Outcome::kConnectionError: return "connection_error";
  }
  return "?";
}

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(values.size())));
  return values[std::clamp<std::size_t>(rank, 1, values.size()) - 1];
}

RunStats computeStats(const VariantResult& variant) {
  RunStats stats;
  stats.requests = variant.requests.size();
  std::vector<double> latencies;
  latencies.reserve(variant.requests.size());
  for (const auto& r : variant.requests) {
    ++stats.by_outcome[static_cast<int>(r.outcome)];
    latencies.push_back(r.latency_ms);
    if (r.outcome == Outcome::kOk && r.attempts > 1) ++stats.ok_after_retry;
    if (r.outcome == Outcome::kDegraded) ++stats.fallback_reasons[r.reason.empty() ? "unstated" : r.reason];
    if (r.outcome == Outcome::kServerError || r.outcome == Outcome::kClientError) ++stats.error_statuses[r.status];
    if (r.outcome == Outcome::kShed) ++stats.shed_statuses[r.status];
  }
  stats.failed = stats.requests - stats.by_outcome[static_cast<int>(Outcome::kOk)] -
                 stats.by_outcome[static_cast<int>(Outcome::kDegraded)];
  stats.error_rate = stats.requests ? static_cast<double>(stats.failed) / static_cast<double>(stats.requests) : 0;
  for (const auto& series : variant.series) {
    if (!series.partner_load || !series.counter_last) continue;
    stats.partner_calls = series.counter_last;
    for (const auto& [t, y] : series.points) stats.partner_peak_per_s = std::max(stats.partner_peak_per_s, y);
    break;
  }
  stats.p50_ms = percentile(latencies, 50);
  stats.p90_ms = percentile(latencies, 90);
  stats.p99_ms = percentile(latencies, 99);
  stats.max_ms = latencies.empty() ? 0 : *std::max_element(latencies.begin(), latencies.end());

  // Only a window that closed while requests were still being sent can be recovered from.
  double fault_end = -1;
  for (const auto& w : variant.windows) {
    if (w.end_s < variant.duration_s) fault_end = std::max(fault_end, w.end_s);
  }
  if (fault_end < 0) return stats;
  for (const auto& w : variant.windows) {
    if (w.end_s >= variant.duration_s) return stats;  // a fault still on at the end
  }
  stats.last_fault_end_s = fault_end;
  // Recovered at the start of the first ok request after which every request started was ok.
  double last_bad_start = fault_end;
  bool any_bad = false;
  for (const auto& r : variant.requests) {
    if (r.start_s >= fault_end && r.outcome != Outcome::kOk) {
      last_bad_start = std::max(last_bad_start, r.start_s);
      any_bad = true;
    }
  }
  std::optional<double> first_ok;
  for (const auto& r : variant.requests) {
    if (r.start_s >= fault_end && r.outcome == Outcome::kOk && (!any_bad || r.start_s > last_bad_start)) {
      if (!first_ok || r.start_s < *first_ok) first_ok = r.start_s;
    }
  }
  // A server that died never recovers, whatever answered later (nothing did).
  if (first_ok && variant.exits.empty()) stats.recovery_s = *first_ok - fault_end;
  return stats;
}

}  // namespace faultline::scenario
