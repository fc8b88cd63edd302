#pragma once

#include <cstdint>

#include "core/clock.h"
#include "core/random.h"

namespace faultline {

// Capped exponential backoff with FULL jitter (AWS Architecture Blog, "Exponential Backoff And
// Jitter"): the n-th retry waits uniform[0, min(cap, base * 2^n)]. Full jitter spreads retries of
// many clients that failed together, so they do not come back as one synchronized wave.
class Backoff {
 public:
  struct Params {
    Millis base{50};
    Millis cap{2000};
  };

  explicit Backoff(Params params) : params_(params) {}

  // min(cap, base * 2^retry), without overflowing for large retry numbers. retry 0 = first retry.
  Millis ceiling(uint32_t retry) const;
  // A delay drawn uniformly from [0, ceiling(retry)] (milliseconds, both ends included).
  Millis delay(uint32_t retry, Random& random) const;

  const Params& params() const { return params_; }

 private:
  Params params_;
};

}  // namespace faultline
