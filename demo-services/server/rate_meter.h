#pragma once

#include <array>
#include <cstdint>

#include "core/clock.h"

namespace faultline {

// Requests per second over the last complete second, for a /metrics gauge a chart can plot
// as it is (the retry storm's "load the partner sees") without a Prometheus rate() in between.
// Pure: time is passed in; one counter per whole second since the epoch of the steady clock.
class RateMeter {
 public:
  void record(TimePoint now);
  // Events in the last complete second before `now` (0 when that second saw none).
  uint64_t perSecond(TimePoint now) const;

 private:
  struct Slot {
    int64_t second = -1;
    uint64_t count = 0;
  };
  static int64_t secondOf(TimePoint now);
  std::array<Slot, 2> slots_{};
};

}  // namespace faultline
