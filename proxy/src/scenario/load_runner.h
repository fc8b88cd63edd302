#pragma once
// Open-model load: `rate` requests per second for `duration`, whatever the answers (like
// demo-client), on the scenario's loop. Each request is recorded with its start, latency and
// outcome, so the report can chart them over time.

#include <uv.h>

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/clock.h"
#include "http/http_client.h"
#include "scenario/run_types.h"

namespace faultline::scenario {

class LoadRunner {
 public:
  struct Params {
    std::string host = "127.0.0.1";
    uint16_t port = 0;
    std::string path = "/";
    double rate = 20;
    Millis duration{10'000};
    Millis timeout{5'000};  // the caller's patience
  };

  // `done` runs once, from the loop, when sending is over and every request has an answer.
  LoadRunner(uv_loop_t* loop, Params params, std::function<void()> done);
  ~LoadRunner() = default;
  LoadRunner(const LoadRunner&) = delete;
  LoadRunner& operator=(const LoadRunner&) = delete;

  // Time zero of every record is now.
  void start();
  // Stops sending and cancels the requests in flight (Ctrl-C); `done` still runs.
  void stop();
  // Closes the timer; the object may be destroyed once the loop has run its close callback.
  void close();
  bool closed() const { return closed_; }

  TimePoint t0() const { return t0_; }
  std::vector<RequestRecord>& records() { return records_; }

 private:
  void onTick();
  void send();
  void maybeDone();
  double now_s() const;

  uv_loop_t* loop_;
  Params params_;
  std::function<void()> done_;
  TimePoint t0_{};
  uv_timer_t timer_{};
  bool started_ = false;
  bool sending_done_ = false;
  bool done_called_ = false;
  bool closing_ = false;
  bool closed_ = false;
  uint64_t sent_ = 0;
  uint64_t next_id_ = 0;
  std::map<uint64_t, HttpCall> in_flight_;
  std::vector<RequestRecord> records_;
};

}  // namespace faultline::scenario
