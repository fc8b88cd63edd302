#pragma once

#include "cli/api_client.h"
#include "cli/client_commands.h"

namespace faultline {

// `faultline top`: proxies, connections, bytes/s, toxics and recent events, redrawn every second
// until `q` (or Ctrl-C). With `once`, one frame (rates over a short sample) for scripts and tests.
int runTop(const ApiClient& api, const ClientOutput& output, bool once);

}  // namespace faultline
