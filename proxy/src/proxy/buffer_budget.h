#pragma once

#include <cstddef>
#include <functional>
#include <unordered_map>

#include "core/clock.h"
#include "net/memory_reclaim.h"

namespace faultline {

// The global cap on bytes buffered by all links together. A link that cannot read because the
// budget is exhausted registers a wake-up; when usage falls below half the cap every waiting
// link is woken (half, as Envoy's flow control does, to avoid thrashing at the boundary).
//
// It also notices when load ends: once usage has been high and falls back to almost nothing,
// freed memory is handed back to the system (at most once a second), so RSS follows the load
// down instead of staying at its high-water mark.
class BufferBudget {
 public:
  // Usage must have reached this since the last return, and fallen below the floor.
  static constexpr std::size_t kReturnAfterPeakBytes = 4u << 20;
  static constexpr std::size_t kReturnBelowBytes = 256u << 10;

  explicit BufferBudget(std::size_t cap_bytes) : cap_(cap_bytes) {}

  std::size_t used() const { return used_; }
  std::size_t cap() const { return cap_; }
  bool exhausted() const { return used_ >= cap_; }
  bool belowLowWatermark() const { return used_ < cap_ / 2; }
  std::size_t capHits() const { return cap_hits_; }

  void add(std::size_t bytes) {
    used_ += bytes;
    if (used_ > peak_since_return_) peak_since_return_ = used_;
  }
  void release(std::size_t bytes) {
    used_ -= bytes < used_ ? bytes : used_;
    if (!waiters_.empty() && belowLowWatermark()) wakeAll();
    if (peak_since_return_ >= kReturnAfterPeakBytes && used_ < kReturnBelowBytes) maybeReturnMemory();
  }

  void waitForRoom(const void* key, std::function<void()> wake) {
    if (waiters_.emplace(key, std::move(wake)).second) ++cap_hits_;
  }
  void cancelWait(const void* key) { waiters_.erase(key); }

 private:
  void maybeReturnMemory() {
    const TimePoint now = Clock::now();
    if (returned_once_ && now - last_return_ < std::chrono::seconds(1)) return;
    returned_once_ = true;
    last_return_ = now;
    peak_since_return_ = used_;
    returnFreeMemory();
  }

  void wakeAll() {
    auto waiters = std::move(waiters_);
    waiters_.clear();
    for (auto& [key, wake] : waiters) wake();
  }

  std::size_t cap_;
  std::size_t used_ = 0;
  std::size_t cap_hits_ = 0;
  std::size_t peak_since_return_ = 0;
  bool returned_once_ = false;
  TimePoint last_return_{};
  std::unordered_map<const void*, std::function<void()>> waiters_;
};

}  // namespace faultline
