#pragma once

#include <cstdint>
#include <string_view>

#include "backoff.h"
#include "core/clock.h"
#include "core/random.h"

namespace faultline {

// How one attempt at the partner ended.
struct AttemptOutcome {
  enum class Kind {
    kResponse,      // an HTTP answer arrived (any status)
    kConnectError,  // refused, reset before any answer, unreachable
    kTimeout,       // the attempt's own timeout fired
    kOtherError,    // anything else (malformed answer, local failure): not known to be safe to retry
  };
  Kind kind = Kind::kResponse;
  int status = 0;  // for kResponse

  static AttemptOutcome response(int status) { return {Kind::kResponse, status}; }
  static AttemptOutcome connectError() { return {Kind::kConnectError, 0}; }
  static AttemptOutcome timeout() { return {Kind::kTimeout, 0}; }
  static AttemptOutcome otherError() { return {Kind::kOtherError, 0}; }

  bool succeeded() const { return kind == Kind::kResponse && status < 500; }
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
  };
  struct Decision {
    Verdict verdict = Verdict::kSucceeded;
    Millis delay{0};
  };

  explicit RetryPolicy(Params params) : params_(params), backoff_(params.backoff) {}

  // Connect errors, attempt timeouts and 502/503/504 are retryable: the request most likely never
  // reached the application, or the application said "try again". A 500 may mean the work was done.
  static bool isRetryable(const AttemptOutcome& outcome);

  // attempts_made counts the attempts so far (>= 1); time_left is what remains of the deadline.
  Decision decide(uint32_t attempts_made, const AttemptOutcome& outcome, Duration time_left, Random& random) const;

  const Params& params() const { return params_; }

 private:
  Params params_;
  Backoff backoff_;
};

std::string_view toString(RetryPolicy::Verdict verdict);

}  // namespace faultline
