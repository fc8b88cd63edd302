#pragma once

#include <string>
#include <string_view>

namespace faultline {

// Text from users (names, toxic attributes such as an http_abort body or a path matcher, request
// paths and headers) made safe to print on a terminal or in a log line: every control character
// becomes visible instead of acting. C0 bytes and DEL become "\n", "\r", "\t" or "\x1b"; C1
// controls (U+0080..U+009F, CSI among them) become "\u009b"; bytes that are not UTF-8 become
// "\xff". Everything else, printable UTF-8 included, passes unchanged.
//
// Backslashes are not doubled, so escaping twice gives the same text as escaping once: callers
// may escape at every layer without garbling what reaches the reader.
std::string escapeControls(std::string_view text);

// True when escapeControls() would change nothing (no copy needed).
bool isPrintable(std::string_view text);

}  // namespace faultline
