#pragma once
// An `observe:` entry at run time: samples one number every `every` (a Prometheus endpoint
// over HTTP, or a started process's RSS from /proc) on the scenario's loop, and keeps the
// series for the report. A sample that fails (the endpoint busy or gone) is a gap, not an error:
// a server falling over is what some scenarios are about.

#include <uv.h>

#include <functional>
#include <optional>
#include <string>

#include "core/clock.h"
#include "http/http_client.h"
#include "http/http_url.h"
#include "scenario/run_types.h"
#include "scenario/scenario_spec.h"

namespace faultline::scenario {

class Observer {
 public:
  // `pid_of` answers the pid of a running started process (or -1); used for process: entries.
  Observer(uv_loop_t* loop, ObserveSpec spec, std::optional<HttpUrl> url, std::function<pid_t()> pid_of);
  Observer(const Observer&) = delete;
  Observer& operator=(const Observer&) = delete;

  // Called on every runner tick; samples when due. `t0` is the load's start.
  void tick(TimePoint now, TimePoint t0);
  // Cancels a sample in flight (its callback still runs, from the loop, and is ignored).
  void stop();
  bool idle() const { return !call_.active(); }
  Series takeSeries() { return std::move(series_); }

 private:
  void record(double t_s, double value);

  uv_loop_t* loop_;
  ObserveSpec spec_;
  std::optional<HttpUrl> url_;
  std::function<pid_t()> pid_of_;
  TimePoint next_{};
  bool stopped_ = false;
  HttpCall call_;
  std::optional<std::pair<double, double>> last_counter_;  // (t_s, value) for rates
  Series series_;
};

// Resident memory of a process in MiB, 0 when it is gone.
double processRssMib(pid_t pid);

}  // namespace faultline::scenario
