#pragma once

#include <climits>
#include <cstdint>
#include <vector>

#include "core/clock.h"

namespace faultline {

// Caps retries at a fraction of requests over a sliding time window (Finagle's RetryBudget,
// gRPC's retry throttling): when the partner is down, retries would otherwise multiply the load
// on it exactly when it can least take it. A small floor keeps retries possible at low traffic.
class RetryBudget {
 public:
  struct Params {
    Duration window{std::chrono::seconds(10)};
    uint32_t ratio_percent = 20;  // retries may be at most this % of requests in the window
    uint32_t min_retries = 3;     // ... plus this many, so a quiet service can still retry
    uint32_t buckets = 10;        // the window slides in steps of window / buckets
  };

  explicit RetryBudget(Params params);

  // Every first attempt is a request.
  void recordRequest(TimePoint now);
  // True, and counts the retry, when one more retry stays within the budget.
  bool tryAcquireRetry(TimePoint now);

  uint64_t requests(TimePoint now);
  uint64_t retries(TimePoint now);

 private:
  struct Bucket {
    int64_t epoch = INT64_MIN;  // which window/buckets step this bucket currently counts
    uint64_t requests = 0;
    uint64_t retries = 0;
  };
  Bucket& current(TimePoint now);
  void sum(TimePoint now, uint64_t& requests, uint64_t& retries);
  int64_t epochOf(TimePoint now) const;

  Params params_;
  Duration step_;
  std::vector<Bucket> buckets_;
};

}  // namespace faultline
