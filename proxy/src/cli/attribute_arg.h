#pragma once

#include <cstdint>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace faultline {

// "-a latency=100" -> {"latency", 100}. Values are integers, as every toxic attribute is.
Result<std::pair<std::string, int64_t>> parseAttributeArg(const std::string& text);

// What `-a` sends: "status=503" -> 503 (a JSON number), "path=/data*" -> "/data*" (a string,
// for the http_* toxics; the server says which attributes must be integers). Missing '=' or
// value, and integers out of range, are still errors here.
Result<std::pair<std::string, nlohmann::json>> parseAttributeValueArg(const std::string& text);

}  // namespace faultline
