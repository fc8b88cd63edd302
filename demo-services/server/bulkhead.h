#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string_view>

namespace faultline {

// Limits concurrent partner calls (the ship's bulkhead: one flooded compartment does not sink the
// rest). Calls beyond `max_concurrent` wait in a FIFO queue of at most `max_queue`; beyond that
// they are shed at once, so an overloaded server answers 503 fast instead of piling up work.
// Pure bookkeeping: the caller keeps what each waiter id stands for and starts it when told.
class Bulkhead {
 public:
  struct Params {
    uint32_t max_concurrent = 10;
    uint32_t max_queue = 20;
  };
  using WaiterId = uint64_t;

  enum class Admission { kAdmitted, kQueued, kShed };
  struct Ticket {
    Admission admission = Admission::kShed;
    WaiterId id = 0;  // for kQueued: pass to cancel(), and expect it back from release()
  };

  explicit Bulkhead(Params params) : params_(params) {}

  Ticket enter();
  // An admitted call finished. When someone is queued, the slot passes straight to the first
  // waiter and its id is returned: the caller starts that call now.
  std::optional<WaiterId> release();
  // A queued waiter gave up (its deadline passed). False when it was not queued (already started).
  bool cancel(WaiterId id);

  uint32_t inFlight() const { return in_flight_; }
  std::size_t queued() const { return queue_.size(); }
  const Params& params() const { return params_; }

 private:
  Params params_;
  uint32_t in_flight_ = 0;
  std::deque<WaiterId> queue_;
  WaiterId next_id_ = 1;
};

std::string_view toString(Bulkhead::Admission admission);

}  // namespace faultline
