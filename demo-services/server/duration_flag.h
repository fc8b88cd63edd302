#pragma once

#include <string>

#include "core/clock.h"
#include "core/result.h"

namespace faultline {

// What a number without a unit means. Seconds, as in the tools the demo's stories come from
// (`--timeout 1`, `--duration 30`); milliseconds only for a flag whose name says so (`--deadline-ms`).
enum class BareNumber { kSeconds, kMilliseconds };

// The one parser of every duration flag of the demo tools: "250ms", "1s", "1.5s", "2m", "1h", "500us",
// or a bare number in `bare` units. `what` names the flag in errors:
// "--max-delay: expected a duration like 500ms, 1s, 2m or 1.5 (seconds), got 'abc'".
Result<Micros> parseDuration(const std::string& text, const std::string& what,
                             BareNumber bare = BareNumber::kSeconds);

// For --help: "(500ms, 1s, 2m; a bare number is seconds)".
const char* durationHelpSuffix(BareNumber bare = BareNumber::kSeconds);

// "250ms", "1.5s": for logs and the startup line.
std::string formatDuration(Micros d);

}  // namespace faultline
