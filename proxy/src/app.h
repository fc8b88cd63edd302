#pragma once

#include <uv.h>

#include <memory>
#include <string>
#include <vector>

#include "core/result.h"
#include "proxy/proxy_config.h"
#include "proxy/proxy_registry.h"
#include "rules/rules_parser.h"

namespace faultline {

class ControlServer;
class RulesWatcher;

struct AppOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8474;
  std::string config_path;
  std::vector<ProxyConfig> proxies;  // from --proxy flags
  std::string api_token;
  RegistryOptions registry;
  Millis drain_timeout{5'000};
  // Limits on what API clients may make us hold (ControlServerOptions' defaults).
  std::size_t api_max_connections = 64;
  std::size_t api_max_header_bytes = 16 * 1024;
  std::size_t api_max_body_bytes = 1024 * 1024;
  RulesLimits rules_limits;
};

// Owns the loop and everything on it: the registry, the control API, the rules watcher and the
// signal handlers. One thread, no locks.
class App {
 public:
  explicit App(AppOptions options);
  ~App();
  App(const App&) = delete;
  App& operator=(const App&) = delete;

  // Runs until SIGINT/SIGTERM (graceful: stop accepting, drain, exit 0). Returns the exit code.
  int run();

 private:
  Status start();
  void beginShutdown(const char* signal_name);
  void finishShutdown();
  static void onSignal(uv_signal_t* handle, int signum) noexcept;
  static void onDrainTick(uv_timer_t* timer) noexcept;

  AppOptions options_;
  uv_loop_t loop_{};
  std::unique_ptr<ProxyRegistry> registry_;
  std::unique_ptr<RulesWatcher> rules_;
  std::unique_ptr<ControlServer> control_;
  uv_signal_t sigint_{};
  uv_signal_t sigterm_{};
  uv_signal_t sighup_{};
  uv_timer_t drain_timer_{};
  TimePoint drain_deadline_{};
  bool shutting_down_ = false;
};

}  // namespace faultline
