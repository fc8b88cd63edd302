#include "forward_call.h"

#include <spdlog/spdlog.h>

#include "middleware_server.h"
#include "partner_attempt.h"

namespace faultline {

ForwardCall::ForwardCall(MiddlewareServer& server, Params params, HttpRequest&& request, HttpResponder responder)
    : server_(server),
      params_(std::move(params)),
      responder_(std::move(responder)),
      method_(std::move(request.method)),
      target_(std::move(request.target)),
      path_(std::move(request.path)),
      started_at_(Clock::now()),
      memory_(server.config_.request_memory_bytes) {}

void ForwardCall::start() { sendAttempt(); }

void ForwardCall::abort() {
  closing_ = true;
  call_.cancel();
}

void ForwardCall::sendAttempt() {
  ++attempts_;
  ++server_.partner_in_flight_;
  call_ = HttpClient::request(server_.loop_, server_.partnerRequest(params_.attempt_timeout, path_),
                              [this](Result<HttpResponse> result) { onAttemptDone(std::move(result)); });
}

void ForwardCall::onAttemptDone(Result<HttpResponse> result) {
  --server_.partner_in_flight_;
  const AttemptOutcome outcome = classifyAttempt(result);
  const std::string label = attemptLabel(outcome);
  server_.metrics_.recordPartnerAttempt(params_.path, label);
  if (closing_) {
    finish(HttpResponse::text(503, "server: shutting down\n"), "shutting down");
    return;
  }
  if (!outcome.succeeded() && attempts_ < params_.max_attempts) {
    // The naive retry: again, now, whatever the failure was and however many others are failing.
    server_.metrics_.recordRetry(params_.path, label);
    spdlog::debug("retry url={} attempt={} delay_ms=0 after={}", target_, attempts_ + 1, label);
    sendAttempt();
    return;
  }
  if (result.ok()) {
    finish(std::move(*result), outcome.succeeded() ? "" : "partner status " + label);
    return;
  }
  const std::string error = result.error().message;
  const int status = outcome.kind == AttemptOutcome::Kind::kTimeout ? 504 : 502;
  finish(HttpResponse::text(status, "server: partner call failed: " + error + "\n"), error);
}

void ForwardCall::finish(HttpResponse response, const std::string& error) {
  const int status = response.status;
  // The partner's own 4xx/5xx passes through and is logged as what it is, not as ok.
  const DemoOutcome outcome = classifyStatus(status, response.header("X-Degraded"), response.header("X-Shed"));
  response.setHeader("X-Attempts", std::to_string(attempts_));
  responder_.respond(std::move(response));
  const Duration latency = Clock::now() - started_at_;
  server_.logRequest(method_, target_, status, std::string(outcomeName(outcome)), latency, attempts_, error);
  server_.metrics_.recordRequest(params_.path, std::string(outcomeName(outcome)), latency);
  server_.onForwardDone(this, params_.path);  // deletes this
}

}  // namespace faultline
