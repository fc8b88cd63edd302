#pragma once

#include <cstdint>
#include <string>

namespace faultline {

// RFC 3339 UTC with milliseconds, from milliseconds since the epoch: "2026-12-01T11:50:35.123Z".
std::string formatUtcMillis(int64_t epoch_ms);

}  // namespace faultline
