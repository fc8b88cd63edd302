#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "core/clock.h"

namespace faultline {

// Counters and a latency histogram for the demo server, rendered as Prometheus text (format
// 0.0.4). The gauges (breaker state, in-flight calls, RSS) are read at render time.
class ServerMetrics {
 public:
  // Upper bounds in seconds; a partner that answers in 1-10 s needs the long tail.
  static constexpr std::array<double, 12> kLatencyBucketsSeconds = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                                    0.5,   1.0,  2.5,   5.0,  10.0, 30.0};

  struct Gauges {
    std::string name = "server";  // the tier (--name), so one dashboard tells edge from middle
    int breaker_state = 0;  // 0 closed, 1 open, 2 half-open
    uint64_t breaker_transitions = 0;
    uint64_t partner_in_flight = 0;  // protected and unprotected
    uint64_t bulkhead_in_flight = 0;
    uint64_t bulkhead_queued = 0;
    uint64_t rss_bytes = 0;
    uint64_t memory_limit_bytes = 0;
    std::map<std::string, uint64_t> in_flight;  // requests not yet answered, by path
    double rate_limit_tokens = 0;               // left in /limited's token bucket
  };

  // path: "/protected"; outcome: "ok", "degraded", "shed", "error", ...
  void recordRequest(const std::string& path, const std::string& outcome, Duration latency);
  // reason: what the failed attempt was ("timeout", "503", "reset", "retry_after" when the
  // partner's Retry-After set the wait).
  void recordRetry(const std::string& path, const std::string& reason) { ++retries_[{path, reason}]; }
  void recordRetryDenied() { ++retries_denied_; }
  void recordPartnerAttempt(const std::string& path, const std::string& result) { ++attempts_[{path, result}]; }

  uint64_t requests(const std::string& path, const std::string& outcome) const;
  uint64_t retries(const std::string& path, const std::string& reason) const;

  std::string render(const Gauges& gauges) const;

 private:
  struct Histogram {
    std::array<uint64_t, kLatencyBucketsSeconds.size()> buckets{};  // non-cumulative counts
    uint64_t count = 0;
    double sum_seconds = 0;
  };
  std::map<std::pair<std::string, std::string>, uint64_t> requests_;
  std::map<std::string, Histogram> latency_;
  std::map<std::pair<std::string, std::string>, uint64_t> attempts_;
  std::map<std::pair<std::string, std::string>, uint64_t> retries_;
  uint64_t retries_denied_ = 0;
};

}  // namespace faultline
