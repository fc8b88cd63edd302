#include "net/uv_error.h"

#include <uv.h>

namespace faultline {

std::string uvErrorText(int status) { return std::string(uv_err_name(status)) + " (" + uv_strerror(status) + ")"; }

}  // namespace faultline
