#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "bulkhead.h"
#include "demo_outcome.h"
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
#include "token_bucket.h"

namespace faultline {

class ForwardCall;
class ProtectedCall;

struct MiddlewareConfig {
  std::string name = "server";                // the tier, in logs and /metrics (edge, middle, ...)
  HttpUrl partner;                            // the partner (normally the Faultline proxy, or the next tier)
  std::string partner_path = "/data";         // requested there, unless forward_path
  bool forward_path = false;                  // request the partner at the incoming path (tiers chain)
  Duration deadline{std::chrono::seconds(2)};         // whole /protected request
  Duration attempt_timeout{std::chrono::seconds(1)};  // one partner call, cut to the deadline
  RetryPolicy::Params retry{};
  RetryBudget::Params retry_budget{};
  CircuitBreaker::Params breaker{};
  Bulkhead::Params bulkhead{};
  uint64_t memory_limit_bytes = MemoryWatchdog::kDefaultLimitMib * 1024 * 1024;
  Duration memory_check_interval{std::chrono::milliseconds(100)};
  std::size_t request_memory_bytes = 64 * 1024;  // held by each request while it waits
  uint32_t naive_attempts = 5;                    // /naive-retry, first one included
  TokenBucket::Params rate_limit{};               // /limited
  uint64_t seed = 0;  // 0: random
};

// The demo's middleware: GET /unprotected forwards to the partner with no deadline and no limit;
// GET /protected puts deadline, retries with budget (honouring Retry-After), circuit breaker,
// bulkhead with shedding and a fallback between the client and the partner (each in its own
// class, wired here); GET /limited is /unprotected behind a token bucket (429 + Retry-After);
// GET /naive-retry retries every failure at once (the retry storm). GET /metrics (Prometheus
// text), GET /health. A memory watchdog ends the process (exit 3) when RSS passes the limit,
// with a log line, rather than leaving it to the OOM killer.
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
  friend class ForwardCall;
  friend class ProtectedCall;

  void handle(HttpRequest&& request, HttpResponder responder);
  void startForward(const std::string& path, uint32_t max_attempts, Duration attempt_timeout, HttpRequest&& request,
                    HttpResponder responder);
  void rejectRateLimited(HttpRequest&& request, HttpResponder responder);
  // incoming_path: the path this server was asked for, used with forward_path.
  HttpClientRequest partnerRequest(Duration timeout, const std::string& incoming_path) const;
  void logRequest(const std::string& method, const std::string& target, int status, const std::string& outcome,
                  Duration latency, uint32_t attempts, const std::string& error);
  ServerMetrics::Gauges gauges();

  // Bulkhead bookkeeping shared by all protected calls.
  void releaseBulkheadSlot();
  void onCallClosed(ProtectedCall* call);
  void onForwardDone(ForwardCall* call, const std::string& path);

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
  TokenBucket rate_limiter_;
  ServerMetrics metrics_;
  std::unique_ptr<HttpServer> server_;
  uv_timer_t watchdog_timer_{};
  std::unordered_map<Bulkhead::WaiterId, ProtectedCall*> waiters_;
  std::unordered_set<ProtectedCall*> calls_;
  std::unordered_set<ForwardCall*> forwards_;
  std::map<std::string, uint64_t> in_flight_;  // by path
  uint64_t partner_in_flight_ = 0;
  uint64_t rss_bytes_ = 0;
  bool closing_ = false;
};

}  // namespace faultline
