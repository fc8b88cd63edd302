#pragma once

#include <string_view>

#include "core/result.h"
#include "http/http_client.h"
#include "http/http_message.h"

namespace faultline {

// How one request ended, as the demo client, the server's logs and metrics and the scenario
// report all name it. Shed is its own outcome, not a 5xx: a fast "not now" (429, or 503 from the
// server's own bulkhead) is the protection working, not the server failing.
enum class DemoOutcome {
  kOk,               // 2xx with the real answer
  kDegraded,         // 2xx carrying X-Degraded: true (the server's fallback)
  kShed,             // 429, or a 503 marked X-Shed (bulkhead full, rate limited)
  kClientError,      // other 4xx
  kServerError,      // other 5xx
  kTimeout,          // no answer within the caller's timeout
  kConnectionError,  // refused, reset, malformed answer
};
inline constexpr int kDemoOutcomeCount = 7;

// "ok", "degraded", "shed", "client_error", "server_error", "timeout", "connection_error".
std::string_view outcomeName(DemoOutcome outcome);

// The outcome of an answer with this status and these two headers' values.
DemoOutcome classifyStatus(int status, std::string_view x_degraded, std::string_view x_shed);
// The outcome of one HTTP client call (timeouts and cancellations count as timeouts).
DemoOutcome classifyAnswer(const Result<HttpResponse>& result);

}  // namespace faultline
