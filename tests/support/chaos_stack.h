#pragma once
// The demo stack started for a chaos test: partner <- faultline proxy <- demo server, each on a
// free 127.0.0.1 port. Tests switch faults through `partner_proxy` with RAII scopes.

#include <faultline/testing.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "http/http_client.h"

namespace faultline::chaos {

namespace ft = faultline::testing;
using std::chrono::milliseconds;

// The build's bin dir, where faultline and the demo binaries are (set by CMake).
inline std::string binary(const std::string& name) { return std::string(FAULTLINE_BIN_DIR) + "/" + name; }

// Settings short enough that a whole outage-and-recovery cycle fits in a few seconds.
inline constexpr milliseconds kDeadline{500};
inline constexpr milliseconds kBreakerOpen{1000};
// What "no longer than the deadline" may overshoot by on a loaded 2-core CI machine.
inline constexpr milliseconds kDeadlineMargin{1500};

struct TimedResponse {
  Result<HttpResponse> response;
  milliseconds elapsed;
  bool degraded() const { return response.ok() && !response->header("X-Degraded").empty(); }
  bool healthy() const { return response.ok() && response->status == 200 && !degraded(); }
};

inline TimedResponse get(const std::string& host, uint16_t port, const std::string& path,
                         milliseconds timeout = milliseconds(10'000)) {
  HttpClientRequest request;
  request.host = host;
  request.port = port;
  request.path = path;
  request.timeout = timeout;
  const auto start = std::chrono::steady_clock::now();
  auto response = httpRequestSync(request);
  return {std::move(response),
          std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - start)};
}

// "127.0.0.1:40123" -> port
inline uint16_t portOf(const std::string& address) {
  return static_cast<uint16_t>(std::stoi(address.substr(address.rfind(':') + 1)));
}

// A Prometheus sample, with its labels if it has any: "demo_circuit_breaker_state",
// "demo_requests_in_flight{path=\"/unprotected\"}"; nullopt when absent.
inline std::optional<double> metricValue(const std::string& text, const std::string& name) {
  std::size_t pos = 0;
  while ((pos = text.find(name + " ", pos)) != std::string::npos) {
    if (pos == 0 || text[pos - 1] == '\n') return std::stod(text.substr(pos + name.size() + 1));
    pos += name.size();
  }
  return std::nullopt;
}

class ChaosStack {
 public:
  ChaosStack()
      : partner_(ft::ChildProcess::spawn({binary("demo-partner"),
                                          {"--port", "0", "--min-delay", "20ms", "--max-delay", "100ms", "--seed", "7"},
                                          {},
                                          ""})),
        partner_address_(partner_.waitForLine("listening on ", milliseconds(15'000))),
        faultline_(ft::Faultline::start(binary("faultline"))),
        partner_proxy(faultline_.createProxy("partner", partner_address_)),
        server_(ft::ChildProcess::spawn(
            {binary("demo-server"),
             {"--port", "0", "--partner-url", partner_proxy.url(), "--deadline", "500ms", "--attempt-timeout",
              "200ms", "--max-attempts", "2", "--backoff-base", "10ms", "--backoff-cap", "50ms",
              "--breaker-window-size", "10", "--breaker-min-calls", "4", "--breaker-failure-rate", "50",
              "--breaker-open-duration", "1s", "--breaker-probes", "1", "--seed", "11"},
             {},
             ""})),
        server_port_(portOf(server_.waitForLine("listening on ", milliseconds(15'000)))) {}

  TimedResponse protectedCall() { return get("127.0.0.1", server_port_, "/protected"); }
  TimedResponse unprotectedCall(milliseconds timeout) { return get("127.0.0.1", server_port_, "/unprotected", timeout); }

  // 0 closed, 1 open, 2 half-open; -1 when /metrics could not be read.
  int breakerState() {
    auto metrics = get("127.0.0.1", server_port_, "/metrics", milliseconds(5'000));
    if (!metrics.response.ok() || metrics.response->status != 200) return -1;
    auto value = metricValue(metrics.response->body, "demo_circuit_breaker_state");
    return value ? static_cast<int>(*value) : -1;
  }

  bool serverRunning() { return server_.running(); }

 private:
  ft::ChildProcess partner_;
  std::string partner_address_;
  ft::Faultline faultline_;

 public:
  ft::Proxy partner_proxy;

 private:
  ft::ChildProcess server_;
  uint16_t server_port_;
};

// Calls `probe` until it returns true or `timeout` passes; returns whether it did.
template <typename Probe>
bool eventually(milliseconds timeout, Probe probe, milliseconds interval = milliseconds(50)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (probe()) return true;
    std::this_thread::sleep_for(interval);
  }
  return probe();
}

}  // namespace faultline::chaos
