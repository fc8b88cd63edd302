#pragma once

#include <uv.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "control/control_router.h"
#include "core/result.h"

namespace faultline {

class HttpServer;
class ProxyRegistry;
class RulesService;

struct ControlServerOptions {
  std::string host = "127.0.0.1";  // loopback unless the operator says otherwise
  uint16_t port = 8474;
  std::string api_token;           // empty = no authentication
  std::string ui_token;            // lets a browser in with Bearer <ui_token> (see ControlRouterOptions)
  std::size_t max_connections = 64;
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_body_bytes = 1024 * 1024;
  std::chrono::milliseconds header_timeout{10'000};
  std::chrono::milliseconds idle_timeout{60'000};
};

// The control API: an HttpServer whose requests go to a ControlRouter. Loop thread only.
class ControlServer {
 public:
  ControlServer(uv_loop_t* loop, ProxyRegistry& registry, RulesService* rules, ControlServerOptions options);
  ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  // Binds and listens; returns the bound address ("127.0.0.1:8474", "[::1]:40123").
  Result<std::string> start();
  // Stops listening and closes every API connection; on_closed runs once all are closed.
  void close(std::function<void()> on_closed = nullptr);

  const std::string& address() const { return address_; }
  ControlRouter& router() { return router_; }

 private:
  uv_loop_t* loop_;
  ControlServerOptions options_;
  ControlRouter router_;
  std::unique_ptr<HttpServer> server_;
  std::string address_;
};

}  // namespace faultline
