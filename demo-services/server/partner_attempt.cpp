#include "partner_attempt.h"

#include "http/http_client.h"
#include "token_bucket.h"

namespace faultline {

AttemptOutcome classifyAttempt(const Result<HttpResponse>& result) {
  if (result.ok()) {
    std::optional<Millis> retry_after;
    if (result->status == 429 || result->status == 503) retry_after = parseRetryAfter(result->header("Retry-After"));
    return AttemptOutcome::response(result->status, retry_after);
  }
  switch (httpClientFailure(result.error())) {
    case HttpClientFailure::kTimeout:
    case HttpClientFailure::kCancelled:
      return AttemptOutcome::timeout();
    case HttpClientFailure::kReset:
      return AttemptOutcome::reset();
    case HttpClientFailure::kConnectionRefused:
    case HttpClientFailure::kResolve:
      return AttemptOutcome::connectError();
    default:
      return AttemptOutcome::otherError();
  }
}

std::string attemptLabel(const AttemptOutcome& outcome) {
  switch (outcome.kind) {
    case AttemptOutcome::Kind::kResponse: return std::to_string(outcome.status);
    case AttemptOutcome::Kind::kConnectError: return "refused";
    case AttemptOutcome::Kind::kReset: return "reset";
    case AttemptOutcome::Kind::kTimeout: return "timeout";
    case AttemptOutcome::Kind::kOtherError: return "error";
  }
  return "error";
}

}  // namespace faultline
