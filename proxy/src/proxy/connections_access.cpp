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

void Proxy::collectHeldBytes(std::vector<ToxicHeldBytes>& out) const {
  const std::size_t first = out.size();
  auto rowFor = [&](const std::string& toxic, const std::string& type, Stream stream) -> ToxicHeldBytes& {
    for (std::size_t i = first; i < out.size(); ++i) {
      if (out[i].toxic == toxic && out[i].stream == stream) return out[i];
    }
    out.push_back(ToxicHeldBytes{name_, toxic, type, stream, 0});
    return out.back();
  };
  for (const auto& toxic : toxics_) rowFor(toxic->name, toxic->type, toxic->stream);
  for (Session* session : sessions_) {
    for (Stream stream : {Stream::kUpstream, Stream::kDownstream}) {
      const ToxicChain& chain = session->link(stream).chain();
      for (std::size_t i = 0; i < chain.size(); ++i) {
        const ToxicChain::StageInfo stage = chain.stageInfo(i);
        if (stage.buffered == 0 && !stage.pinned) continue;  // configured toxics have their row already
        rowFor(stage.name, stage.type, stream).bytes += stage.buffered;
      }
    }
  }
}

std::vector<ToxicHeldBytes> ProxyRegistry::heldBytes() const {
  std::vector<ToxicHeldBytes> out;
  for (const auto& [name, proxy] : proxies_) proxy->collectHeldBytes(out);
  return out;
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
