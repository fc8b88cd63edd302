#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace faultline {

// One field of a JSON object from the server, as text for a terminal: a string as it is, any
// other value as JSON, a missing or null field as "". Control bytes are escaped: server text may
// hold any bytes (toxic attributes, request paths in events), and must never drive the terminal.
std::string jsonText(const nlohmann::json& object, const char* key);

}  // namespace faultline
