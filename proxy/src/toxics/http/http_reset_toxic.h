#pragma once

#include "toxics/http/http_toxic.h"

namespace faultline {

// http_reset: cuts a matching exchange at a point (when): before the request reaches the
// upstream, after the response head, or after `bytes` bytes of the response body; by RST
// (reset), FIN (close), or by going silent with the connection left open (hang).
class HttpResetToxic final : public HttpToxic {
 public:
  explicit HttpResetToxic(const ToxicSpec& spec);

 protected:
  void apply(HttpPlan& plan, Random& random) const override;

 private:
  HttpPlan::Cut cut_;
};

}  // namespace faultline
