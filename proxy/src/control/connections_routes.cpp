// GET /proxies/{p}/connections and DELETE /proxies/{p}/connections/{id} (issue 15).
#include <charconv>
#include <string>

#include "control/control_router.h"
#include "control/json_mapping.h"
#include "core/clock.h"  // proxy_registry.h uses Millis
#include "core/utc_time.h"
#include "http/http_wire.h"
#include "proxy/proxy_registry.h"

namespace faultline {

namespace {

HttpResponse jsonOk(int status, const OrderedJson& body) {
  return HttpResponse::json(status, body.dump(-1, ' ', false, OrderedJson::error_handler_t::replace));
}

OrderedJson connectionToJson(const ConnectionInfo& info) {
  OrderedJson out;
  out["id"] = info.id;
  out["client"] = info.client;
  out["upstream"] = info.upstream;
  out["opened_at"] = formatUtcMillis(info.opened_at_ms);
  out["opened_at_ms"] = info.opened_at_ms;
  out["bytes"] = {{"upstream", info.bytes_up}, {"downstream", info.bytes_down}};
  out["state"] = info.state;
  // One entry per toxicity roll this connection made: the seeded outcome kept for its life.
  OrderedJson toxics = OrderedJson::array();
  for (const auto& decision : info.decisions) {
    OrderedJson item;
    item["name"] = decision.toxic;
    item["stream"] = streamName(decision.stream);
    item["applied"] = decision.applied;
    toxics.push_back(std::move(item));
  }
  out["toxics"] = std::move(toxics);
  return out;
}

}  // namespace

HttpResponse ControlRouter::listConnections(const std::string& proxy) const {
  auto connections = registry_.connections(proxy);
  if (!connections) return errorResponse(httpStatus(connections.error().code), connections.error().message);
  OrderedJson body = OrderedJson::array();
  for (const auto& info : *connections) body.push_back(connectionToJson(info));
  return jsonOk(200, body);
}

HttpResponse ControlRouter::killConnection(const std::string& proxy, const std::string& id,
                                           const HttpRequest& request) {
  std::string mode = queryParam(request.query, "mode").value_or("");
  if (mode.empty()) mode = "close";
  if (mode != "close" && mode != "reset") {
    return errorResponse(400, "bad mode '" + mode + "' for DELETE /proxies/" + proxy + "/connections/" + id +
                                  "; use ?mode=close (FIN after queued data) or ?mode=reset (RST now)");
  }
  uint64_t number = 0;
  auto [end, ec] = std::from_chars(id.data(), id.data() + id.size(), number);
  if (ec != std::errc() || end != id.data() + id.size() || id.empty()) {
    return errorResponse(404, "connection '" + id + "' not found on proxy " + proxy +
                                  "; ids are the numbers GET /proxies/" + proxy + "/connections lists");
  }
  auto status = registry_.killConnection(proxy, number, mode == "reset" ? CloseMode::kReset : CloseMode::kGraceful);
  if (!status) return errorResponse(httpStatus(status.error().code), status.error().message);
  return HttpResponse::empty(204);
}

}  // namespace faultline
