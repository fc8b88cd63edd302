#include "net/timer_queue.h"

namespace faultline {

struct TimerQueue::State {
  uv_timer_t timer{};
  TimerQueue* owner = nullptr;  // null once retired: the close callback only frees the block
  bool armed = false;
  TimePoint armed_for{};
  std::map<std::pair<TimePoint, TimerId>, std::function<void()>> timers;
  std::unordered_map<TimerId, TimePoint> deadlines;
  std::function<void()> on_closed;
};

TimerQueue::TimerQueue() = default;

TimerQueue::~TimerQueue() {
  if (state_) retire(nullptr);
}

TimerId TimerQueue::after(Duration delay, std::function<void()> fn) {
  if (closing_ || loop_ == nullptr) return 0;
  if (!state_) {
    state_ = std::make_unique<State>();
    uv_timer_init(loop_, &state_->timer);
    state_->timer.data = state_.get();
    state_->owner = this;
  }
  if (delay < Duration::zero()) delay = Duration::zero();
  const TimerId id = next_id_++;
  const TimePoint deadline = Clock::now() + delay;
  state_->timers.emplace(std::make_pair(deadline, id), std::move(fn));
  state_->deadlines.emplace(id, deadline);
  arm();
  return id;
}

void TimerQueue::cancel(TimerId id) {
  if (!state_) return;
  auto it = state_->deadlines.find(id);
  if (it == state_->deadlines.end()) return;
  state_->timers.erase({it->second, id});
  state_->deadlines.erase(it);
}

std::size_t TimerQueue::pending() const { return state_ ? state_->timers.size() : 0; }

// libuv timers have millisecond resolution: round up so a deadline is never early, and
// refresh the loop's cached time first so time spent in this callback is not lost.
void TimerQueue::arm() {
  if (closing_ || !state_ || state_->timers.empty()) return;
  const TimePoint earliest = state_->timers.begin()->first.first;
  if (state_->armed && state_->armed_for <= earliest) return;
  const auto remaining = earliest - Clock::now();
  uint64_t ms = 0;
  if (remaining > Duration::zero()) ms = static_cast<uint64_t>(std::chrono::ceil<Millis>(remaining).count());
  // epoll_wait may oversleep by 0.1% of its timeout (the kernel's timer slack for poll), 1 ms on
  // a 1 s latency: long waits wake a little early and re-arm for the short remainder.
  if (ms > 10) ms -= ms / 500 + 1;
  uv_update_time(loop_);
  uv_timer_start(&state_->timer, &TimerQueue::onTimer, ms, 0);
  state_->armed = true;
  state_->armed_for = earliest;
}

void TimerQueue::onTimer(uv_timer_t* timer) noexcept {
  auto* state = static_cast<State*>(timer->data);
  if (state->owner != nullptr) state->owner->fire();
}

void TimerQueue::fire() {
  state_->armed = false;
  firing_ = true;
  // Run everything due; callbacks may schedule more (possibly already due) or cancel, or close
  // the queue (which retires the state: re-check it every time round).
  for (int guard = 0; guard < 100000 && !closing_ && state_ && !state_->timers.empty(); ++guard) {
    auto it = state_->timers.begin();
    if (it->first.first > Clock::now()) break;
    auto fn = std::move(it->second);
    state_->deadlines.erase(it->first.second);
    state_->timers.erase(it);
    fn();
  }
  firing_ = false;
  if (closing_) return;
  arm();
  if (after_fire_ != nullptr) after_fire_(after_fire_context_);
}

void TimerQueue::close(std::function<void()> on_closed) {
  if (closing_) return;
  closing_ = true;
  after_fire_ = nullptr;
  if (!state_) {
    if (on_closed) on_closed();
    return;
  }
  retire(std::move(on_closed));
}

void TimerQueue::releaseIfIdle() {
  if (closing_ || firing_ || !state_ || !state_->timers.empty()) return;
  retire(nullptr);
}

// The block goes to libuv with its handle and is freed by the close callback; the queue is
// free of it at once (and may make a new one, or be destroyed, before that callback runs).
void TimerQueue::retire(std::function<void()> on_closed) {
  State* state = state_.release();
  state->owner = nullptr;
  state->timers.clear();
  state->deadlines.clear();
  state->on_closed = std::move(on_closed);
  uv_close(reinterpret_cast<uv_handle_t*>(&state->timer), &TimerQueue::onClosed);
}

void TimerQueue::onClosed(uv_handle_t* handle) noexcept {
  std::unique_ptr<State> state(static_cast<State*>(handle->data));
  auto done = std::move(state->on_closed);
  state.reset();
  if (done) done();
}

}  // namespace faultline
