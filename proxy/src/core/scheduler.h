#pragma once

#include <cstdint>
#include <functional>

#include "core/clock.h"

namespace faultline {

using TimerId = uint64_t;

// Deadlines on some clock. The loop's TimerQueue is one; tests use a fake clock. Ids are never
// 0, so 0 can mean "no timer".
class Scheduler {
 public:
  virtual ~Scheduler() = default;
  // Runs fn once after delay (never synchronously).
  virtual TimerId after(Duration delay, std::function<void()> fn) = 0;
  // Cancelling a timer that fired or was cancelled already is a no-op.
  virtual void cancel(TimerId id) = 0;
  virtual TimePoint now() const = 0;
};

}  // namespace faultline
