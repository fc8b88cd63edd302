#include "toxics/http/http_delay_toxic.h"

#include <algorithm>

namespace faultline {

HttpDelayToxic::HttpDelayToxic(const ToxicSpec& spec)
    : HttpToxic(spec),
      latency_ms_(spec.attr("latency")),
      jitter_ms_(spec.attr("jitter")),
      response_phase_(spec.text("phase") == "response") {}

void HttpDelayToxic::apply(HttpPlan& plan, Random& random) const {
  int64_t ms = latency_ms_;
  if (jitter_ms_ > 0) ms += random.between(-jitter_ms_, jitter_ms_);
  const Duration delay = Millis(std::max<int64_t>(ms, 0));
  if (response_phase_) {
    plan.response_delay += delay;
    plan.response_delay_toxic = name();
  } else {
    plan.request_delay += delay;
    plan.request_delay_toxic = name();
  }
}

}  // namespace faultline
