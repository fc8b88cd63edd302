#pragma once

#include <uv.h>

#include <functional>
#include <map>
#include <unordered_map>
#include <utility>

#include "core/scheduler.h"

namespace faultline {

// Many deadlines over one uv_timer_t (a link has one per stage timer, thousands a second on a
// latency toxic; one libuv timer each would churn the loop's heap). Owns its handle: close()
// starts uv_close and calls on_closed from the close callback, after which the queue may be
// freed. Deadlines are never early: libuv's millisecond resolution is rounded up, and long
// waits wake slightly early and re-arm for the remainder (the kernel's poll slack).
class TimerQueue final : public Scheduler {
 public:
  TimerQueue() = default;
  TimerQueue(const TimerQueue&) = delete;
  TimerQueue& operator=(const TimerQueue&) = delete;

  void init(uv_loop_t* loop);
  // Drops every pending deadline and closes the handle; on_closed runs from its close callback.
  void close(std::function<void()> on_closed);

  // Scheduler.
  TimerId after(Duration delay, std::function<void()> fn) override;
  void cancel(TimerId id) override;
  TimePoint now() const override { return Clock::now(); }

  std::size_t pending() const { return timers_.size(); }
  // Runs after every batch of due timers (the link re-checks flow control there).
  void setAfterFire(std::function<void()> fn) { after_fire_ = std::move(fn); }

 private:
  void arm();
  void fire();
  static void onTimer(uv_timer_t* timer) noexcept;
  static void onClosed(uv_handle_t* handle) noexcept;

  uv_loop_t* loop_ = nullptr;
  uv_timer_t timer_{};
  bool initialized_ = false;
  bool closing_ = false;
  bool armed_ = false;
  TimePoint armed_for_{};
  TimerId next_id_ = 1;
  std::map<std::pair<TimePoint, TimerId>, std::function<void()>> timers_;
  std::unordered_map<TimerId, TimePoint> deadlines_;
  std::function<void()> after_fire_;
  std::function<void()> on_closed_;
};

}  // namespace faultline
