#include <algorithm>

#include <spdlog/spdlog.h>

#include "proxy/proxy.h"
#include "proxy/proxy_registry.h"

namespace faultline {

std::vector<ConnectionInfo> Proxy::connections() const {
  std::vector<ConnectionInfo> out;
  out.reserve(sessions_.size());
  for (const Session* session : sessions_) out.push_back(session->snapshot());
  std::sort(out.begin(), out.end(), [](const ConnectionInfo& a, const ConnectionInfo& b) { return a.id < b.id; });
  return out;
}

bool Proxy::killConnection(uint64_t id, CloseMode mode) {
  for (Session* session : sessions_) {
    if (session->id() != id) continue;
    spdlog::info("connection killed proxy={} conn={} mode={}", name_, id,
                 mode == CloseMode::kReset ? "reset" : "close");
    // close() may end the session synchronously (onSessionClosed erases it): return at once.
    session->close(Session::CloseReason::kKilled, mode);
    return true;
  }
  return false;
}

Result<std::vector<ConnectionInfo>> ProxyRegistry::connections(const std::string& proxy) const {
  const Proxy* found = find(proxy);
  if (found == nullptr) return Error::notFound("proxy not found");
  return found->connections();
}

Status ProxyRegistry::killConnection(const std::string& proxy, uint64_t id, CloseMode mode) {
  Proxy* found = find(proxy);
  if (found == nullptr) return Error::notFound("proxy not found");
  if (!found->killConnection(id, mode)) {
    return Error::notFound("connection " + std::to_string(id) + " not found on proxy " + proxy +
                           "; list live ones with GET /proxies/" + proxy + "/connections");
  }
  return {};
}

}  // namespace faultline
