#pragma once

#include <cstddef>
#include <functional>
#include <unordered_map>

#include "net/memory_reclaim.h"

namespace faultline {

// The global cap on bytes buffered by all links together. A link that cannot read because the
// budget is exhausted registers a wake-up; when usage falls below half the cap every waiting
// link is woken (half, as Envoy's flow control does, to avoid thrashing at the boundary).
//
// It also notices when load ends: once usage has been high and falls back to nothing, freed
// memory is handed back to the system, so RSS follows the load down instead of staying at its
// high-water mark. Usage must reach kReturnAfterPeakBytes again before the next return, which bounds
// the heap walks to one per kReturnAfterPeakBytes buffered (and with many busy links usage does
// not touch zero until the load ends).
class BufferBudget {
 public:
  // Usage must have reached this since the last return, and fallen back to zero.
  static constexpr std::size_t kReturnAfterPeakBytes = 1u << 20;

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
    if (used_ == 0 && peak_since_return_ >= kReturnAfterPeakBytes) {
      peak_since_return_ = 0;
      returnFreeMemory();
    }
  }

  void waitForRoom(const void* key, std::function<void()> wake) {
    if (waiters_.emplace(key, std::move(wake)).second) ++cap_hits_;
  }
  void cancelWait(const void* key) { waiters_.erase(key); }

 private:
  void wakeAll() {
    auto waiters = std::move(waiters_);
    waiters_.clear();
    for (auto& [key, wake] : waiters) wake();
  }

  std::size_t cap_;
  std::size_t used_ = 0;
  std::size_t cap_hits_ = 0;
  std::size_t peak_since_return_ = 0;
  std::unordered_map<const void*, std::function<void()>> waiters_;
};

}  // namespace faultline
