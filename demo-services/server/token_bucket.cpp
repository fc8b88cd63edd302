#include "token_bucket.h"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace faultline {

TokenBucket::TokenBucket(Params params) : params_(params), tokens_(params.burst) {}

void TokenBucket::refill(TimePoint now) {
  if (last_ && now > *last_) {
    const double seconds = std::chrono::duration<double>(now - *last_).count();
    tokens_ = std::min(params_.burst, tokens_ + seconds * params_.rate);
  }
  if (!last_ || now > *last_) last_ = now;
}

bool TokenBucket::tryTake(TimePoint now) {
  refill(now);
  if (tokens_ < 1.0) return false;
  tokens_ -= 1.0;
  return true;
}

Duration TokenBucket::untilNextToken(TimePoint now) {
  refill(now);
  if (tokens_ >= 1.0 || params_.rate <= 0) return Duration{0};
  return std::chrono::duration_cast<Duration>(std::chrono::duration<double>((1.0 - tokens_) / params_.rate));
}

double TokenBucket::tokens(TimePoint now) {
  refill(now);
  return tokens_;
}

int retryAfterSeconds(Duration wait) {
  const double seconds = std::ceil(std::chrono::duration<double>(wait).count());
  return std::max(1, static_cast<int>(std::min(seconds, 3600.0)));
}

std::optional<Millis> parseRetryAfter(std::string_view value) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  long long seconds = 0;
  auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (ec != std::errc{} || ptr != value.data() + value.size() || seconds < 0 || seconds > 86400) return std::nullopt;
  return Millis{seconds * 1000};
}

}  // namespace faultline
