#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "backoff.h"
#include "core/clock.h"
#include "core/random.h"

namespace faultline {

// How one attempt at the partner ended.
struct AttemptOutcome {
  enum class Kind {
    kResponse,      // an HTTP answer arrived (any status)
    kConnectError,  // refused, unreachable
    kReset,         // the connection was reset or closed before a full answer
    kTimeout,       // the attempt's own timeout fired
    kOtherError,    // anything else (malformed answer, local failure): not known to be safe to retry
  };
  Kind kind = Kind::kResponse;
  int status = 0;                      // for kResponse
  std::optional<Millis> retry_after;  // the partner's Retry-After on a 429 or 503

  static AttemptOutcome response(int status, std::optional<Millis> retry_after = std::nullopt) {
    return {Kind::kResponse, status, retry_after};
  }
  static AttemptOutcome connectError() { return {Kind::kConnectError, 0, std::nullopt}; }
  static AttemptOutcome reset() { return {Kind::kReset, 0, std::nullopt}; }
  static AttemptOutcome timeout() { return {Kind::kTimeout, 0, std::nullopt}; }
  static AttemptOutcome otherError() { return {Kind::kOtherError, 0, std::nullopt}; }

  // A 429 is the partner asking us to come back later: not an answer to pass on.
  bool succeeded() const { return kind == Kind::kResponse && status < 500 && status != 429; }
  // What the circuit breaker judges: a 429 is neither success nor failure. The partner is up and
  // pacing us (its Retry-After says when to come back, and the retry waits that long); counted as
  // a failure it would open the breaker on a healthy, rate-limited partner and turn answers that
  // were one Retry-After away into fallbacks.
  bool countsForBreaker() const { return !(kind == Kind::kResponse && status == 429); }
};

// Decides whether a failed attempt is retried and after how long. It never sleeps and owns no
// timer: the caller schedules the returned delay on its own loop.
class RetryPolicy {
 public:
  struct Params {
    uint32_t max_attempts = 3;  // including the first attempt
    Backoff::Params backoff{};
  };

  enum class Verdict {
    kRetry,              // wait `delay`, then try again
    kSucceeded,          // nothing to retry
    kNotRetryable,       // e.g. a 500 or 404: retrying would repeat the same answer or do harm
    kAttemptsExhausted,  // max_attempts reached
    kNoTimeLeft,         // the backoff would end after the deadline
    kRetryAfterBeyondDeadline,  // the partner's Retry-After ends after the deadline
  };
  struct Decision {
    Verdict verdict = Verdict::kSucceeded;
    Millis delay{0};
  };

  explicit RetryPolicy(Params params) : params_(params), backoff_(params.backoff) {}

  // Connect errors, resets, attempt timeouts, 429 and 502/503/504 are retryable: the request most
  // likely never reached the application, or the application said "try again". A 500 may mean the
  // work was done. (The partner calls are GETs, so a reset mid-answer is safe to repeat.)
  static bool isRetryable(const AttemptOutcome& outcome);

  // attempts_made counts the attempts so far (>= 1); time_left is what remains of the deadline.
  // A Retry-After is honoured: the retry waits exactly that long (no earlier, which the partner
  // asked us not to do), or, when that ends after the deadline, the caller falls back now.
  Decision decide(uint32_t attempts_made, const AttemptOutcome& outcome, Duration time_left, Random& random) const;

  const Params& params() const { return params_; }

 private:
  Params params_;
  Backoff backoff_;
};

std::string_view toString(RetryPolicy::Verdict verdict);

}  // namespace faultline
