#include "net/timer_queue.h"

namespace faultline {

void TimerQueue::init(uv_loop_t* loop) {
  loop_ = loop;
  uv_timer_init(loop, &timer_);
  timer_.data = this;
  initialized_ = true;
}

TimerId TimerQueue::after(Duration delay, std::function<void()> fn) {
  if (closing_ || !initialized_) return 0;
  if (delay < Duration::zero()) delay = Duration::zero();
  const TimerId id = next_id_++;
  const TimePoint deadline = Clock::now() + delay;
  timers_.emplace(std::make_pair(deadline, id), std::move(fn));
  deadlines_.emplace(id, deadline);
  arm();
  return id;
}

void TimerQueue::cancel(TimerId id) {
  auto it = deadlines_.find(id);
  if (it == deadlines_.end()) return;
  timers_.erase({it->second, id});
  deadlines_.erase(it);
}

// libuv timers have millisecond resolution: round up so a deadline is never early, and
// refresh the loop's cached time first so time spent in this callback is not lost.
void TimerQueue::arm() {
  if (closing_ || timers_.empty()) return;
  const TimePoint earliest = timers_.begin()->first.first;
  if (armed_ && armed_for_ <= earliest) return;
  const auto remaining = earliest - Clock::now();
  uint64_t ms = 0;
  if (remaining > Duration::zero()) ms = static_cast<uint64_t>(std::chrono::ceil<Millis>(remaining).count());
  // epoll_wait may oversleep by 0.1% of its timeout (the kernel's timer slack for poll), 1 ms on
  // a 1 s latency: long waits wake a little early and re-arm for the short remainder.
  if (ms > 10) ms -= ms / 500 + 1;
  uv_update_time(loop_);
  uv_timer_start(&timer_, &TimerQueue::onTimer, ms, 0);
  armed_ = true;
  armed_for_ = earliest;
}

void TimerQueue::onTimer(uv_timer_t* timer) noexcept { static_cast<TimerQueue*>(timer->data)->fire(); }

void TimerQueue::fire() {
  armed_ = false;
  // Run everything due; callbacks may schedule more (possibly already due) or cancel.
  for (int guard = 0; guard < 100000 && !closing_ && !timers_.empty(); ++guard) {
    auto it = timers_.begin();
    if (it->first.first > Clock::now()) break;
    auto fn = std::move(it->second);
    deadlines_.erase(it->first.second);
    timers_.erase(it);
    fn();
  }
  if (closing_) return;
  arm();
  if (after_fire_) after_fire_();
}

void TimerQueue::close(std::function<void()> on_closed) {
  if (closing_) return;
  closing_ = true;
  timers_.clear();
  deadlines_.clear();
  after_fire_ = nullptr;
  on_closed_ = std::move(on_closed);
  if (!initialized_) {
    if (on_closed_) on_closed_();
    return;
  }
  uv_close(reinterpret_cast<uv_handle_t*>(&timer_), &TimerQueue::onClosed);
}

void TimerQueue::onClosed(uv_handle_t* handle) noexcept {
  auto* self = static_cast<TimerQueue*>(handle->data);
  auto done = std::move(self->on_closed_);
  if (done) done();
}

}  // namespace faultline
