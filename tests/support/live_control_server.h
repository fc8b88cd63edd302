#pragma once

#include <memory>
#include <stdexcept>
#include <string>

#include "control/control_server.h"
#include "core/clock.h"
#include "proxy/proxy_registry.h"
#include "support/loop_thread.h"

namespace faultline::testing {

// A real ControlServer on 127.0.0.1:0 with its registry, on a loop thread; tests talk to it
// over HTTP from the test thread (shared by unit_control and unit_cli).
class LiveControlServer {
 public:
  explicit LiveControlServer(ControlServerOptions options = {}, RulesService* rules = nullptr) {
    options.host = options.host.empty() ? "127.0.0.1" : options.host;
    options.port = 0;
    std::string error;
    loop_.call([&] {
      registry_ = std::make_unique<ProxyRegistry>(loop_.loop(), RegistryOptions{});
      server_ = std::make_unique<ControlServer>(loop_.loop(), *registry_, rules, options);
      auto bound = server_->start();
      if (bound) {
        address_ = *bound;
      } else {
        error = bound.error().message;
      }
    });
    if (!error.empty()) throw std::runtime_error("control server did not start: " + error);
    port_ = static_cast<uint16_t>(std::stoi(address_.substr(address_.rfind(':') + 1)));
  }

  ~LiveControlServer() {
    loop_.call([&] {
      server_->close();
      registry_->closeAll();
      server_.reset();
      registry_.reset();
    });
  }

  LiveControlServer(const LiveControlServer&) = delete;
  LiveControlServer& operator=(const LiveControlServer&) = delete;

  const std::string& address() const { return address_; }
  uint16_t port() const { return port_; }
  std::string url() const { return "http://" + address_; }
  LoopThread& loop() { return loop_; }
  ProxyRegistry& registry() { return *registry_; }  // only inside loop().call()

 private:
  LoopThread loop_;
  std::unique_ptr<ProxyRegistry> registry_;
  std::unique_ptr<ControlServer> server_;
  std::string address_;
  uint16_t port_ = 0;
};

}  // namespace faultline::testing
