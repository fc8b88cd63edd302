#include "retry_budget.h"

#include <algorithm>

namespace faultline {

RetryBudget::RetryBudget(Params params) : params_(params) {
  params_.buckets = std::max<uint32_t>(params_.buckets, 1);
  step_ = std::max<Duration>(params_.window / params_.buckets, Duration{1});
  buckets_.resize(params_.buckets);
}

int64_t RetryBudget::epochOf(TimePoint now) const { return now.time_since_epoch() / step_; }

RetryBudget::Bucket& RetryBudget::current(TimePoint now) {
  const int64_t epoch = epochOf(now);
  const auto n = static_cast<int64_t>(buckets_.size());
  Bucket& b = buckets_[static_cast<std::size_t>(((epoch % n) + n) % n)];
  if (b.epoch != epoch) b = Bucket{epoch, 0, 0};
  return b;
}

void RetryBudget::sum(TimePoint now, uint64_t& requests, uint64_t& retries) {
  const int64_t epoch = epochOf(now);
  const auto n = static_cast<int64_t>(buckets_.size());
  requests = 0;
  retries = 0;
  for (const Bucket& b : buckets_) {
    if (b.epoch > epoch - n && b.epoch <= epoch) {
      requests += b.requests;
      retries += b.retries;
    }
  }
}

void RetryBudget::recordRequest(TimePoint now) { ++current(now).requests; }

bool RetryBudget::tryAcquireRetry(TimePoint now) {
  uint64_t requests = 0;
  uint64_t retries = 0;
  sum(now, requests, retries);
  // Integer arithmetic: retries + 1 <= requests * ratio / 100 + min_retries.
  const uint64_t allowed = requests * params_.ratio_percent / 100 + params_.min_retries;
  if (retries + 1 > allowed) return false;
  ++current(now).retries;
  return true;
}

uint64_t RetryBudget::requests(TimePoint now) {
  uint64_t requests = 0;
  uint64_t retries = 0;
  sum(now, requests, retries);
  return requests;
}

uint64_t RetryBudget::retries(TimePoint now) {
  uint64_t requests = 0;
  uint64_t retries = 0;
  sum(now, requests, retries);
  return retries;
}

}  // namespace faultline
