#pragma once

#include "toxics/http/http_toxic.h"

namespace faultline {

// http_abort: answers a matching request itself (status, body, Retry-After); the upstream never
// sees the request. The answer takes the request's place in the response order.
class HttpAbortToxic final : public HttpToxic {
 public:
  explicit HttpAbortToxic(const ToxicSpec& spec);
  // The body when none is configured: a short JSON error naming the toxic.
  static std::string defaultBody(int status, const std::string& toxic);

 protected:
  void apply(HttpPlan& plan, Random& random) const override;

 private:
  int status_;
  std::string body_;
  int64_t retry_after_s_;
};

}  // namespace faultline
