#include "bulkhead.h"

#include <algorithm>

namespace faultline {

Bulkhead::Ticket Bulkhead::enter() {
  if (in_flight_ < params_.max_concurrent) {
    ++in_flight_;
    return {Admission::kAdmitted, 0};
  }
  if (queue_.size() < params_.max_queue) {
    const WaiterId id = next_id_++;
    queue_.push_back(id);
    return {Admission::kQueued, id};
  }
  return {Admission::kShed, 0};
}

std::optional<Bulkhead::WaiterId> Bulkhead::release() {
  if (!queue_.empty()) {
    // The slot moves to the waiter: in_flight_ stays the same.
    const WaiterId id = queue_.front();
    queue_.pop_front();
    return id;
  }
  if (in_flight_ > 0) --in_flight_;
  return std::nullopt;
}

bool Bulkhead::cancel(WaiterId id) {
  auto it = std::find(queue_.begin(), queue_.end(), id);
  if (it == queue_.end()) return false;
  queue_.erase(it);
  return true;
}

std::string_view toString(Bulkhead::Admission admission) {
  switch (admission) {
    case Bulkhead::Admission::kAdmitted: return "admitted";
    case Bulkhead::Admission::kQueued: return "queued";
    case Bulkhead::Admission::kShed: return "shed";
  }
  return "unknown";
}

}  // namespace faultline
