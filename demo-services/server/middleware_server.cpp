#include "middleware_server.h"

#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstdlib>

#include "duration_flag.h"
#include "forward_call.h"
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
      watchdog_(config_.memory_limit_bytes),
      rate_limiter_(config_.rate_limit) {
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
  // Often (100 ms by default): a burst of waiting requests can pass the limit and take the
  // machine's memory with it well inside one second.
  const auto interval = static_cast<uint64_t>(
      std::max<int64_t>(1, std::chrono::duration_cast<Millis>(config_.memory_check_interval).count()));
  uv_timer_start(&watchdog_timer_, &MiddlewareServer::onWatchdogTimer, interval, interval);
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
  // Cancelling calls back later, from the loop, so iterating the set itself is safe here.
  for (ForwardCall* call : forwards_) call->abort();
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
  } else if (closing_ && (request.path == "/unprotected" || request.path == "/protected" ||
                          request.path == "/limited" || request.path == "/naive-retry")) {
    responder.respond(HttpResponse::text(503, "server: shutting down\n"));
  } else if (request.path == "/unprotected") {
    startForward("/unprotected", 1, std::chrono::hours(24), std::move(request), std::move(responder));
  } else if (request.path == "/limited") {
    if (!rate_limiter_.tryTake(Clock::now())) {
      rejectRateLimited(std::move(request), std::move(responder));
      return;
    }
    startForward("/limited", 1, std::chrono::hours(24), std::move(request), std::move(responder));
  } else if (request.path == "/naive-retry") {
    startForward("/naive-retry", config_.naive_attempts, config_.attempt_timeout, std::move(request),
                 std::move(responder));
  } else if (request.path == "/protected") {
    ++in_flight_["/protected"];
    auto* call = new ProtectedCall(*this, std::move(request), std::move(responder));
    calls_.insert(call);
    call->start();
  } else {
    responder.respond(HttpResponse::json(404, R"({"error":"not found: try /unprotected, /protected, /limited, )"
                                              R"(/naive-retry, /metrics or /health","status":404})"));
  }
}

HttpClientRequest MiddlewareServer::partnerRequest(Duration timeout, const std::string& incoming_path) const {
  HttpClientRequest request;
  request.method = "GET";
  request.host = config_.partner.host;
  request.port = config_.partner.port;
  request.path = config_.forward_path ? config_.partner.base_path + incoming_path : config_.partner_path;
  request.headers.emplace_back("Host", config_.partner.hostHeader());
  request.timeout = std::chrono::duration_cast<Millis>(timeout);
  return request;
}

void MiddlewareServer::startForward(const std::string& path, uint32_t max_attempts, Duration attempt_timeout,
                                    HttpRequest&& request, HttpResponder responder) {
  ++in_flight_[path];
  auto* call = new ForwardCall(*this, {path, max_attempts, attempt_timeout}, std::move(request), std::move(responder));
  forwards_.insert(call);
  call->start();
}

void MiddlewareServer::rejectRateLimited(HttpRequest&& request, HttpResponder responder) {
  const Duration wait = rate_limiter_.untilNextToken(Clock::now());
  auto response = HttpResponse::text(429, "server: rate limited (token bucket empty), retry later\n");
  response.setHeader("Retry-After", std::to_string(retryAfterSeconds(wait)));
  response.setHeader("X-Shed", "rate_limited");
  responder.respond(std::move(response));
  logRequest(request.method, request.target, 429, "shed", Duration{0}, 0, "rate_limited");
  metrics_.recordRequest("/limited", "shed", Duration{0});
}

void MiddlewareServer::onForwardDone(ForwardCall* call, const std::string& path) {
  auto it = in_flight_.find(path);
  if (it != in_flight_.end() && it->second > 0) --it->second;
  forwards_.erase(call);
  delete call;
}

void MiddlewareServer::logRequest(const std::string& method, const std::string& target, int status,
                                  const std::string& outcome, Duration latency, uint32_t attempts,
                                  const std::string& error) {
  spdlog::info("request server={} method={} url={} status={} outcome={} latency_ms={:.1f} attempts={} error=\"{}\" "
               "rss_mib={:.1f} partner_in_flight={} breaker={}",
               config_.name, method, target, status, outcome, millis(latency), attempts, error, mib(rss_bytes_),
               partner_in_flight_, toString(breaker_.state(Clock::now())));
}

ServerMetrics::Gauges MiddlewareServer::gauges() {
  ServerMetrics::Gauges g;
  g.name = config_.name;
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
  g.memory_limit_bytes = watchdog_.limitBytes();
  g.in_flight = in_flight_;
  for (const char* path : {"/unprotected", "/protected", "/limited", "/naive-retry"}) g.in_flight.try_emplace(path, 0);
  g.rate_limit_tokens = rate_limiter_.tokens(Clock::now());
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
  uint64_t waiting = 0;
  for (const auto& [path, n] : in_flight_) waiting += n;
  spdlog::critical("memory watchdog tripped server={} rss_mib={:.1f} limit_mib={:.0f} check_interval={} "
                   "requests_in_flight={} partner_in_flight={}; exiting with code {}",
                   config_.name, mib(rss_bytes_), mib(watchdog_.limitBytes()),
                   formatDuration(std::chrono::duration_cast<Micros>(config_.memory_check_interval)), waiting,
                   partner_in_flight_, MemoryWatchdog::kExitCode);
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
