#pragma once

#include <memory>
#include <string>
#include <vector>

#include "support/fake_toxic_context.h"
#include "toxics/http/http_exchange_layer.h"
#include "http_test_specs.h"

namespace faultline::testing_http {

// One session's HTTP layer between a fake client and a fake upstream, on two fake clocks moved
// together: up.forwarded() is what the upstream receives, down.forwarded() what the client does.
struct LayerHarness {
  explicit LayerHarness(std::vector<ToxicSpecPtr> toxics = {}, bool client_faults = false, bool late = false)
      : stats(std::make_shared<HttpLayerStats>()),
        layer(HttpExchangeLayer::Options{"partner", 1, client_faults, late, stats}) {
    layer.setToxics(toxics, up.random());
    layer.requestStage().onAttach(up);
    layer.responseStage().onAttach(down);
  }
  void client(std::string_view bytes) { up.push(layer.requestStage(), bytes); }
  void server(std::string_view bytes) { down.push(layer.responseStage(), bytes); }
  void clientEnd() { layer.requestStage().onEnd(up); }
  void serverEnd() { layer.responseStage().onEnd(down); }
  void advance(int ms) {
    up.advance(std::chrono::milliseconds(ms));
    down.advance(std::chrono::milliseconds(ms));
  }
  std::string upstream() const { return up.forwardedBytes(); }
  std::string toClient() const { return down.forwardedBytes(); }

  FakeToxicContext up{1};
  FakeToxicContext down{2};
  std::shared_ptr<HttpLayerStats> stats;
  HttpExchangeLayer layer;
};

inline std::string get(const std::string& path, const std::string& extra = "") {
  return "GET " + path + " HTTP/1.1\r\nHost: partner\r\n" + extra + "\r\n";
}
inline std::string ok(const std::string& body) {
  return "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

}  // namespace faultline::testing_http
