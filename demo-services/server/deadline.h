#pragma once

#include <algorithm>

#include "core/clock.h"

namespace faultline {

// The time a request has left. Every partner attempt and backoff is cut to fit inside it, so the
// server answers (with the partner's answer or the fallback) before the client gives up.
class Deadline {
 public:
  Deadline(TimePoint start, Duration budget) : at_(start + budget) {}

  TimePoint at() const { return at_; }
  bool expired(TimePoint now) const { return now >= at_; }
  Duration remaining(TimePoint now) const { return now >= at_ ? Duration{0} : at_ - now; }
  // The timeout of the next attempt: its own cap, shortened to what is left of the deadline.
  Duration attemptTimeout(TimePoint now, Duration per_attempt_cap) const {
    return std::min(remaining(now), per_attempt_cap);
  }

 private:
  TimePoint at_;
};

}  // namespace faultline
