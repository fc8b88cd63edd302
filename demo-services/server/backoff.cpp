#include "backoff.h"

namespace faultline {

Millis Backoff::ceiling(uint32_t retry) const {
  const int64_t base = params_.base.count();
  const int64_t cap = params_.cap.count();
  if (base <= 0 || cap <= 0) return Millis{0};
  int64_t value = base;
  // Doubling stops at the cap, so 2^retry never overflows.
  for (uint32_t i = 0; i < retry && value < cap; ++i) value *= 2;
  return Millis{value < cap ? value : cap};
}

Millis Backoff::delay(uint32_t retry, Random& random) const {
  return Millis{random.between(0, ceiling(retry).count())};
}

}  // namespace faultline
