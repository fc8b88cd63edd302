#pragma once
// faultline/testing/schedule.hpp -- when a fault is on, as a value: a toxic with a schedule is
// applied only inside its windows, and the server removes it after its last one (so a test that
// crashes cannot leave it behind).
//
//   auto slow = payments.withToxic(ft::latency(2000).during(ft::Schedule::after(1s).forDuration(3s)));
//   payments.addToxic(ft::latency(500).forDuration(30s));   // a dead-man switch
//   ft::Schedule::after(2s).forDuration(3s).every(10s).times(3);  // three windows

#include <chrono>
#include <cstdint>
#include <optional>

#include <nlohmann/json.hpp>

namespace faultline::testing {

struct Schedule {
  std::chrono::milliseconds start{0};
  std::optional<std::chrono::milliseconds> duration;  // absent: on for good once started
  std::optional<std::chrono::milliseconds> period;    // absent: one window
  std::optional<uint32_t> count;                      // absent with a period: for ever

  static Schedule after(std::chrono::milliseconds delay) { Schedule s; s.start = delay; return s; }
  static Schedule lasting(std::chrono::milliseconds length) { Schedule s; s.duration = length; return s; }
  Schedule forDuration(std::chrono::milliseconds length) const { Schedule s = *this; s.duration = length; return s; }
  Schedule every(std::chrono::milliseconds p) const { Schedule s = *this; s.period = p; return s; }
  Schedule times(uint32_t n) const { Schedule s = *this; s.count = n; return s; }

  // The REST API's `schedule` object.
  nlohmann::json toJson() const {
    nlohmann::json out{{"start_ms", start.count()}};
    if (duration) out["duration_ms"] = duration->count();
    if (period) out["every_ms"] = period->count();
    if (count) out["times"] = *count;
    return out;
  }
};

}  // namespace faultline::testing
