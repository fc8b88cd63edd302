#include "outcome_window.h"

#include <algorithm>

namespace faultline {

OutcomeWindow::OutcomeWindow(Params params) : params_(params) {
  if (params_.kind == Kind::kCount) {
    ring_.assign(std::max<uint32_t>(params_.size, 1), false);
  } else {
    params_.buckets = std::max<uint32_t>(params_.buckets, 1);
    step_ = std::max<Duration>(params_.duration / params_.buckets, Duration{1});
    buckets_.resize(params_.buckets);
  }
}

void OutcomeWindow::reset() {
  std::fill(ring_.begin(), ring_.end(), false);
  next_ = 0;
  filled_ = 0;
  ring_failures_ = 0;
  std::fill(buckets_.begin(), buckets_.end(), Bucket{});
}

bool OutcomeWindow::live(const Bucket& b, TimePoint now) const {
  const int64_t epoch = epochOf(now);
  return b.used && b.epoch <= epoch && b.epoch > epoch - static_cast<int64_t>(buckets_.size());
}

void OutcomeWindow::record(bool failure, TimePoint now) {
  if (params_.kind == Kind::kCount) {
    if (filled_ == ring_.size()) {
      if (ring_[next_]) --ring_failures_;
    } else {
      ++filled_;
    }
    ring_[next_] = failure;
    if (failure) ++ring_failures_;
    next_ = (next_ + 1) % ring_.size();
    return;
  }
  const int64_t epoch = epochOf(now);
  const auto n = static_cast<int64_t>(buckets_.size());
  Bucket& b = buckets_[static_cast<std::size_t>(((epoch % n) + n) % n)];
  if (!b.used || b.epoch != epoch) b = Bucket{epoch, true, 0, 0};
  ++b.calls;
  if (failure) ++b.failures;
}

uint64_t OutcomeWindow::calls(TimePoint now) const {
  if (params_.kind == Kind::kCount) return filled_;
  uint64_t total = 0;
  for (const Bucket& b : buckets_) {
    if (live(b, now)) total += b.calls;
  }
  return total;
}

uint64_t OutcomeWindow::failures(TimePoint now) const {
  if (params_.kind == Kind::kCount) return ring_failures_;
  uint64_t total = 0;
  for (const Bucket& b : buckets_) {
    if (live(b, now)) total += b.failures;
  }
  return total;
}

}  // namespace faultline
