#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>

#include "core/clock.h"
#include "http/http_client.h"
#include "http/http_url.h"
#include "load_report.h"

namespace faultline {

// Sends `rate` GET requests per second for `duration` on an OPEN model: requests leave on
// schedule whether or not earlier ones have answered, as real users do, so a slow server
// builds up concurrency instead of slowing the client down. After `duration` it waits at most
// `timeout` for stragglers, cancels the rest (counted as timeouts) and calls on_done.
class LoadGenerator {
 public:
  struct Params {
    HttpUrl url;
    std::string path = "/";
    double rate = 10;
    Duration duration{std::chrono::seconds(10)};
    Duration timeout{std::chrono::seconds(15)};
    bool progress = false;  // redraw a progress line on stderr (a terminal)
  };

  LoadGenerator(uv_loop_t* loop, Params params);
  LoadGenerator(const LoadGenerator&) = delete;
  LoadGenerator& operator=(const LoadGenerator&) = delete;

  void start(std::function<void()> on_done);
  // Stops sending now (SIGINT) and goes on to the straggler wait.
  void stopSending();

  const LoadReport& report() const { return report_; }
  std::size_t inFlight() const { return in_flight_.size(); }
  Duration elapsed() const { return (finished_ ? finished_at_ : Clock::now()) - started_at_; }
  Duration sendingTime() const { return (sending_ ? Clock::now() : stopped_sending_at_) - started_at_; }

 private:
  void tick();
  void send();
  void onAnswer(uint64_t id, TimePoint sent_at, Result<HttpResponse> result);
  void maybeDone();
  void drawProgress(bool final_line);
  static void onTick(uv_timer_t* timer) noexcept;
  static void onGrace(uv_timer_t* timer) noexcept;
  static void onProgress(uv_timer_t* timer) noexcept;

  uv_loop_t* loop_;
  Params params_;
  LoadReport report_;
  uv_timer_t tick_timer_{};
  uv_timer_t grace_timer_{};
  uv_timer_t progress_timer_{};
  TimePoint started_at_{};
  TimePoint finished_at_{};
  TimePoint stopped_sending_at_{};
  uint64_t sent_ = 0;
  uint64_t next_id_ = 1;
  std::unordered_map<uint64_t, HttpCall> in_flight_;
  bool sending_ = false;
  bool finished_ = false;
  int open_handles_ = 0;
  std::function<void()> on_done_;
};

}  // namespace faultline
