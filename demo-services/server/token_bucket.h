#pragma once

#include <string_view>
#include <optional>

#include "core/clock.h"

namespace faultline {

// A token bucket rate limiter: `rate` tokens a second refill a bucket of `burst`; a request that
// finds a token goes ahead, one that does not is turned away at once with 429 and a Retry-After.
// The memory story's other fix: the server never takes on more work than the partner can finish,
// so the pile of waiting calls stays bounded by rate x partner latency instead of growing.
// Pure: time is passed in.
class TokenBucket {
 public:
  struct Params {
    double rate = 50;   // tokens per second
    double burst = 50;  // bucket size
  };

  explicit TokenBucket(Params params);

  bool tryTake(TimePoint now);
  // How long until the next token: the Retry-After of a refused request.
  Duration untilNextToken(TimePoint now);
  double tokens(TimePoint now);
  const Params& params() const { return params_; }

 private:
  void refill(TimePoint now);

  Params params_;
  double tokens_;
  std::optional<TimePoint> last_;
};

// Retry-After in whole seconds, at least 1 (RFC 9110 allows only delta-seconds or a date).
int retryAfterSeconds(Duration wait);
// The delay a Retry-After header value asks for: delta-seconds only ("2"); nullopt for a date or
// garbage, which the caller treats as no hint.
std::optional<Millis> parseRetryAfter(std::string_view value);

}  // namespace faultline
