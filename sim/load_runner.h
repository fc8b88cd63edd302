#pragma once
// Open-model load: `rate` requests per second for `duration`, whatever the answers, on a libuv
// loop of its own thread. Each request is recorded with its start, latency and outcome, so the
// report can chart them over time.

#include <uv.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "http/http_client.h"
#include "sim_types.h"

namespace faultline::sim {

class LoadRunner {
 public:
  struct Params {
    uint16_t port = 0;         // on 127.0.0.1
    std::string path = "/";
    double rate = 20;
    double duration_s = 10;
    std::chrono::milliseconds timeout{5000};  // the caller's patience
  };
  using Clock = std::chrono::steady_clock;

  LoadRunner(Params params, Clock::time_point t0);
  ~LoadRunner();
  LoadRunner(const LoadRunner&) = delete;
  LoadRunner& operator=(const LoadRunner&) = delete;

  // True once sending is over and every request has an answer.
  bool finished() const { return finished_.load(); }
  // Stops sending and cancels the requests in flight (Ctrl-C).
  void stop();
  // Waits for the thread and returns the records (call once).
  std::vector<RequestRecord> join();

 private:
  void run();
  void onTick();
  void send();
  void maybeClose();
  double now_s() const;

  Params params_;
  Clock::time_point t0_;
  uv_loop_t loop_{};
  uv_timer_t timer_{};
  uv_async_t stop_async_{};
  std::atomic<bool> stop_requested_{false};
  std::atomic<bool> finished_{false};
  bool sending_done_ = false;
  std::mutex closing_mutex_;  // closing_ is read by stop() from another thread
  bool closing_ = false;
  uint64_t sent_ = 0;
  uint64_t next_id_ = 0;
  std::map<uint64_t, HttpCall> in_flight_;
  std::vector<RequestRecord> records_;
  std::thread thread_;
};

}  // namespace faultline::sim
