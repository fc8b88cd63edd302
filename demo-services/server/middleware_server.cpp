#include "middleware_server.h"

#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstdlib>

#include "http/http_client.h"
#include "protected_call.h"

namespace faultline {

namespace {
double millis(Duration d) { return std::chrono::duration<double, std::milli>(d).count(); }
double mib(uint64_t bytes) { return static_cast<double>(bytes) / (1024.0 * 1024.0); }
}  // namespace

MiddlewareServer::MiddlewareServer(uv_loop_t* loop, MiddlewareConfig config)
    : loop_(loop),
      config_(std::move(config)),
      random_(config_.seed != 0 ? config_.seed : std::random_device{}()),
      retry_policy_(config_.retry),
      retry_budget_(config_.retry_budget),
      breaker_(config_.breaker),
      bulkhead_(config_.bulkhead),
      watchdog_(config_.memory_limit_bytes) {
  HttpServerOptions options;
  options.name = "demo-server";
  // /unprotected deliberately has no limit; the HTTP server's own connection cap must not hide
  // what happens to memory when thousands of requests wait on a slow partner.
  options.max_connections = 20'000;
  options.idle_timeout = Millis{10 * 60 * 1000};
  server_ = std::make_unique<HttpServer>(loop_, options, [this](HttpRequest&& request, HttpResponder responder) {
    handle(std::move(request), std::move(responder));
  });
  watchdog_timer_.data = this;
  uv_timer_init(loop_, &watchdog_timer_);
}

MiddlewareServer::~MiddlewareServer() = default;

Result<std::string> MiddlewareServer::listen(const std::string& host, uint16_t port) {
  auto bound = server_->listen(host, port);
  if (!bound.ok()) return bound;
  checkMemory();
  uv_timer_start(&watchdog_timer_, &MiddlewareServer::onWatchdogTimer, 1000, 1000);
  return bound;
}

void MiddlewareServer::close() {
  if (closing_) return;
  closing_ = true;
  uv_timer_stop(&watchdog_timer_);
  uv_close(reinterpret_cast<uv_handle_t*>(&watchdog_timer_), nullptr);
  // Copy: aborting may finish and erase calls while we iterate.
  std::vector<ProtectedCall*> calls(calls_.begin(), calls_.end());
  for (ProtectedCall* call : calls) call->abort();
  server_->close();
}

void MiddlewareServer::handle(HttpRequest&& request, HttpResponder responder) {
  if (request.method != "GET") {
    auto response = HttpResponse::json(405, R"({"error":"method not allowed: this server takes GET","status":405})");
    response.setHeader("Allow", "GET");
    responder.respond(std::move(response));
    return;
  }
  if (request.path == "/health") {
    responder.respond(HttpResponse::text(200, "ok\n"));
  } else if (request.path == "/metrics") {
    responder.respond(HttpResponse::text(200, metrics_.render(gauges()), "text/plain; version=0.0.4; charset=utf-8"));
  } else if (request.path == "/unprotected") {
    forwardUnprotected(std::move(request), std::move(responder));
  } else if (request.path == "/protected") {
    if (closing_) {
      responder.respond(HttpResponse::text(503, "server: shutting down\n"));
      return;
    }
    auto* call = new ProtectedCall(*this, std::move(request), std::move(responder));
    calls_.insert(call);
    call->start();
  } else {
    responder.respond(HttpResponse::json(
        404, R"({"error":"not found: try /unprotected, /protected, /metrics or /health","status":404})"));
  }
}

HttpClientRequest MiddlewareServer::partnerRequest(Duration timeout) const {
  HttpClientRequest request;
  request.method = "GET";
  request.host = config_.partner.host;
  request.port = config_.partner.port;
  request.path = config_.partner.base_path + config_.partner_path;
  request.headers.emplace_back("Host", config_.partner.hostHeader());
  request.timeout = std::chrono::duration_cast<Millis>(timeout);
  return request;
}

void MiddlewareServer::forwardUnprotected(HttpRequest&& request, HttpResponder responder) {
  // No deadline on purpose: a day stands in for "wait as long as the partner takes".
  const TimePoint started = Clock::now();
  auto shared_responder = std::make_shared<HttpResponder>(std::move(responder));
  ++partner_in_flight_;
  HttpClient::request(
      loop_, partnerRequest(std::chrono::hours(24)),
      [this, shared_responder, started, method = std::move(request.method),
       target = std::move(request.target)](Result<HttpResponse> result) {
        --partner_in_flight_;
        const Duration latency = Clock::now() - started;
        if (result.ok()) {
          const int status = result->status;
          metrics_.recordPartnerAttempt(std::to_string(status));
          const std::string outcome = status < 500 ? "ok" : "error";
          shared_responder->respond(std::move(*result));
          logRequest(method, target, status, outcome, latency, 1, "");
          metrics_.recordRequest("/unprotected", outcome, latency);
          return;
        }
        metrics_.recordPartnerAttempt("error");
        const std::string error = result.error().message;
        shared_responder->respond(HttpResponse::text(502, "server: partner call failed: " + error + "\n"));
        logRequest(method, target, 502, "error", latency, 1, error);
        metrics_.recordRequest("/unprotected", "error", latency);
      });
}

void MiddlewareServer::logRequest(const std::string& method, const std::string& target, int status,
                                  const std::string& outcome, Duration latency, uint32_t attempts,
                                  const std::string& error) {
  spdlog::info("request method={} url={} status={} outcome={} latency_ms={:.1f} attempts={} error=\"{}\" "
               "rss_mib={:.1f} partner_in_flight={} breaker={}",
               method, target, status, outcome, millis(latency), attempts, error, mib(rss_bytes_),
               partner_in_flight_, toString(breaker_.state(Clock::now())));
}

ServerMetrics::Gauges MiddlewareServer::gauges() {
  ServerMetrics::Gauges g;
  switch (breaker_.state(Clock::now())) {
    case CircuitBreaker::State::kClosed: g.breaker_state = 0; break;
    case CircuitBreaker::State::kOpen: g.breaker_state = 1; break;
    case CircuitBreaker::State::kHalfOpen: g.breaker_state = 2; break;
  }
  g.breaker_transitions = breaker_.transitions();
  g.partner_in_flight = partner_in_flight_;
  g.bulkhead_in_flight = bulkhead_.inFlight();
  g.bulkhead_queued = bulkhead_.queued();
  if (auto rss = readProcessRssBytes(); rss.ok()) rss_bytes_ = *rss;
  g.rss_bytes = rss_bytes_;
  return g;
}

void MiddlewareServer::releaseBulkheadSlot() {
  const auto next = bulkhead_.release();
  if (!next) return;
  auto it = waiters_.find(*next);
  if (it == waiters_.end()) {
    // Every queued id is in waiters_ (cancel removes both); a missing one would leak a slot.
    spdlog::error("bulkhead waiter vanished id={}", *next);
    releaseBulkheadSlot();
    return;
  }
  ProtectedCall* call = it->second;
  waiters_.erase(it);
  call->onSlotGranted();
}

void MiddlewareServer::onCallClosed(ProtectedCall* call) {
  calls_.erase(call);
  delete call;
}

void MiddlewareServer::checkMemory() {
  auto rss = readProcessRssBytes();
  if (!rss.ok()) {
    spdlog::warn("memory watchdog cannot read RSS error=\"{}\"", rss.error().message);
    return;
  }
  rss_bytes_ = *rss;
  if (!watchdog_.overLimit(rss_bytes_)) return;
  spdlog::critical("memory limit exceeded rss_mib={:.1f} limit_mib={:.0f} partner_in_flight={}; exiting with code {}",
                   mib(rss_bytes_), mib(watchdog_.limitBytes()), partner_in_flight_, MemoryWatchdog::kExitCode);
  spdlog::default_logger()->flush();
  std::fflush(stdout);
  std::fflush(stderr);
  // _Exit: no destructors run while libuv handles are live; the point is to stop now.
  std::_Exit(MemoryWatchdog::kExitCode);
}

void MiddlewareServer::onWatchdogTimer(uv_timer_t* timer) noexcept {
  static_cast<MiddlewareServer*>(timer->data)->checkMemory();
}

}  // namespace faultline
