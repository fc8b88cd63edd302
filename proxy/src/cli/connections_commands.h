#pragma once

#include <cstdint>
#include <string>

#include "cli/api_client.h"
#include "cli/client_commands.h"

namespace faultline {

// `faultline connections P`: the proxy's live connections (GET /proxies/P/connections).
int listConnections(const ApiClient& api, const ClientOutput& output, const std::string& proxy);
// `faultline kill P ID [--reset]`: ends one connection (DELETE /proxies/P/connections/ID).
int killConnection(const ApiClient& api, const ClientOutput& output, const std::string& proxy, const std::string& id,
                   bool reset);

}  // namespace faultline
