#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>

#include "core/clock.h"

namespace faultline {

// What one toxic (by name, on one proxy) did to the connections and bytes through it: the
// evidence /metrics gives that a fault really happened. One instance per toxic name, shared by
// every link of the proxy (and by sessions that outlive it). Loop thread only.
struct ToxicCounters {
  std::string type;
  std::map<std::string, uint64_t> cuts;  // cut: connections cut, by mode (reset, close, hang)
  uint64_t stalls = 0;                   // tcp_loss: chunks "lost", each a stall
  Duration stalled{};                    // tcp_loss: those stalls' time together
  uint64_t bytes_corrupted = 0;          // corrupt: bytes that got a flipped bit

  // latency: every delay drawn, as a histogram. Upper bounds in ms; one more bucket for +Inf.
  static constexpr std::array<int64_t, 12> kDelayBucketsMs = {1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000};
  std::array<uint64_t, kDelayBucketsMs.size() + 1> delay_buckets{};  // per bucket, not cumulative
  uint64_t delays = 0;
  Duration delay_sum{};

  void countDelay(Duration delay) {
    const auto ms = std::chrono::duration<double, std::milli>(delay).count();
    std::size_t i = 0;
    while (i < kDelayBucketsMs.size() && ms > static_cast<double>(kDelayBucketsMs[i])) ++i;
    ++delay_buckets[i];
    ++delays;
    delay_sum += delay;
  }
};

}  // namespace faultline
