#include "proxy/toxic_scheduler.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace faultline {

ToxicScheduler* ToxicScheduler::open(uv_loop_t* loop, std::string proxy, std::shared_ptr<ProxyStats> stats,
                                     Hooks hooks) {
  return new ToxicScheduler(loop, std::move(proxy), std::move(stats), std::move(hooks));
}

ToxicScheduler::ToxicScheduler(uv_loop_t* loop, std::string proxy, std::shared_ptr<ProxyStats> stats, Hooks hooks)
    : proxy_(std::move(proxy)), stats_(std::move(stats)), hooks_(std::move(hooks)) {
  uv_timer_init(loop, &timer_);
  timer_.data = this;
  // A pending edge must not keep a loop alive that has nothing else to do (shutdown drains).
  uv_unref(reinterpret_cast<uv_handle_t*>(&timer_));
}

void ToxicScheduler::close() {
  if (closing_) return;
  closing_ = true;
  hooks_ = {};
  uv_timer_stop(&timer_);
  uv_close(reinterpret_cast<uv_handle_t*>(&timer_), &ToxicScheduler::onClosed);
}

void ToxicScheduler::onClosed(uv_handle_t* handle) noexcept { delete static_cast<ToxicScheduler*>(handle->data); }

void ToxicScheduler::track(const std::vector<ToxicSpecPtr>& toxics) {
  if (closing_) return;
  report(tracker_.track(toxics, Clock::now()));
  arm();
}

std::optional<ScheduleStatus> ToxicScheduler::status(const std::string& toxic) const {
  return tracker_.status(toxic, Clock::now());
}

void ToxicScheduler::report(const std::vector<ScheduleTracker::Change>& changes) {
  const TimePoint now = Clock::now();
  for (const auto& change : changes) {
    auto& counts = change.active ? stats_->schedule_activations : stats_->schedule_deactivations;
    ++counts[change.toxic];
    auto status = tracker_.status(change.toxic, now);
    const std::string next = status && status->next_change_in ? std::to_string(status->next_change_in->count()) : "never";
    spdlog::info("toxic {} by schedule proxy={} toxic={} next_change_ms={}",
                 change.active ? "activated" : "deactivated", proxy_, change.toxic, next);
    if (hooks_.changed) hooks_.changed(change.toxic, change.active, status ? status->next_change_in : std::nullopt);
  }
}

void ToxicScheduler::arm() {
  uv_timer_stop(&timer_);
  auto edge = tracker_.nextEdge();
  if (!edge) return;
  // libuv's clock is in whole milliseconds: round up so the edge has passed when we wake
  // (onTimer re-arms if it is still a fraction of a millisecond away).
  const auto wait = std::chrono::ceil<Millis>(*edge - Clock::now());
  uv_timer_start(&timer_, &ToxicScheduler::onTimerCb, static_cast<uint64_t>(std::max<int64_t>(wait.count(), 0)), 0);
}

void ToxicScheduler::onTimerCb(uv_timer_t* timer) noexcept { static_cast<ToxicScheduler*>(timer->data)->onTimer(); }

void ToxicScheduler::onTimer() {
  if (closing_) return;
  const auto changes = tracker_.advance(Clock::now());
  report(changes);
  const auto expired = tracker_.expired();
  if (!expired.empty() && hooks_.expire) {
    for (const auto& name : expired) {
      spdlog::info("toxic removed after its last window proxy={} toxic={}", proxy_, name);
    }
    // The proxy removes them through setToxicList, which pushes the lists and calls track().
    hooks_.expire(expired);
  } else if (!changes.empty() && hooks_.reapply) {
    hooks_.reapply();
  }
  if (!closing_) arm();
}

}  // namespace faultline
