#include "toxics/http/http_status_toxic.h"

namespace faultline {

HttpStatusToxic::HttpStatusToxic(const ToxicSpec& spec) : HttpToxic(spec) {
  rewrite_.toxic = spec.name;
  if (spec.type == "status_code") {
    rewrite_.status = static_cast<int>(spec.attr("status_code"));
    if (spec.attr("modify_response_body") != 0) rewrite_.body = spec.text("response_body");
  } else if (spec.type == "modify_response_body") {
    rewrite_.body = spec.text("response_body");
  } else {
    rewrite_.status = static_cast<int>(spec.attr("status"));
    // An http_status without a body keeps the upstream's body (the attribute's default is "").
    if (!spec.text("body").empty()) rewrite_.body = spec.text("body");
  }
}

void HttpStatusToxic::apply(HttpPlan& plan, Random& random) const {
  (void)random;
  plan.rewrite = rewrite_;
}

}  // namespace faultline
