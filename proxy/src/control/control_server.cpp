#include "control/control_server.h"

#include <spdlog/spdlog.h>

#include "control/events_route.h"
#include "http/http_server.h"

namespace faultline {

namespace {

ControlRouterOptions routerOptions(const ControlServerOptions& options) {
  ControlRouterOptions out;
  out.bind_host = options.host;
  out.api_token = options.api_token;
  out.ui_token = options.api_token.empty() ? options.ui_token : options.api_token;
  return out;
}

}  // namespace

ControlServer::ControlServer(uv_loop_t* loop, ProxyRegistry& registry, RulesService* rules,
                             ControlServerOptions options)
    : loop_(loop), options_(std::move(options)), router_(registry, rules, routerOptions(options_)) {}

ControlServer::~ControlServer() = default;

Result<std::string> ControlServer::start() {
  if (server_) return Error::invalid("control API already started on " + address_);
  HttpServerOptions http;
  http.max_header_bytes = options_.max_header_bytes;
  http.max_body_bytes = options_.max_body_bytes;
  http.header_timeout = options_.header_timeout;
  http.idle_timeout = options_.idle_timeout;
  http.max_connections = options_.max_connections;
  http.name = "control";
  http.decorate = [this](HttpResponse& response) { router_.stamp(response); };
  // 64 keep-alive clients must not lock the API out: the longest idle one makes room.
  http.evict_idle_at_cap = true;
  // Requests are answered synchronously: the registry never waits on the data path.
  server_ = std::make_unique<HttpServer>(loop_, http, [this](HttpRequest&& request, HttpResponder responder) {
    // /events streams, so it needs the responder itself (events_route.cpp); all else is routed.
    if (request.path == "/events") {
      serveEvents(router_, request, std::move(responder));
      return;
    }
    responder.respond(router_.handle(request));
  });
  auto bound = server_->listen(options_.host, options_.port);
  if (!bound) {
    server_.reset();
    return Error{bound.error().code, "control API: " + bound.error().message};
  }
  address_ = *bound;
  router_.setHttpStats(&server_->stats());
  spdlog::info("control API listening address={} auth={}", address_, options_.api_token.empty() ? "none" : "bearer");
  return address_;
}

void ControlServer::close(std::function<void()> on_closed) {
  if (!server_) {
    if (on_closed) on_closed();
    return;
  }
  router_.setHttpStats(nullptr);
  server_->close(std::move(on_closed));
}

}  // namespace faultline
