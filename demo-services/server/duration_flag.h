#pragma once

#include <string>

#include "core/clock.h"
#include "core/result.h"

namespace faultline {

// Parses a duration given on the command line or in the environment: "250ms", "1s", "1.5s", "2m",
// "500us", or a bare number meaning milliseconds ("750"). `what` names the flag in errors:
// "--max-delay: expected a duration like 250ms, 1s or 1500 (milliseconds), got 'abc'".
Result<Micros> parseDuration(const std::string& text, const std::string& what);

// "250ms", "1.5s": for logs and the startup line.
std::string formatDuration(Micros d);

}  // namespace faultline
