#pragma once

#include <string>

#include "core/result.h"
#include "http/http_message.h"
#include "retry_policy.h"

namespace faultline {

// What one partner call's result means to the retry policy: an HTTP answer (with the partner's
// Retry-After, if any), a timeout, a refused connection, a reset. Only the deadline cancels an
// attempt, so a cancelled call was one that took too long.
AttemptOutcome classifyAttempt(const Result<HttpResponse>& result);

// The label of the outcome in logs and metrics: "200", "503", "timeout", "reset", "refused", "error".
std::string attemptLabel(const AttemptOutcome& outcome);

}  // namespace faultline
