#pragma once

#include <cstdint>
#include <vector>

#include "core/clock.h"

namespace faultline {

// The recent outcomes a circuit breaker judges by: either the last N calls (count-based) or the
// calls of the last T seconds (time-based, in one-second-ish buckets). Pure; time is passed in.
class OutcomeWindow {
 public:
  enum class Kind { kCount, kTime };
  struct Params {
    Kind kind = Kind::kCount;
    uint32_t size = 20;                            // calls, for kCount
    Duration duration{std::chrono::seconds(10)};  // for kTime
    uint32_t buckets = 10;                         // for kTime: the window slides in duration/buckets steps
  };

  explicit OutcomeWindow(Params params);

  void record(bool failure, TimePoint now);
  void reset();

  uint64_t calls(TimePoint now) const;
  uint64_t failures(TimePoint now) const;

 private:
  struct Bucket {
    int64_t epoch = 0;
    bool used = false;
    uint64_t calls = 0;
    uint64_t failures = 0;
  };
  int64_t epochOf(TimePoint now) const { return now.time_since_epoch() / step_; }
  bool live(const Bucket& b, TimePoint now) const;

  Params params_;
  // kCount: a ring of the last `size` outcomes.
  std::vector<bool> ring_;
  std::size_t next_ = 0;
  std::size_t filled_ = 0;
  uint64_t ring_failures_ = 0;
  // kTime
  Duration step_{1};
  std::vector<Bucket> buckets_;
};

}  // namespace faultline
