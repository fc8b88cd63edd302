#pragma once

#include <cstdint>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "demo_outcome.h"

namespace faultline {

// Nearest-rank percentile of ascending `sorted` (p in [0, 100]): the smallest value with at least
// p% of the values at or below it. 0 for an empty set.
Micros percentile(const std::vector<Micros>& sorted, double p);

struct LoadSummary {
  uint64_t sent = 0;
  uint64_t success = 0;
  uint64_t degraded = 0;
  uint64_t shed = 0;
  uint64_t client_error = 0;
  uint64_t server_error = 0;
  uint64_t timeout = 0;
  uint64_t connection_error = 0;
  Micros p50{0}, p90{0}, p99{0}, max{0};
  double elapsed_seconds = 0;
  double sending_seconds = 0;
  double achieved_rate = 0;  // requests sent per second of sending
  double target_rate = 0;

  std::string toJson() const;
  std::string toText() const;  // several lines for a person
};

// Collects outcomes and latencies; latencies of timeouts count as the time waited.
class LoadReport {
 public:
  explicit LoadReport(double target_rate) : target_rate_(target_rate) {}

  void recordSent() { ++sent_; }
  void record(DemoOutcome outcome, Micros latency);
  uint64_t completed() const { return latencies_.size(); }
  uint64_t sent() const { return sent_; }
  uint64_t count(DemoOutcome outcome) const { return counts_[static_cast<std::size_t>(outcome)]; }

  // elapsed: the whole run, stragglers included; sending: the time spent sending (the achieved
  // rate is sent / sending, so waiting for slow answers does not read as a lower rate).
  LoadSummary summarize(Duration elapsed, Duration sending) const;
  LoadSummary summarize(Duration elapsed) const { return summarize(elapsed, elapsed); }

  // Prometheus text (demo-client --metrics-port): what the users of the server experience.
  std::string renderMetrics(std::size_t in_flight) const;

 private:
  double target_rate_;
  uint64_t sent_ = 0;
  uint64_t counts_[kDemoOutcomeCount] = {};
  std::vector<Micros> latencies_;
  static constexpr double kBucketsSeconds[] = {0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
  uint64_t buckets_[std::size(kBucketsSeconds)] = {};  // non-cumulative
  double latency_sum_seconds_ = 0;
};

}  // namespace faultline
