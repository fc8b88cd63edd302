#include "toxics/http/http_reset_toxic.h"

namespace faultline {

HttpResetToxic::HttpResetToxic(const ToxicSpec& spec) : HttpToxic(spec) {
  const std::string& when = spec.text("when");
  cut_.when = when == "headers" ? HttpCutPoint::kHeaders : when == "body" ? HttpCutPoint::kBody : HttpCutPoint::kRequest;
  const std::string& mode = spec.text("mode");
  cut_.mode = mode == "close" ? HttpCutMode::kClose : mode == "hang" ? HttpCutMode::kHang : HttpCutMode::kReset;
  cut_.body_bytes = spec.attr("bytes");
  cut_.toxic = spec.name;
}

void HttpResetToxic::apply(HttpPlan& plan, Random& random) const {
  (void)random;
  if (!plan.cut) plan.cut = cut_;
}

}  // namespace faultline
