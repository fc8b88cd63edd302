#pragma once

#include "toxics/http/http_toxic.h"

namespace faultline {

// http_status: the request goes upstream; the status (and, when a body is set, the body) of the
// upstream's answer is replaced on its way back. Also serves the Litmus fork's names:
// status_code {status_code, modify_response_body, response_body} and
// modify_response_body {response_body}.
class HttpStatusToxic final : public HttpToxic {
 public:
  explicit HttpStatusToxic(const ToxicSpec& spec);

 protected:
  void apply(HttpPlan& plan, Random& random) const override;

 private:
  HttpPlan::Rewrite rewrite_;
};

}  // namespace faultline
