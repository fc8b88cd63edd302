#include "rate_meter.h"

namespace faultline {

int64_t RateMeter::secondOf(TimePoint now) {
  return std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
}

void RateMeter::record(TimePoint now) {
  const int64_t second = secondOf(now);
  Slot& slot = slots_[static_cast<std::size_t>(second & 1)];
  if (slot.second != second) slot = {second, 0};
  ++slot.count;
}

uint64_t RateMeter::perSecond(TimePoint now) const {
  const int64_t previous = secondOf(now) - 1;
  const Slot& slot = slots_[static_cast<std::size_t>(previous & 1)];
  return slot.second == previous ? slot.count : 0;
}

}  // namespace faultline
