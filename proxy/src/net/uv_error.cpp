#include "net/uv_error.h"

#include <uv.h>

namespace faultline {

std::string uvErrorText(int status) { return std::string(uv_err_name(status)) + " (" + uv_strerror(status) + ")"; }

std::string uvErrorSentence(int status) { return uv_strerror(status); }

Error uvError(int status, const std::string& what) { return Error::io(what + ": " + uvErrorText(status)); }

}  // namespace faultline
