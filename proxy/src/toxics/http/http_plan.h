#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "toxics/cut_mode.h"
#include "toxics/http/http_cut_point.h"

namespace faultline {

// What the http_* toxics decided for one request, filled in toxic order. The exchange layer
// carries it out: an answer means the upstream never sees the request; delays hold this request
// (or its response) and, to keep order, whatever follows it on the connection.
struct HttpPlan {
  struct Answer {
    int status = 503;
    std::string body;
    int64_t retry_after_s = 0;
    std::string toxic;
  };
  struct Cut {
    HttpCutPoint when = HttpCutPoint::kRequest;
    CutMode mode = CutMode::kReset;
    int64_t body_bytes = 0;
    std::string toxic;
  };
  struct Rewrite {
    int status = 0;  // 0 = keep the upstream's
    std::optional<std::string> body;
    std::string toxic;
  };

  std::optional<Answer> answer;
  std::optional<Cut> cut;
  std::optional<Rewrite> rewrite;
  Duration request_delay{0};
  Duration response_delay{0};
  std::string request_delay_toxic;   // the (last) toxic that holds the request
  std::string response_delay_toxic;
  std::vector<std::string> applied;  // toxic names, for metrics and logs

  // An answer or a cut at the request ends the plan: later toxics have nothing left to act on.
  bool settled() const { return answer.has_value() || (cut && cut->when == HttpCutPoint::kRequest); }
};

}  // namespace faultline
