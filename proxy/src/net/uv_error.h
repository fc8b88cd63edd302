#pragma once

#include <string>

#include "core/error.h"

namespace faultline {

// The one place libuv statuses become text.

// A libuv status as every log line and error message spells it:
// "ECONNREFUSED (connection refused)": the name to grep for, the text to read.
std::string uvErrorText(int status);

// Only the sentence, "address already in use": for the texts that copy Go's net package
// (Toxiproxy's bind error), which clients match on.
std::string uvErrorSentence(int status);

// "bind 127.0.0.1:80: EACCES (permission denied)" as an I/O error.
Error uvError(int status, const std::string& what);

}  // namespace faultline
