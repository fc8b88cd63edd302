#pragma once

#include <uv.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "proxy/proxy_config.h"
#include "proxy/schedule_tracker.h"

namespace faultline {

// Turns one proxy's schedules into toxic list changes: a ScheduleTracker for the arithmetic and
// one uv_timer_t armed for the next edge. At an edge it asks its proxy to push its lists again
// (the same live replacement an API change uses, so held bytes are handed on exactly as on
// removal), and to remove API toxics past their last window. Owns its timer and frees itself in
// the timer's close callback, like TcpListener: the proxy calls close() and forgets it.
class ToxicScheduler {
 public:
  struct Hooks {
    std::function<void()> reapply;                                // a toxic changed state
    std::function<void(const std::vector<std::string>&)> expire;  // remove these toxics
    // A toxic switched on or off (for fault_injected events); next_change: none = never again.
    std::function<void(const std::string& toxic, bool active, std::optional<Millis> next_change)> changed;
  };

  static ToxicScheduler* open(uv_loop_t* loop, std::string proxy, std::shared_ptr<ProxyStats> stats, Hooks hooks);
  ToxicScheduler(const ToxicScheduler&) = delete;
  ToxicScheduler& operator=(const ToxicScheduler&) = delete;
  void close();

  // The proxy's whole list after every change; re-arms the timer. Does not call the hooks: the
  // caller is about to push the lists itself.
  void track(const std::vector<ToxicSpecPtr>& toxics);
  bool active(const std::string& toxic) const { return tracker_.active(toxic); }
  std::optional<ScheduleStatus> status(const std::string& toxic) const;

 private:
  ToxicScheduler(uv_loop_t* loop, std::string proxy, std::shared_ptr<ProxyStats> stats, Hooks hooks);
  ~ToxicScheduler() = default;

  void report(const std::vector<ScheduleTracker::Change>& changes);
  void arm();
  void onTimer();
  static void onTimerCb(uv_timer_t* timer) noexcept;
  static void onClosed(uv_handle_t* handle) noexcept;

  uv_timer_t timer_{};
  std::string proxy_;
  std::shared_ptr<ProxyStats> stats_;
  Hooks hooks_;
  ScheduleTracker tracker_;
  bool closing_ = false;
};

}  // namespace faultline
