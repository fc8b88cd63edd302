#include "protected_call.h"

#include <spdlog/spdlog.h>

#include "middleware_server.h"
#include "partner_attempt.h"

namespace faultline {

namespace {

uint64_t toTimerMs(Duration d) {
  const auto ms = std::chrono::ceil<Millis>(d).count();
  return ms > 0 ? static_cast<uint64_t>(ms) : 0;
}

}  // namespace

ProtectedCall::ProtectedCall(MiddlewareServer& server, HttpRequest&& request, HttpResponder responder)
    : server_(server),
      responder_(std::move(responder)),
      method_(std::move(request.method)),
      target_(std::move(request.target)),
      path_(std::move(request.path)),
      started_at_(Clock::now()),
      deadline_(started_at_, server.config_.deadline),
      memory_(server.config_.request_memory_bytes) {
  deadline_timer_.data = this;
  backoff_timer_.data = this;
}

void ProtectedCall::start() {
  // uv_timer_init cannot fail on an open loop (it only fills in the struct).
  uv_timer_init(server_.loop_, &deadline_timer_);
  uv_timer_init(server_.loop_, &backoff_timer_);
  open_handles_ = 2;
  uv_timer_start(&deadline_timer_, &ProtectedCall::onDeadlineTimer, toTimerMs(server_.config_.deadline), 0);
  server_.retry_budget_.recordRequest(started_at_);
  tryAttempt();
}

void ProtectedCall::tryAttempt() {
  if (answered_) return;
  const TimePoint now = Clock::now();
  permit_ = server_.breaker_.tryAcquire(now);
  if (!permit_) {
    fallback("breaker_open");
    return;
  }
  const Bulkhead::Ticket ticket = server_.bulkhead_.enter();
  switch (ticket.admission) {
    case Bulkhead::Admission::kAdmitted:
      holds_slot_ = true;
      sendAttempt();
      return;
    case Bulkhead::Admission::kQueued:
      waiter_ = ticket.id;
      server_.waiters_[ticket.id] = this;
      return;
    case Bulkhead::Admission::kShed: {
      server_.breaker_.release(*permit_);
      permit_.reset();
      auto response = HttpResponse::text(503, "server: overloaded, request shed (bulkhead and queue full)\n");
      response.setHeader("Retry-After", "1");
      response.setHeader("X-Shed", "bulkhead_full");
      answer(std::move(response), "shed", "bulkhead_full");
      return;
    }
  }
}

void ProtectedCall::onSlotGranted() {
  waiter_.reset();
  holds_slot_ = true;
  if (answered_) {
    // Cannot happen while the deadline cancels queued waiters, but never keep a slot we do not use.
    releaseSlot();
    maybeFinish();
    return;
  }
  sendAttempt();
}

void ProtectedCall::sendAttempt() {
  const TimePoint now = Clock::now();
  const Duration timeout = deadline_.attemptTimeout(now, server_.config_.attempt_timeout);
  if (timeout < Millis{1}) {
    releaseSlot();
    if (permit_) server_.breaker_.release(*permit_);
    permit_.reset();
    fallback("deadline");
    return;
  }
  ++attempts_;
  attempt_in_flight_ = true;
  ++server_.partner_in_flight_;
  call_ = HttpClient::request(server_.loop_, server_.partnerRequest(timeout, path_),
                              [this](Result<HttpResponse> result) { onAttemptDone(std::move(result)); });
}

void ProtectedCall::onAttemptDone(Result<HttpResponse> result) {
  attempt_in_flight_ = false;
  --server_.partner_in_flight_;
  releaseSlot();
  const TimePoint now = Clock::now();
  const AttemptOutcome outcome = classifyAttempt(result);
  const std::string label = attemptLabel(outcome);
  server_.metrics_.recordPartnerAttempt("/protected", label);
  if (permit_) {
    if (!outcome.countsForBreaker()) server_.breaker_.release(*permit_);
    else if (outcome.succeeded()) server_.breaker_.onSuccess(*permit_, now);
    else server_.breaker_.onFailure(*permit_, now);
    permit_.reset();
  }
  last_error_ = result.ok() ? "partner status " + label : result.error().message;
  if (answered_ || closing_) {
    maybeFinish();
    return;
  }
  if (outcome.succeeded()) {
    HttpResponse response = std::move(*result);
    response.setHeader("X-Attempts", std::to_string(attempts_));
    // A 404 passed on is a client_error, a next tier's fallback stays degraded: named as they are.
    const DemoOutcome named = classifyStatus(response.status, response.header("X-Degraded"), response.header("X-Shed"));
    answer(std::move(response), std::string(outcomeName(named)), "");
    return;
  }
  const auto decision =
      server_.retry_policy_.decide(attempts_, outcome, deadline_.remaining(now), server_.random_);
  if (decision.verdict != RetryPolicy::Verdict::kRetry) {
    fallback(std::string(toString(decision.verdict)));
    return;
  }
  if (!server_.retry_budget_.tryAcquireRetry(now)) {
    server_.metrics_.recordRetryDenied();
    fallback("retry_budget_exhausted");
    return;
  }
  if (outcome.retry_after) {
    // Shown at info: the partner asked for this wait, and it fits in the deadline.
    server_.metrics_.recordRetry("/protected", "retry_after");
    spdlog::info("retry server={} url={} attempt={} delay_ms={} after={} retry_after_ms={} deadline_left_ms={}",
                 server_.config_.name, target_, attempts_ + 1, decision.delay.count(), label,
                 outcome.retry_after->count(),
                 std::chrono::duration_cast<Millis>(deadline_.remaining(now)).count());
  } else {
    server_.metrics_.recordRetry("/protected", label);
    spdlog::debug("retry url={} attempt={} delay_ms={} after={}", target_, attempts_ + 1, decision.delay.count(),
                  last_error_);
  }
  uv_timer_start(&backoff_timer_, &ProtectedCall::onBackoffTimer, toTimerMs(decision.delay), 0);
}

void ProtectedCall::onDeadline() {
  if (answered_) return;
  if (waiter_) {
    server_.bulkhead_.cancel(*waiter_);
    server_.waiters_.erase(*waiter_);
    waiter_.reset();
    if (permit_) server_.breaker_.release(*permit_);
    permit_.reset();
  }
  uv_timer_stop(&backoff_timer_);
  // The attempt's callback still runs (with "cancelled"); it counts the attempt as a timeout.
  if (attempt_in_flight_) call_.cancel();
  fallback("deadline");
}

void ProtectedCall::abort() {
  closing_ = true;
  if (answered_) return;
  if (waiter_) {
    server_.bulkhead_.cancel(*waiter_);
    server_.waiters_.erase(*waiter_);
    waiter_.reset();
  }
  uv_timer_stop(&backoff_timer_);
  if (attempt_in_flight_) call_.cancel();
  answer(HttpResponse::text(503, "server: shutting down\n"), "shutdown", "shutting down");
}

void ProtectedCall::releaseSlot() {
  if (!holds_slot_) return;
  holds_slot_ = false;
  server_.releaseBulkheadSlot();
}

void ProtectedCall::fallback(const std::string& reason) {
  auto response = HttpResponse::text(
      200, "Fallback answer (degraded): the partner could not answer in time. reason=" + reason + "\n");
  response.setHeader("X-Degraded", "true");
  response.setHeader("X-Degraded-Reason", reason);
  response.setHeader("X-Attempts", std::to_string(attempts_));
  answer(std::move(response), "degraded", last_error_.empty() ? reason : reason + ": " + last_error_);
}

void ProtectedCall::answer(HttpResponse response, const std::string& outcome, const std::string& error) {
  if (answered_) return;
  answered_ = true;
  if (auto it = server_.in_flight_.find("/protected"); it != server_.in_flight_.end() && it->second > 0) --it->second;
  const int status = response.status;
  responder_.respond(std::move(response));
  server_.logRequest(method_, target_, status, outcome, Clock::now() - started_at_, attempts_, error);
  server_.metrics_.recordRequest("/protected", outcome, Clock::now() - started_at_);
  maybeFinish();
}

void ProtectedCall::maybeFinish() {
  if (!answered_ || attempt_in_flight_ || waiter_ || open_handles_ != 2) return;
  if (uv_is_closing(reinterpret_cast<uv_handle_t*>(&deadline_timer_)) != 0) return;
  uv_close(reinterpret_cast<uv_handle_t*>(&deadline_timer_), &ProtectedCall::onClosed);
  uv_close(reinterpret_cast<uv_handle_t*>(&backoff_timer_), &ProtectedCall::onClosed);
}

void ProtectedCall::onDeadlineTimer(uv_timer_t* timer) noexcept { static_cast<ProtectedCall*>(timer->data)->onDeadline(); }

void ProtectedCall::onBackoffTimer(uv_timer_t* timer) noexcept { static_cast<ProtectedCall*>(timer->data)->tryAttempt(); }

void ProtectedCall::onClosed(uv_handle_t* handle) noexcept {
  auto* self = static_cast<ProtectedCall*>(handle->data);
  if (--self->open_handles_ == 0) self->server_.onCallClosed(self);
}

}  // namespace faultline
