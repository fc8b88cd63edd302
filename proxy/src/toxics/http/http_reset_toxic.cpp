#include "toxics/http/http_reset_toxic.h"

namespace faultline {

HttpResetToxic::HttpResetToxic(const ToxicSpec& spec) : HttpToxic(spec) {
  cut_.when = parseHttpCutPoint(spec.text("when")).value_or(HttpCutPoint::kRequest);
  cut_.mode = parseCutMode(spec.text("mode")).value_or(CutMode::kReset);
  cut_.body_bytes = spec.attr("bytes");
  cut_.toxic = spec.name;
}

void HttpResetToxic::apply(HttpPlan& plan, Random& random) const {
  (void)random;
  if (!plan.cut) plan.cut = cut_;
}

}  // namespace faultline
