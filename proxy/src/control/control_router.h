#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "http/http_message.h"
#include "metrics/api_request_counters.h"

namespace faultline {

class ProxyRegistry;
class RulesService;
struct HttpServerStats;

struct ControlRouterOptions {
  // The address the API is bound to; a Host header naming it is accepted besides loopback
  // names. A wildcard bind ("0.0.0.0", "::", "") accepts any Host: the operator opened the API
  // to the network on purpose (Testcontainers runs `-host=0.0.0.0`).
  std::string bind_host = "127.0.0.1";
  // When set, every request needs `Authorization: Bearer <api_token>`.
  std::string api_token;
  // The web UI's token (api_token when that is set): a browser (Mozilla/ user agent) is let in
  // only with `Authorization: Bearer <ui_token>`; empty = browsers are always refused.
  std::string ui_token = {};
};

// The Toxiproxy v2 REST API as a function from request to response over the registry (and the
// rules service, which may be null). No sockets: ControlServer does the I/O, tests call
// handle() directly.
class ControlRouter {
 public:
  // Toxiproxy clients gate features on the version (Ruby uses PATCH from 2.6.0), so /version
  // reports the Toxiproxy release whose API this matches; Faultline's own is beside it.
  static constexpr const char* kToxiproxyVersion = "2.12.0";

  ControlRouter(ProxyRegistry& registry, RulesService* rules, ControlRouterOptions options = {});

  HttpResponse handle(const HttpRequest& request);
  // Adds the X-Toxiproxy-Request-Id header: handle() does it for routed requests; the server
  // calls it for the answers it gives itself (400/408/413/414/431), so every response has one.
  void stamp(HttpResponse& response);

  // Host, user agent and token checks; status 0 = allowed. The streamed /events route (which
  // ControlServer answers itself) goes through it too.
  HttpResponse checkAccess(const HttpRequest& request) const;
  ProxyRegistry& registry() { return registry_; }

  // The server's counters, shown by /metrics (may stay null).
  void setHttpStats(const HttpServerStats* stats) { http_stats_ = stats; }
  const ApiRequestCounters& requestCounters() const { return counters_; }

 private:
  HttpResponse dispatch(const HttpRequest& request, const std::string& route);
  bool hostAllowed(const std::string& host_header) const;
  std::string nextRequestId();

  HttpResponse version() const;
  HttpResponse listProxies() const;
  HttpResponse createProxy(const HttpRequest& request);
  HttpResponse populate(const HttpRequest& request);
  HttpResponse getProxy(const std::string& name) const;
  HttpResponse updateProxy(const std::string& name, const HttpRequest& request);
  HttpResponse deleteProxy(const std::string& name);
  HttpResponse listToxics(const std::string& proxy) const;
  HttpResponse createToxic(const std::string& proxy, const HttpRequest& request);
  HttpResponse getToxic(const std::string& proxy, const std::string& toxic) const;
  HttpResponse updateToxic(const std::string& proxy, const std::string& toxic, const HttpRequest& request);
  HttpResponse deleteToxic(const std::string& proxy, const std::string& toxic);
  HttpResponse reset();
  // ui/ui_routes.cpp
  HttpResponse uiPageResponse() const;
  HttpResponse toxicTypesResponse() const;
  // connections_routes.cpp
  HttpResponse listConnections(const std::string& proxy) const;
  HttpResponse killConnection(const std::string& proxy, const std::string& id, const HttpRequest& request);
  HttpResponse metrics() const;
  HttpResponse reload();
  HttpResponse rules() const;

  ProxyRegistry& registry_;
  RulesService* rules_;
  ControlRouterOptions options_;
  const HttpServerStats* http_stats_ = nullptr;
  ApiRequestCounters counters_;
  uint64_t request_prefix_;
  uint64_t request_counter_ = 0;
};

// "/proxies/{proxy}/toxics/{toxic}" for "/proxies/db/toxics/lat"; "other" for unknown paths.
std::string routeTemplate(std::string_view path);

// {"error": message, "status": status} with that status.
HttpResponse errorResponse(int status, const std::string& message);

}  // namespace faultline
