#pragma once

#include <cstdint>
#include <string>
#include <utility>

#include "core/result.h"

namespace faultline {

// "-a latency=100" -> {"latency", 100}. Values are integers, as every toxic attribute is.
Result<std::pair<std::string, int64_t>> parseAttributeArg(const std::string& text);

}  // namespace faultline
