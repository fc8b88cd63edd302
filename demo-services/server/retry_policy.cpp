#include "retry_policy.h"

namespace faultline {

bool RetryPolicy::isRetryable(const AttemptOutcome& outcome) {
  switch (outcome.kind) {
    case AttemptOutcome::Kind::kConnectError:
    case AttemptOutcome::Kind::kReset:
    case AttemptOutcome::Kind::kTimeout:
      return true;
    case AttemptOutcome::Kind::kResponse:
      return outcome.status == 429 || outcome.status == 502 || outcome.status == 503 || outcome.status == 504;
    case AttemptOutcome::Kind::kOtherError:
      return false;
  }
  return false;
}

RetryPolicy::Decision RetryPolicy::decide(uint32_t attempts_made, const AttemptOutcome& outcome,
                                          Duration time_left, Random& random) const {
  if (outcome.succeeded()) return {Verdict::kSucceeded, Millis{0}};
  if (!isRetryable(outcome)) return {Verdict::kNotRetryable, Millis{0}};
  if (attempts_made >= params_.max_attempts) return {Verdict::kAttemptsExhausted, Millis{0}};
  if (outcome.retry_after) {
    if (*outcome.retry_after >= time_left) return {Verdict::kRetryAfterBeyondDeadline, Millis{0}};
    return {Verdict::kRetry, *outcome.retry_after};
  }
  const Millis delay = backoff_.delay(attempts_made - 1, random);
  // A retry that starts at or after the deadline cannot answer in time; give up now and let the
  // caller use the fallback while the client is still waiting.
  if (delay >= time_left) return {Verdict::kNoTimeLeft, Millis{0}};
  return {Verdict::kRetry, delay};
}

std::string_view toString(RetryPolicy::Verdict verdict) {
  switch (verdict) {
    case RetryPolicy::Verdict::kRetry: return "retry";
    case RetryPolicy::Verdict::kSucceeded: return "succeeded";
    case RetryPolicy::Verdict::kNotRetryable: return "not_retryable";
    case RetryPolicy::Verdict::kAttemptsExhausted: return "attempts_exhausted";
    case RetryPolicy::Verdict::kNoTimeLeft: return "no_time_left";
    case RetryPolicy::Verdict::kRetryAfterBeyondDeadline: return "retry_after_beyond_deadline";
  }
  return "unknown";
}

}  // namespace faultline
