#pragma once

#include <cstddef>
#include <functional>
#include <unordered_map>

namespace faultline {

// The global cap on bytes buffered by all links together. A link that cannot read because the
// budget is exhausted registers a wake-up; when usage falls below half the cap every waiting
// link is woken (half, as Envoy's flow control does, to avoid thrashing at the boundary).
class BufferBudget {
 public:
  explicit BufferBudget(std::size_t cap_bytes) : cap_(cap_bytes) {}

  std::size_t used() const { return used_; }
  std::size_t cap() const { return cap_; }
  bool exhausted() const { return used_ >= cap_; }
  bool belowLowWatermark() const { return used_ < cap_ / 2; }
  std::size_t capHits() const { return cap_hits_; }

  void add(std::size_t bytes) { used_ += bytes; }
  void release(std::size_t bytes) {
    used_ -= bytes < used_ ? bytes : used_;
    if (!waiters_.empty() && belowLowWatermark()) wakeAll();
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
  std::unordered_map<const void*, std::function<void()>> waiters_;
};

}  // namespace faultline
