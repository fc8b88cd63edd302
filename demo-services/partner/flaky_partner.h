#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_set>

#include "core/clock.h"
#include "core/random.h"
#include "core/result.h"
#include "http/http_server.h"
#include "rate_meter.h"

namespace faultline {

// The partner service of the demo: GET /data answers "Hello from Partner Service" after a random
// delay (uniform in [min_delay, max_delay]), or with error_status for a share of the requests.
// Each pending answer is one timer, not a thread, so thousands of waiting requests cost little.
// GET /metrics shows the load it sees (requests per second, pending answers): the retry storm's
// amplification is read here, where it lands.
class FlakyPartner {
 public:
  struct Params {
    Micros min_delay{std::chrono::seconds(1)};
    Micros max_delay{std::chrono::seconds(10)};
    Probability error_rate{0};
    int error_status = 503;
    int retry_after_s = -1;  // >= 0: the Retry-After of injected failures
    uint64_t seed = 0;  // 0: random
    std::size_t max_connections = 20'000;
  };

  FlakyPartner(uv_loop_t* loop, Params params);
  ~FlakyPartner();
  FlakyPartner(const FlakyPartner&) = delete;
  FlakyPartner& operator=(const FlakyPartner&) = delete;

  Result<std::string> listen(const std::string& host, uint16_t port);
  // Stops listening and drops pending answers; `on_closed` runs once every handle has closed.
  void close(std::function<void()> on_closed);

  std::size_t pending() const { return pending_.size(); }
  // Prometheus text: received requests (total and in the last second), answers by status, pending.
  std::string renderMetrics();

 private:
  struct PendingAnswer;
  void handle(HttpRequest&& request, HttpResponder responder);
  void answerData(HttpRequest&& request, HttpResponder responder);
  static void onTimer(uv_timer_t* timer) noexcept;
  static void onTimerClosed(uv_handle_t* handle) noexcept;
  void maybeClosed();

  uv_loop_t* loop_;
  Params params_;
  Random random_;
  std::unique_ptr<HttpServer> server_;
  std::unordered_set<PendingAnswer*> pending_;
  uint64_t next_id_ = 1;
  uint64_t received_ = 0;
  RateMeter arrivals_;
  std::map<int, uint64_t> answered_;  // by status
  std::size_t timers_alive_ = 0;  // initialized and not yet through their close callback
  bool closing_ = false;
  bool server_closed_ = false;
  std::function<void()> on_closed_;
};

}  // namespace faultline
