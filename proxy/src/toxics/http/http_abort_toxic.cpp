#include "toxics/http/http_abort_toxic.h"

#include <nlohmann/json.hpp>

namespace faultline {

HttpAbortToxic::HttpAbortToxic(const ToxicSpec& spec)
    : HttpToxic(spec),
      status_(static_cast<int>(spec.attr("status"))),
      body_(spec.text("body").empty() ? defaultBody(status_, spec.name) : spec.text("body")),
      retry_after_s_(spec.attr("retry_after")) {}

std::string HttpAbortToxic::defaultBody(int status, const std::string& toxic) {
  nlohmann::json body = {{"error", reasonPhrase(status)}, {"status", status}, {"fault", toxic}};
  return body.dump();
}

void HttpAbortToxic::apply(HttpPlan& plan, Random& random) const {
  (void)random;
  plan.answer = HttpPlan::Answer{status_, body_, retry_after_s_, name()};
}

}  // namespace faultline
