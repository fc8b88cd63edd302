#pragma once

#include <string>

namespace faultline {

// A libuv status as every log line and error message of the data path spells it:
// "ECONNREFUSED (connection refused)": the name to grep for, the text to read.
std::string uvErrorText(int status);

}  // namespace faultline
