#pragma once

#include "toxics/http/http_toxic.h"

namespace faultline {

// http_delay: holds a matching request (phase request) or its response (phase response) for
// latency +/- jitter ms. Whatever follows it on the connection waits behind it: HTTP/1.x
// answers in order, so nothing may overtake a held message.
class HttpDelayToxic final : public HttpToxic {
 public:
  explicit HttpDelayToxic(const ToxicSpec& spec);

 protected:
  void apply(HttpPlan& plan, Random& random) const override;

 private:
  int64_t latency_ms_;
  int64_t jitter_ms_;
  bool response_phase_;
};

}  // namespace faultline
