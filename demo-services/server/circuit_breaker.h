#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/clock.h"
#include "outcome_window.h"

namespace faultline {

// A circuit breaker (Nygard, "Release It!"; resilience4j's state machine):
//  - closed: calls pass; once the window holds at least `minimum_calls` and the failure rate
//    reaches the threshold, it opens;
//  - open: calls are refused at once (the caller answers with its fallback) for `open_duration`;
//  - half-open: at most `half_open_probes` calls are let through; one failed probe re-opens it,
//    `half_open_probes` successful probes close it with a fresh window.
// Pure: time is passed in, so tests drive it with a fake clock. Each call holds a Permit; a
// result from a permit of an earlier state period is ignored, so a slow call that started while
// closed cannot close a breaker that has since opened.
class CircuitBreaker {
 public:
  enum class State { kClosed, kOpen, kHalfOpen };

  struct Params {
    OutcomeWindow::Params window{};
    uint32_t failure_rate_percent = 50;  // open when failures * 100 >= calls * this
    uint32_t minimum_calls = 10;         // no verdict on fewer calls than this
    Duration open_duration{std::chrono::seconds(5)};
    uint32_t half_open_probes = 3;
  };

  struct Permit {
    uint64_t generation = 0;
    bool probe = false;
  };

  explicit CircuitBreaker(Params params);

  // A permit when a call may go ahead, nullopt when the breaker refuses it.
  std::optional<Permit> tryAcquire(TimePoint now);
  void onSuccess(const Permit& permit, TimePoint now);
  void onFailure(const Permit& permit, TimePoint now);
  // The permitted call was not made after all (e.g. shed by the bulkhead): frees a probe slot.
  void release(const Permit& permit);

  // The state as of `now` (an open breaker whose open_duration has passed reads as half-open).
  State state(TimePoint now);
  uint64_t transitions() const { return transitions_; }

 private:
  void refresh(TimePoint now);
  void transitionTo(State next, TimePoint now);

  Params params_;
  OutcomeWindow window_;
  State state_ = State::kClosed;
  uint64_t generation_ = 1;  // bumped on every state change
  TimePoint opened_at_{};
  uint32_t probes_in_flight_ = 0;
  uint32_t probe_successes_ = 0;
  uint64_t transitions_ = 0;
};

std::string_view toString(CircuitBreaker::State state);

}  // namespace faultline
