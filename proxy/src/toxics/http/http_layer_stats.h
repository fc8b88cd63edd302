#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace faultline {

// What the HTTP layers of one proxy's sessions have seen; one instance per proxy, shared with
// its sessions (a session may outlive its proxy). Read by /metrics; the loop thread only.
struct HttpLayerStats {
  uint64_t requests = 0;          // request heads framed
  uint64_t non_http_streams = 0;  // connections that turned out not to be HTTP/1.x
  std::map<std::string, uint64_t> faults;  // toxic name (or X-Faultline-*) -> faults injected
};

}  // namespace faultline
