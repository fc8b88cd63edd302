#include "toxics/http/http_toxic.h"

#include "toxics/http/http_abort_toxic.h"
#include "toxics/http/http_delay_toxic.h"
#include "toxics/http/http_reset_toxic.h"
#include "toxics/http/http_status_toxic.h"

namespace faultline {

HttpToxic::HttpToxic(const ToxicSpec& spec)
    : name_(spec.name),
      matcher_(spec.text("method"), spec.text("path"), spec.text("header")),
      percentage_(Probability::fromFraction(static_cast<double>(spec.attributes.count("percentage") != 0
                                                                    ? spec.attr("percentage")
                                                                    : 100) /
                                            100.0)) {}

void HttpToxic::consider(const HttpHead& request, HttpPlan& plan, ToxicContext& ctx) const {
  if (plan.settled() || !matcher_.matches(request)) return;
  Random& random = ctx.random();
  if (!percentage_.roll(random)) return;
  plan.applied.push_back(name_);
  apply(plan, random);
}

std::unique_ptr<HttpToxic> createHttpToxic(const ToxicSpec& spec) {
  if (spec.type == "http_abort") return std::make_unique<HttpAbortToxic>(spec);
  if (spec.type == "http_delay") return std::make_unique<HttpDelayToxic>(spec);
  if (spec.type == "http_reset") return std::make_unique<HttpResetToxic>(spec);
  if (spec.type == "http_status" || spec.type == "status_code" || spec.type == "modify_response_body") {
    return std::make_unique<HttpStatusToxic>(spec);
  }
  return nullptr;
}

}  // namespace faultline
