#include "control/control_router.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <random>
#include <string_view>
#include <vector>

#include <spdlog/spdlog.h>

#include "control/json_mapping.h"
#include "events/event_bus.h"
#include "http/http_wire.h"
#include "metrics/metrics_renderer.h"
#include "core/clock.h"  // proxy_registry.h uses Millis without including it
#include "proxy/proxy_registry.h"
#include "rules/rules_service.h"
#include "toxics/toxic_streams.h"

namespace faultline {

namespace {

constexpr const char* kRequestIdHeader = "X-Toxiproxy-Request-Id";
constexpr const char* kUnknownRoute = "other";
constexpr const char* kNoRulesMessage = "no rules file loaded; start with --config FILE";

HttpResponse jsonResponse(int status, const OrderedJson& body) {
  // Error messages quote the request, which may hold invalid UTF-8: replace it, never throw.
  return HttpResponse::json(status, body.dump(-1, ' ', false, OrderedJson::error_handler_t::replace));
}

HttpResponse errorFrom(const Error& error) { return errorResponse(httpStatus(error.code), error.message); }

HttpResponse badBody(const Error& error) { return errorResponse(400, "bad request body: " + error.message); }

// Splits the raw path, then decodes each segment: "%2F" inside a name stays part of that name.
std::vector<std::string> splitDecodedPath(std::string_view raw_path) {
  std::vector<std::string> parts;
  if (raw_path.empty() || raw_path.front() != '/') return parts;
  raw_path.remove_prefix(1);
  while (true) {
    auto slash = raw_path.find('/');
    auto decoded = percentDecode(raw_path.substr(0, slash));
    parts.push_back(decoded ? *decoded : std::string(raw_path.substr(0, slash)));
    if (slash == std::string_view::npos) break;
    raw_path.remove_prefix(slash + 1);
  }
  return parts;
}

std::string toLower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool isLoopbackV4(std::string_view host) {
  // 127.0.0.0/8 as a dotted quad of decimal octets.
  int parts = 0;
  std::size_t i = 0;
  int first = -1;
  while (i <= host.size()) {
    std::size_t start = i;
    int value = 0;
    while (i < host.size() && std::isdigit(static_cast<unsigned char>(host[i])) && i - start < 3) {
      value = value * 10 + (host[i] - '0');
      ++i;
    }
    if (i == start || value > 255) return false;
    if (parts == 0) first = value;
    ++parts;
    if (i == host.size()) break;
    if (host[i] != '.') return false;
    ++i;
  }
  return parts == 4 && first == 127;
}

// Constant-time comparison so the token cannot be guessed byte by byte from response timing.
bool sameSecret(std::string_view a, std::string_view b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (std::size_t i = 0; i < a.size(); ++i) {
    diff |= static_cast<unsigned char>(a[i] ^ (i < b.size() ? b[i] : 0));
  }
  return diff == 0;
}

// `Authorization: Bearer <token>` with exactly this (non-empty) token.
bool bearerIs(const HttpRequest& request, const std::string& token) {
  if (token.empty()) return false;
  std::string auth = request.header("Authorization");
  constexpr std::string_view kBearer = "Bearer ";
  return auth.size() > kBearer.size() && toLower(auth.substr(0, kBearer.size())) == "bearer " &&
         sameSecret(std::string_view(auth).substr(kBearer.size()), token);
}

// Requests built in code (tests, the fuzzer) may set only `path`.
std::string_view routedPath(const HttpRequest& request) {
  return request.raw_path.empty() ? std::string_view(request.path) : std::string_view(request.raw_path);
}

}  // namespace

HttpResponse errorResponse(int status, const std::string& message) {
  OrderedJson body;
  body["error"] = message;
  body["status"] = status;
  return jsonResponse(status, body);
}

ControlRouter::ControlRouter(ProxyRegistry& registry, RulesService* rules, ControlRouterOptions options)
    : registry_(registry), rules_(rules), options_(std::move(options)) {
  std::random_device device;
  request_prefix_ = (static_cast<uint64_t>(device()) << 32) ^ device();
}

void ControlRouter::stamp(HttpResponse& response) { response.setHeader(kRequestIdHeader, nextRequestId()); }

std::string ControlRouter::nextRequestId() {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%016llx-%08llx", static_cast<unsigned long long>(request_prefix_),
                static_cast<unsigned long long>(++request_counter_));
  return buf;
}

bool ControlRouter::hostAllowed(const std::string& host_header) const {
  // HTTP/1.0 clients may omit Host; browsers (the DNS rebinding threat) always send one.
  if (host_header.empty()) return true;
  const std::string& bind = options_.bind_host;
  if (bind.empty() || bind == "0.0.0.0" || bind == "::" || bind == "[::]") return true;
  std::string_view host = host_header;
  if (host.front() == '[') {
    auto close = host.find(']');
    if (close == std::string_view::npos) return false;
    host = host.substr(1, close - 1);
  } else if (auto colon = host.find(':'); colon != std::string_view::npos) {
    if (host.find(':', colon + 1) != std::string_view::npos) return false;  // bare IPv6 is not a valid Host
    host = host.substr(0, colon);
  }
  std::string lower = toLower(host);
  if (lower == "localhost" || lower == "::1" || isLoopbackV4(lower)) return true;
  std::string bind_lower = toLower(bind);
  if (!bind_lower.empty() && bind_lower.front() == '[') bind_lower = bind_lower.substr(1, bind_lower.size() - 2);
  return lower == bind_lower;
}

HttpResponse ControlRouter::checkAccess(const HttpRequest& request) const {
  if (!hostAllowed(request.header("Host"))) {
    return errorResponse(403, "host '" + request.header("Host") +
                                  "' is not allowed; use localhost, 127.0.0.1, [::1] or the API's bind address");
  }
  if (request.header("User-Agent").rfind("Mozilla/", 0) == 0 && !bearerIs(request, options_.ui_token)) {
    // Toxiproxy's rule: a browser must never drive the API (a page could otherwise reach it).
    return errorResponse(403, "User agent not allowed");
  }
  if (!options_.api_token.empty()) {
    if (!bearerIs(request, options_.api_token)) {
      HttpResponse response = errorResponse(401, "missing or invalid API token; send Authorization: Bearer <token>");
      response.setHeader("WWW-Authenticate", "Bearer");
      return response;
    }
  }
  return HttpResponse::empty(0);
}

HttpResponse ControlRouter::handle(const HttpRequest& request) {
  std::string route = routeTemplate(routedPath(request));
  // The page holds no secret and is served to anyone; everything it calls is checked.
  const bool page = route == "/ui" && request.method == "GET";
  HttpResponse response = page ? uiPageResponse() : checkAccess(request);
  if (response.status == 0) response = dispatch(request, route);
  stamp(response);
  // Labelled by route template, never the raw path, so label cardinality stays bounded.
  counters_.count(request.method, route, response.status);
  spdlog::debug("api request method={} path={} route={} status={}", request.method, request.path, route,
                response.status);
  return response;
}

std::string routeTemplate(std::string_view path) {
  auto parts = splitDecodedPath(path);
  bool no_empty = std::all_of(parts.begin(), parts.end(), [](std::string_view p) { return !p.empty(); });
  if (parts.empty() || !no_empty) return kUnknownRoute;
  if (parts.size() == 1) {
    for (const char* known :
         {"version", "proxies", "populate", "reset", "metrics", "reload", "rules", "events", "ui", "toxic-types"}) {
      // Built by append: `"/" + std::string(...)` trips a GCC 12 -Wrestrict false positive.
      if (parts[0] == known) return std::string("/").append(known);
    }
    return kUnknownRoute;
  }
  if (parts[0] != "proxies") return kUnknownRoute;
  if (parts.size() == 2) return "/proxies/{proxy}";
  if (parts[2] == "connections") {
    if (parts.size() == 3) return "/proxies/{proxy}/connections";
    if (parts.size() == 4) return "/proxies/{proxy}/connections/{id}";
    return kUnknownRoute;
  }
  if (parts[2] != "toxics") return kUnknownRoute;
  if (parts.size() == 3) return "/proxies/{proxy}/toxics";
  if (parts.size() == 4) return "/proxies/{proxy}/toxics/{toxic}";
  return kUnknownRoute;
}

HttpResponse ControlRouter::dispatch(const HttpRequest& request, const std::string& route) {
  const std::string& m = request.method;
  auto methodNotAllowed = [&](const char* allow) {
    HttpResponse response =
        errorResponse(405, "method " + m + " not allowed on " + route + "; allowed: " + std::string(allow));
    response.setHeader("Allow", allow);
    return response;
  };
  if (route == kUnknownRoute) return errorResponse(404, "not found: " + request.path);
  auto parts = splitDecodedPath(routedPath(request));
  std::string proxy = parts.size() >= 2 ? std::string(parts[1]) : std::string();
  std::string toxic = parts.size() >= 4 ? std::string(parts[3]) : std::string();

  if (route == "/version") return m == "GET" ? version() : methodNotAllowed("GET");
  if (route == "/ui") return methodNotAllowed("GET");
  if (route == "/toxic-types") return m == "GET" ? toxicTypesResponse() : methodNotAllowed("GET");
  if (route == "/proxies") {
    if (m == "GET") return listProxies();
    if (m == "POST") return createProxy(request);
    return methodNotAllowed("GET, POST");
  }
  if (route == "/populate") return m == "POST" ? populate(request) : methodNotAllowed("POST");
  if (route == "/reset") return m == "POST" ? reset() : methodNotAllowed("POST");
  if (route == "/metrics") return m == "GET" ? metrics() : methodNotAllowed("GET");
  if (route == "/reload") return m == "POST" ? reload() : methodNotAllowed("POST");
  if (route == "/rules") return m == "GET" ? rules() : methodNotAllowed("GET");
  if (route == "/proxies/{proxy}") {
    if (m == "GET") return getProxy(proxy);
    if (m == "POST" || m == "PATCH") return updateProxy(proxy, request);
    if (m == "DELETE") return deleteProxy(proxy);
    return methodNotAllowed("GET, POST, PATCH, DELETE");
  }
  if (route == "/proxies/{proxy}/toxics") {
    if (m == "GET") return listToxics(proxy);
    if (m == "POST") return createToxic(proxy, request);
    return methodNotAllowed("GET, POST");
  }
  if (route == "/proxies/{proxy}/connections") return m == "GET" ? listConnections(proxy) : methodNotAllowed("GET");
  if (route == "/proxies/{proxy}/connections/{id}") {
    return m == "DELETE" ? killConnection(proxy, toxic, request) : methodNotAllowed("DELETE");
  }
  // "/proxies/{proxy}/toxics/{toxic}"
  if (m == "GET") return getToxic(proxy, toxic);
  if (m == "POST" || m == "PATCH") return updateToxic(proxy, toxic, request);
  if (m == "DELETE") return deleteToxic(proxy, toxic);
  return methodNotAllowed("GET, POST, PATCH, DELETE");
}

HttpResponse ControlRouter::version() const {
  OrderedJson body;
  body["version"] = kToxiproxyVersion;
  body["faultline"] = FAULTLINE_VERSION;
  // Toxiproxy's exact framing: a JSON object, a trailing newline, this Content-Type. Clients
  // that read the body as text (Java) or parse it (node, Ruby) see what they expect.
  HttpResponse response = jsonResponse(200, body);
  response.body += '\n';
  response.setHeader("Content-Type", "application/json;charset=utf-8");
  return response;
}

HttpResponse ControlRouter::listProxies() const {
  OrderedJson body = OrderedJson::object();
  for (const auto& info : registry_.list()) body[info.name] = proxyToJson(info);
  return jsonResponse(200, body);
}

HttpResponse ControlRouter::createProxy(const HttpRequest& request) {
  auto json = parseJsonBody(request.body);
  if (!json) return badBody(json.error());
  auto config = proxyConfigFromJson(*json);
  if (!config) return badBody(config.error());
  auto created = registry_.create(*config);
  if (!created) return errorFrom(created.error());
  registry_.events().publish("proxy_created", created->name, {{"proxy_config", proxyToJson(*created)}});
  return jsonResponse(201, proxyToJson(*created));
}

HttpResponse ControlRouter::populate(const HttpRequest& request) {
  auto fail = [](int status, const std::string& message, const std::vector<ProxyInfo>& applied) {
    OrderedJson body;
    body["error"] = message;
    body["status"] = status;
    body["proxies"] = OrderedJson::array();
    for (const auto& info : applied) body["proxies"].push_back(proxyToJson(info));
    return jsonResponse(status, body);
  };
  auto json = parseJsonBody(request.body);
  if (!json) return fail(400, "bad request body: " + json.error().message, {});
  if (!json->is_array()) {
    return fail(400, "bad request body: expected a JSON array of proxies", {});
  }
  // Every item is checked before anything is applied (Toxiproxy's PopulateJson does the same).
  std::vector<ProxyConfig> configs;
  configs.reserve(json->size());
  for (std::size_t i = 0; i < json->size(); ++i) {
    auto config = proxyConfigFromJson((*json)[i]);
    if (!config) {
      return fail(400, "bad request body: " + config.error().message + " at proxy " + std::to_string(i + 1), {});
    }
    configs.push_back(std::move(*config));
  }
  auto result = registry_.populate(configs);
  if (result.error) return fail(httpStatus(result.error->code), result.error->message, result.proxies);
  for (const auto& info : result.proxies) {
    registry_.events().publish("proxy_created", info.name, {{"proxy_config", proxyToJson(info)}, {"via", "populate"}});
  }
  OrderedJson body;
  body["proxies"] = OrderedJson::array();
  for (const auto& info : result.proxies) body["proxies"].push_back(proxyToJson(info));
  return jsonResponse(201, body);
}

HttpResponse ControlRouter::getProxy(const std::string& name) const {
  auto info = registry_.get(name);
  if (!info) return errorFrom(info.error());
  return jsonResponse(200, proxyToJson(*info));
}

HttpResponse ControlRouter::updateProxy(const std::string& name, const HttpRequest& request) {
  // Toxiproxy answers 404 for an unknown proxy before it looks at the body.
  if (auto info = registry_.get(name); !info) return errorFrom(info.error());
  auto json = parseJsonBody(request.body);
  if (!json) return badBody(json.error());
  auto patch = proxyPatchFromJson(*json);
  if (!patch) return badBody(patch.error());
  auto updated = registry_.update(name, *patch);
  if (!updated) return errorFrom(updated.error());
  registry_.events().publish("proxy_updated", name, {{"proxy_config", proxyToJson(*updated)}});
  return jsonResponse(200, proxyToJson(*updated));
}

HttpResponse ControlRouter::deleteProxy(const std::string& name) {
  if (auto status = registry_.remove(name); !status) return errorFrom(status.error());
  registry_.events().publish("proxy_deleted", name);
  return HttpResponse::empty(204);
}

HttpResponse ControlRouter::listToxics(const std::string& proxy) const {
  auto toxics = registry_.toxics(proxy);
  if (!toxics) return errorFrom(toxics.error());
  OrderedJson body = OrderedJson::array();
  for (const auto& toxic : *toxics) {
    if (toxic) body.push_back(toxicToJson(*toxic, registry_.scheduleStatus(proxy, toxic->name)));
  }
  return jsonResponse(200, body);
}

HttpResponse ControlRouter::createToxic(const std::string& proxy, const HttpRequest& request) {
  if (auto info = registry_.get(proxy); !info) return errorFrom(info.error());
  auto json = parseJsonBody(request.body);
  if (!json) return badBody(json.error());
  auto input = toxicInputFromJson(*json);
  if (!input) return badBody(input.error());
  auto specs = buildToxicSpecs(*input);
  if (!specs) return errorFrom(specs.error());
  // stream "both" adds two toxics, all or nothing; the answer is the last (downstream) one, a
  // single toxic object as every Toxiproxy client expects.
  std::vector<std::string> added_names;
  Result<ToxicSpecPtr> added = Error::invalid("no toxic");
  for (const auto& spec : *specs) {
    added = registry_.addToxic(proxy, spec);
    if (!added) {
      for (const auto& name : added_names) (void)registry_.removeToxic(proxy, name);
      return errorFrom(added.error());
    }
    added_names.push_back(spec.name);
    registry_.events().publish("toxic_added", proxy,
                               {{"toxic", toxicToJson(**added, registry_.scheduleStatus(proxy, spec.name))}});
  }
  // Toxiproxy answers 200 here, not 201; clients check for it.
  return jsonResponse(200, toxicToJson(**added, registry_.scheduleStatus(proxy, (*added)->name)));
}

HttpResponse ControlRouter::getToxic(const std::string& proxy, const std::string& toxic) const {
  auto spec = registry_.toxic(proxy, toxic);
  if (!spec) return errorFrom(spec.error());
  return jsonResponse(200, toxicToJson(**spec, registry_.scheduleStatus(proxy, toxic)));
}

HttpResponse ControlRouter::updateToxic(const std::string& proxy, const std::string& toxic,
                                        const HttpRequest& request) {
  if (auto spec = registry_.toxic(proxy, toxic); !spec) return errorFrom(spec.error());
  auto json = parseJsonBody(request.body);
  if (!json) return badBody(json.error());
  auto patch = toxicPatchFromJson(*json);
  if (!patch) return badBody(patch.error());
  auto updated = registry_.updateToxic(proxy, toxic, *patch);
  if (!updated) return errorFrom(updated.error());
  registry_.events().publish("toxic_updated", proxy,
                             {{"toxic", toxicToJson(**updated, registry_.scheduleStatus(proxy, toxic))}});
  return jsonResponse(200, toxicToJson(**updated, registry_.scheduleStatus(proxy, toxic)));
}

HttpResponse ControlRouter::deleteToxic(const std::string& proxy, const std::string& toxic) {
  auto status = registry_.removeToxic(proxy, toxic);
  if (!status && status.error().code == ErrorCode::kNotFound && registry_.toxic(proxy, toxic + "_upstream") &&
      registry_.toxic(proxy, toxic + "_downstream")) {
    // The name a "stream": "both" request gave: remove the pair it made.
    (void)registry_.removeToxic(proxy, toxic + "_upstream");
    status = registry_.removeToxic(proxy, toxic + "_downstream");
  }
  if (!status) return errorFrom(status.error());
  registry_.events().publish("toxic_removed", proxy, {{"name", toxic}});
  return HttpResponse::empty(204);
}

HttpResponse ControlRouter::reset() {
  registry_.reset();
  return HttpResponse::empty(204);
}

HttpResponse ControlRouter::metrics() const {
  MetricsSources sources;
  sources.registry = &registry_;
  sources.http = http_stats_;
  sources.requests = &counters_;
  sources.rules = rules_;
  return HttpResponse::text(200, MetricsRenderer(sources).render(), MetricsRenderer::kContentType);
}

HttpResponse ControlRouter::reload() {
  if (rules_ == nullptr) return errorResponse(404, kNoRulesMessage);
  // The rules service publishes rules_reloaded itself (for the file watcher and SIGHUP too).
  if (auto status = rules_->reload(); !status) return errorFrom(status.error());
  return HttpResponse::json(200, rules_->status().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

HttpResponse ControlRouter::rules() const {
  if (rules_ == nullptr) return errorResponse(404, kNoRulesMessage);
  return HttpResponse::json(200, rules_->status().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

}  // namespace faultline
