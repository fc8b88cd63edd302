#pragma once

#include <memory>
#include <string>

#include "core/random.h"
#include "toxics/http/http_head.h"
#include "toxics/http/http_matcher.h"
#include "toxics/http/http_plan.h"
#include "toxics/toxic.h"
#include "toxics/toxic_spec.h"

namespace faultline {

// One http_* toxic on one connection. The common part: its matchers and its per-request
// `percentage`; toxicity was rolled once for the connection before it was built (Toxiproxy).
// Subclasses add their effect to the request's plan.
class HttpToxic {
 public:
  explicit HttpToxic(const ToxicSpec& spec);
  virtual ~HttpToxic() = default;

  // Matches and rolls; when both say yes, adds this toxic's effect to the plan. The connection's
  // generator is fetched only for a request that matches (a lookup per toxic per request
  // otherwise, the costliest part of a toxic that matches nothing).
  void consider(const HttpHead& request, HttpPlan& plan, ToxicContext& ctx) const;
  const std::string& name() const { return name_; }

 protected:
  virtual void apply(HttpPlan& plan, Random& random) const = 0;

 private:
  std::string name_;
  HttpMatcher matcher_;
  Probability percentage_;
};

// Builds the runtime toxic of an http_* (or Litmus alias) spec; nullptr for any other type.
std::unique_ptr<HttpToxic> createHttpToxic(const ToxicSpec& spec);

}  // namespace faultline
