#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "bulkhead.h"
#include "circuit_breaker.h"
#include "core/random.h"
#include "core/result.h"
#include "http/http_client.h"
#include "http/http_server.h"
#include "http/http_url.h"
#include "memory_watchdog.h"
#include "retry_budget.h"
#include "retry_policy.h"
#include "server_metrics.h"

namespace faultline {

class ProtectedCall;

struct MiddlewareConfig {
  HttpUrl partner;                            // where GET /data is sent (normally the Faultline proxy)
  std::string partner_path = "/data";
  Duration deadline{std::chrono::seconds(2)};         // whole /protected request
  Duration attempt_timeout{std::chrono::seconds(1)};  // one partner call, cut to the deadline
  RetryPolicy::Params retry{};
  RetryBudget::Params retry_budget{};
  CircuitBreaker::Params breaker{};
  Bulkhead::Params bulkhead{};
  uint64_t memory_limit_bytes = MemoryWatchdog::kDefaultLimitMib * 1024 * 1024;
  uint64_t seed = 0;  // 0: random
};

// The demo's middleware: GET /unprotected forwards to the partner with no deadline and no limit;
// GET /protected puts deadline, retries with budget, circuit breaker, bulkhead with shedding and
// a fallback between the client and the partner (each in its own class, wired here).
// GET /metrics (Prometheus text), GET /health. A memory watchdog ends the process (exit 3) when
// RSS passes the limit, with a log line, rather than leaving it to the OOM killer.
class MiddlewareServer {
 public:
  MiddlewareServer(uv_loop_t* loop, MiddlewareConfig config);
  ~MiddlewareServer();
  MiddlewareServer(const MiddlewareServer&) = delete;
  MiddlewareServer& operator=(const MiddlewareServer&) = delete;

  Result<std::string> listen(const std::string& host, uint16_t port);
  // Stops listening, answers calls in progress with 503 and closes every handle.
  void close();

 private:
  friend class ProtectedCall;

  void handle(HttpRequest&& request, HttpResponder responder);
  void forwardUnprotected(HttpRequest&& request, HttpResponder responder);
  HttpClientRequest partnerRequest(Duration timeout) const;
  void logRequest(const std::string& method, const std::string& target, int status, const std::string& outcome,
                  Duration latency, uint32_t attempts, const std::string& error);
  ServerMetrics::Gauges gauges();

  // Bulkhead bookkeeping shared by all protected calls.
  void releaseBulkheadSlot();
  void onCallClosed(ProtectedCall* call);

  void checkMemory();
  static void onWatchdogTimer(uv_timer_t* timer) noexcept;

  uv_loop_t* loop_;
  MiddlewareConfig config_;
  Random random_;
  RetryPolicy retry_policy_;
  RetryBudget retry_budget_;
  CircuitBreaker breaker_;
  Bulkhead bulkhead_;
  MemoryWatchdog watchdog_;
  ServerMetrics metrics_;
  std::unique_ptr<HttpServer> server_;
  uv_timer_t watchdog_timer_{};
  std::unordered_map<Bulkhead::WaiterId, ProtectedCall*> waiters_;
  std::unordered_set<ProtectedCall*> calls_;
  uint64_t partner_in_flight_ = 0;
  uint64_t rss_bytes_ = 0;
  bool closing_ = false;
};

}  // namespace faultline
