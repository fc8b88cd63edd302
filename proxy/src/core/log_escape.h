#pragma once

#include <spdlog/formatter.h>

#include <memory>
#include <string>

namespace faultline {

// A pattern formatter whose "%*" is the message with control characters escaped
// (escapeControls): log lines are built from user strings (request paths, toxic attributes,
// error texts that quote input), and a newline or ESC in one must not forge a line or drive the
// terminal that shows the log. One line per event, whatever the input.
std::unique_ptr<spdlog::formatter> escapingLogFormatter(const std::string& pattern);

}  // namespace faultline
