#include "demo_outcome.h"

namespace faultline {

std::string_view outcomeName(DemoOutcome outcome) {
  switch (outcome) {
    case DemoOutcome::kOk: return "ok";
    case DemoOutcome::kDegraded: return "degraded";
    case DemoOutcome::kShed: return "shed";
    case DemoOutcome::kClientError: return "client_error";
    case DemoOutcome::kServerError: return "server_error";
    case DemoOutcome::kTimeout: return "timeout";
    case DemoOutcome::kConnectionError: return "connection_error";
  }
  return "unknown";
}

DemoOutcome classifyStatus(int status, std::string_view x_degraded, std::string_view x_shed) {
  if (status == 429 || (status == 503 && !x_shed.empty())) return DemoOutcome::kShed;
  if (status >= 200 && status < 300) {
    return equalsIgnoreCase(x_degraded, "true") ? DemoOutcome::kDegraded : DemoOutcome::kOk;
  }
  if (status >= 500) return DemoOutcome::kServerError;
  if (status >= 400) return DemoOutcome::kClientError;
  return DemoOutcome::kOk;  // 1xx/3xx do not occur here; count them as answered
}

DemoOutcome classifyAnswer(const Result<HttpResponse>& result) {
  if (!result.ok()) {
    const auto failure = httpClientFailure(result.error());
    return failure == HttpClientFailure::kTimeout || failure == HttpClientFailure::kCancelled
               ? DemoOutcome::kTimeout
               : DemoOutcome::kConnectionError;
  }
  return classifyStatus(result->status, result->header("X-Degraded"), result->header("X-Shed"));
}

}  // namespace faultline
