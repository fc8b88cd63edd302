#pragma once

#include <uv.h>

#include <functional>
#include <map>
#include <memory>
#include <unordered_map>
#include <utility>

#include "core/scheduler.h"

namespace faultline {

// Many deadlines over one uv_timer_t (a link has one per stage timer, thousands a second on a
// latency toxic; one libuv timer each would churn the loop's heap). Deadlines are never early:
// libuv's millisecond resolution is rounded up, and long waits wake slightly early and re-arm
// for the remainder (the kernel's poll slack).
//
// The handle and the deadline maps are made by the first after(), not by init(): most links
// never schedule anything, and an idle proxied connection should cost what its sockets cost
// (~330 bytes less per link). The handle lives in a block of its own that its close callback
// frees, so the queue itself never waits on libuv: close() and releaseIfIdle() hand the block
// to uv_close and forget it.
class TimerQueue final : public Scheduler {
 public:
  TimerQueue();
  TimerQueue(const TimerQueue&) = delete;
  TimerQueue& operator=(const TimerQueue&) = delete;
  // A queue with a live handle must be closed first; destroying it open would free a handle
  // libuv still holds, so that handle is closed here (and freed by its callback) instead.
  ~TimerQueue() override;

  void init(uv_loop_t* loop) { loop_ = loop; }
  // Drops every pending deadline. on_closed runs from the handle's close callback, or before
  // close() returns when the queue holds no handle.
  void close(std::function<void()> on_closed);
  // Nothing pending: give the handle back (it is made again by the next after()). For an owner
  // whose only deadline is over, e.g. a session once its upstream is connected.
  void releaseIfIdle();

  // Scheduler.
  TimerId after(Duration delay, std::function<void()> fn) override;
  void cancel(TimerId id) override;
  TimePoint now() const override { return Clock::now(); }

  std::size_t pending() const;
  bool holdsHandle() const { return state_ != nullptr; }
  // Runs after every batch of due timers (the link re-checks flow control there).
  void setAfterFire(void (*fn)(void*), void* context) {
    after_fire_ = fn;
    after_fire_context_ = context;
  }

 private:
  struct State;
  void arm();
  void fire();
  void retire(std::function<void()> on_closed);
  static void onTimer(uv_timer_t* timer) noexcept;
  static void onClosed(uv_handle_t* handle) noexcept;

  uv_loop_t* loop_ = nullptr;
  std::unique_ptr<State> state_;
  void (*after_fire_)(void*) = nullptr;
  void* after_fire_context_ = nullptr;
  TimerId next_id_ = 1;
  bool closing_ = false;
  bool firing_ = false;
};

}  // namespace faultline
