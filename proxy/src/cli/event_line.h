#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace faultline {

// One event of GET /events as `faultline top` shows it: "SEQ  TYPE  PROXY key=value ...", the
// fields that say what happened for each type (fault_injected: the toxic and what it did).
std::string eventLine(const nlohmann::json& event);

}  // namespace faultline
