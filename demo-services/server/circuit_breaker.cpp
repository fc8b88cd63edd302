#include "circuit_breaker.h"

#include <algorithm>

namespace faultline {

CircuitBreaker::CircuitBreaker(Params params) : params_(params), window_(params.window) {
  params_.half_open_probes = std::max<uint32_t>(params_.half_open_probes, 1);
}

void CircuitBreaker::transitionTo(State next, TimePoint now) {
  state_ = next;
  ++generation_;
  ++transitions_;
  probes_in_flight_ = 0;
  probe_successes_ = 0;
  if (next == State::kOpen) opened_at_ = now;
  // A closed breaker judges only what happened since it closed, not the failures that opened it.
  if (next == State::kClosed) window_.reset();
}

void CircuitBreaker::refresh(TimePoint now) {
  if (state_ == State::kOpen && now - opened_at_ >= params_.open_duration) transitionTo(State::kHalfOpen, now);
}

CircuitBreaker::State CircuitBreaker::state(TimePoint now) {
  refresh(now);
  return state_;
}

std::optional<CircuitBreaker::Permit> CircuitBreaker::tryAcquire(TimePoint now) {
  refresh(now);
  switch (state_) {
    case State::kClosed:
      return Permit{generation_, false};
    case State::kOpen:
      return std::nullopt;
    case State::kHalfOpen:
      if (probes_in_flight_ + probe_successes_ >= params_.half_open_probes) return std::nullopt;
      ++probes_in_flight_;
      return Permit{generation_, true};
  }
  return std::nullopt;
}

void CircuitBreaker::onSuccess(const Permit& permit, TimePoint now) {
  refresh(now);
  if (permit.generation != generation_) return;
  if (state_ == State::kClosed) {
    window_.record(false, now);
    return;
  }
  if (state_ == State::kHalfOpen) {
    --probes_in_flight_;
    if (++probe_successes_ >= params_.half_open_probes) transitionTo(State::kClosed, now);
  }
}

void CircuitBreaker::onFailure(const Permit& permit, TimePoint now) {
  refresh(now);
  if (permit.generation != generation_) return;
  if (state_ == State::kHalfOpen) {
    transitionTo(State::kOpen, now);
    return;
  }
  if (state_ != State::kClosed) return;
  window_.record(true, now);
  const uint64_t calls = window_.calls(now);
  const uint64_t failures = window_.failures(now);
  if (calls >= params_.minimum_calls && failures * 100 >= calls * params_.failure_rate_percent) {
    transitionTo(State::kOpen, now);
  }
}

void CircuitBreaker::release(const Permit& permit) {
  if (permit.generation != generation_ || !permit.probe) return;
  if (state_ == State::kHalfOpen && probes_in_flight_ > 0) --probes_in_flight_;
}

std::string_view toString(CircuitBreaker::State state) {
  switch (state) {
    case CircuitBreaker::State::kClosed: return "closed";
    case CircuitBreaker::State::kOpen: return "open";
    case CircuitBreaker::State::kHalfOpen: return "half_open";
  }
  return "unknown";
}

}  // namespace faultline
