#include "flaky_partner.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "duration_flag.h"
#include "memory_watchdog.h"
#include "net/uv_error.h"

namespace faultline {

namespace {
constexpr const char* kBody = "Hello from Partner Service";

double millis(Duration d) { return std::chrono::duration<double, std::milli>(d).count(); }
}  // namespace

// One request waiting for its delay. Owns its timer; freed in the timer's close callback.
struct FlakyPartner::PendingAnswer {
  uv_timer_t timer{};
  FlakyPartner* owner = nullptr;
  HttpResponder responder;
  uint64_t id = 0;
  std::string method;
  std::string target;
  TimePoint received_at{};
  Micros delay{0};
  int status = 200;
};

FlakyPartner::FlakyPartner(uv_loop_t* loop, Params params)
    : loop_(loop), params_(params), random_(params.seed != 0 ? params.seed : std::random_device{}()) {
  HttpServerOptions options;
  options.name = "partner";
  options.max_connections = params_.max_connections;
  // A request may legitimately wait max_delay for its answer; the idle timer must not cut it.
  options.idle_timeout = std::chrono::duration_cast<Millis>(params_.max_delay) + Millis{60'000};
  server_ = std::make_unique<HttpServer>(loop_, options, [this](HttpRequest&& request, HttpResponder responder) {
    handle(std::move(request), std::move(responder));
  });
}

FlakyPartner::~FlakyPartner() = default;

Result<std::string> FlakyPartner::listen(const std::string& host, uint16_t port) { return server_->listen(host, port); }

void FlakyPartner::handle(HttpRequest&& request, HttpResponder responder) {
  if (request.path == "/health") {
    responder.respond(HttpResponse::text(200, "ok\n"));
    return;
  }
  if (request.path == "/metrics") {
    responder.respond(HttpResponse::text(200, renderMetrics(), "text/plain; version=0.0.4; charset=utf-8"));
    return;
  }
  if (request.path != "/data") {
    responder.respond(HttpResponse::json(
        404, R"({"error":"not found: try GET /data, GET /metrics or GET /health","status":404})"));
    return;
  }
  if (request.method != "GET") {
    auto response = HttpResponse::json(405, R"({"error":"method not allowed: /data takes GET","status":405})");
    response.setHeader("Allow", "GET");
    responder.respond(std::move(response));
    return;
  }
  answerData(std::move(request), std::move(responder));
}

void FlakyPartner::answerData(HttpRequest&& request, HttpResponder responder) {
  if (closing_) return;  // the responder answers 500 as it goes
  ++received_;
  arrivals_.record(Clock::now());
  auto* pending = new PendingAnswer();
  pending->owner = this;
  pending->id = next_id_++;
  pending->method = std::move(request.method);
  pending->target = std::move(request.target);
  pending->received_at = Clock::now();
  pending->delay = Micros{random_.between(params_.min_delay.count(), params_.max_delay.count())};
  pending->status = params_.error_rate.roll(random_) ? params_.error_status : 200;
  pending->responder = std::move(responder);
  pending->timer.data = pending;
  if (int rc = uv_timer_init(loop_, &pending->timer); rc < 0) {
    spdlog::error("timer init failed id={} error={}", pending->id, uvErrorText(rc));
    pending->responder.respond(HttpResponse::text(500, "partner: cannot start a timer\n"));
    delete pending;  // the timer was never initialized, so there is nothing to close
    return;
  }
  ++timers_alive_;
  pending_.insert(pending);
  spdlog::info("delay_set id={} delay_ms={:.0f} status={} pending={}", pending->id, millis(pending->delay),
               pending->status, pending_.size());
  const auto delay_ms = static_cast<uint64_t>(std::chrono::ceil<Millis>(pending->delay).count());
  if (int rc = uv_timer_start(&pending->timer, &FlakyPartner::onTimer, delay_ms, 0); rc < 0) {
    spdlog::error("timer start failed id={} error={}", pending->id, uvErrorText(rc));
    pending->responder.respond(HttpResponse::text(500, "partner: cannot start a timer\n"));
    pending_.erase(pending);
    uv_close(reinterpret_cast<uv_handle_t*>(&pending->timer), &FlakyPartner::onTimerClosed);
  }
}

void FlakyPartner::onTimer(uv_timer_t* timer) noexcept {
  auto* pending = static_cast<PendingAnswer*>(timer->data);
  FlakyPartner* self = pending->owner;
  const bool connected = pending->responder.connected();
  ++self->answered_[pending->status];
  if (pending->status == 200) {
    pending->responder.respond(HttpResponse::text(200, kBody));
  } else {
    auto response =
        HttpResponse::text(pending->status, fmt::format("partner: injected failure (status {})\n", pending->status));
    if (self->params_.retry_after_s >= 0) response.setHeader("Retry-After", std::to_string(self->params_.retry_after_s));
    pending->responder.respond(std::move(response));
  }
  spdlog::info("request id={} method={} url={} status={} delay_ms={:.0f} latency_ms={:.1f} client_connected={}",
               pending->id, pending->method, pending->target, pending->status, millis(pending->delay),
               millis(Clock::now() - pending->received_at), connected);
  self->pending_.erase(pending);
  uv_close(reinterpret_cast<uv_handle_t*>(&pending->timer), &FlakyPartner::onTimerClosed);
}

void FlakyPartner::onTimerClosed(uv_handle_t* handle) noexcept {
  auto* pending = static_cast<PendingAnswer*>(handle->data);
  FlakyPartner* self = pending->owner;
  delete pending;
  --self->timers_alive_;
  if (self->closing_) self->maybeClosed();
}

std::string FlakyPartner::renderMetrics() {
  std::string out;
  auto line = [&out](const std::string& text) {
    out += text;
    out += '\n';
  };
  line("# HELP demo_partner_requests_received_total GET /data requests received (every retry counts).");
  line("# TYPE demo_partner_requests_received_total counter");
  line(fmt::format("demo_partner_requests_received_total {}", received_));
  line("# HELP demo_partner_requests_per_second GET /data requests received in the last complete second.");
  line("# TYPE demo_partner_requests_per_second gauge");
  line(fmt::format("demo_partner_requests_per_second {}", arrivals_.perSecond(Clock::now())));
  line("# HELP demo_partner_responses_total Answers sent (or due) to GET /data, by status.");
  line("# TYPE demo_partner_responses_total counter");
  for (const auto& [status, n] : answered_) line(fmt::format("demo_partner_responses_total{{status=\"{}\"}} {}", status, n));
  line("# HELP demo_partner_pending Requests waiting for their delay.");
  line("# TYPE demo_partner_pending gauge");
  line(fmt::format("demo_partner_pending {}", pending_.size()));
  auto rss = readProcessRssBytes();
  line("# HELP process_resident_memory_bytes Resident set size of the partner.");
  line("# TYPE process_resident_memory_bytes gauge");
  line(fmt::format("process_resident_memory_bytes {}", rss.ok() ? *rss : 0));
  return out;
}

void FlakyPartner::close(std::function<void()> on_closed) {
  if (closing_) return;
  closing_ = true;
  on_closed_ = std::move(on_closed);
  for (PendingAnswer* pending : pending_) {
    uv_close(reinterpret_cast<uv_handle_t*>(&pending->timer), &FlakyPartner::onTimerClosed);
  }
  pending_.clear();
  server_->close([this] {
    server_closed_ = true;
    maybeClosed();
  });
}

void FlakyPartner::maybeClosed() {
  if (!server_closed_ || timers_alive_ > 0 || !on_closed_) return;
  auto done = std::move(on_closed_);
  on_closed_ = nullptr;
  done();
}

}  // namespace faultline
