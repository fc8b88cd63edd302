// The demo chain through real processes: partner <- faultline <- server <- client.
// A latency toxic makes /unprotected slow while /protected answers within its deadline with
// fallbacks; the breaker opens, and closes again once the toxic is gone.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <thread>

#include "http/http_client.h"
#include "support/child_process.h"

namespace faultline::testing {
namespace {

using namespace std::chrono_literals;

const std::string kBin = FAULTLINE_BIN_DIR;

uint16_t portAfterColon(const std::string& line) {
  auto colon = line.rfind(':');
  return colon == std::string::npos ? 0 : static_cast<uint16_t>(std::atoi(line.c_str() + colon + 1));
}

Result<HttpResponse> call(uint16_t port, const std::string& method, const std::string& path,
                          const std::string& body = "") {
  HttpClientRequest request;
  request.method = method;
  request.host = "127.0.0.1";
  request.port = port;
  request.path = path;
  request.body = body;
  request.timeout = 10s;
  return httpRequestSync(request);
}

double metric(uint16_t port, const std::string& name) {
  auto response = call(port, "GET", "/metrics");
  if (!response.ok()) return -1;
  const std::string& text = response->body;
  auto pos = text.find("\n" + name + " ");
  if (pos == std::string::npos) return -1;
  return std::atof(text.c_str() + pos + name.size() + 2);
}

class DemoChain : public ::testing::Test {
 protected:
  void SetUp() override {
    partner_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{kBin + "/demo-partner", "--port", "0", "--min-delay", "10ms", "--max-delay", "30ms"});
    const uint16_t partner_port = portAfterColon(partner_->lineContaining("listening on", 10s));
    ASSERT_NE(partner_port, 0);
    faultline_ = std::make_unique<ChildProcess>(std::vector<std::string>{
        kBin + "/faultline", "serve", "--port", "0", "--proxy",
        "partner=127.0.0.1:0=127.0.0.1:" + std::to_string(partner_port)});
    const std::string proxy_line = faultline_->lineContaining("proxy partner listening on", 10s);
    ASSERT_FALSE(proxy_line.empty());
    const uint16_t proxy_port = static_cast<uint16_t>(std::atoi(proxy_line.c_str() + proxy_line.find(':') + 1));
    api_port_ = portAfterColon(faultline_->lineContaining("control API listening on", 10s));
    ASSERT_NE(api_port_, 0);
    server_ = std::make_unique<ChildProcess>(std::vector<std::string>{
        kBin + "/demo-server", "--port", "0", "--partner-url", "http://127.0.0.1:" + std::to_string(proxy_port),
        "--deadline", "400ms", "--attempt-timeout", "150ms", "--breaker-min-calls", "4", "--breaker-window-size",
        "8", "--breaker-open-duration", "1s", "--breaker-probes", "1"});
    server_port_ = portAfterColon(server_->lineContaining("listening on", 10s));
    ASSERT_NE(server_port_, 0);
  }

  nlohmann::json runClient(const std::string& path, const std::string& duration) {
    ChildProcess client({kBin + "/demo-client", "--url", "http://127.0.0.1:" + std::to_string(server_port_) + path,
                         "--rate", "20", "--duration", duration, "--timeout", "5s", "--json"});
    const std::string out = client.readAll(30s);
    EXPECT_EQ(client.wait(10s), 0) << out;
    auto start = out.find('{');
    if (start == std::string::npos) return nlohmann::json::object();
    return nlohmann::json::parse(out.substr(start), nullptr, false);
  }

  std::unique_ptr<ChildProcess> partner_, faultline_, server_;
  uint16_t api_port_ = 0;
  uint16_t server_port_ = 0;
};

TEST_F(DemoChain, LatencyMakesUnprotectedSlowWhileProtectedDegradesWithinItsDeadlineAndRecovers) {
  // Healthy: both paths answer from the partner.
  auto healthy = runClient("/protected", "1s");
  EXPECT_GT(healthy["outcomes"]["ok"].get<int>(), 0);

  auto added = call(api_port_, "POST", "/proxies/partner/toxics",
                    R"({"name":"slow","type":"latency","stream":"downstream","attributes":{"latency":1000}})");
  ASSERT_TRUE(added.ok());
  ASSERT_EQ(added->status, 200) << added->body;

  auto unprotected = runClient("/unprotected", "1s");
  EXPECT_GE(unprotected["latency_ms"]["p50"].get<double>(), 1000.0);

  auto protected_run = runClient("/protected", "2s");
  EXPECT_GT(protected_run["outcomes"]["degraded"].get<int>(), 0);
  EXPECT_EQ(protected_run["outcomes"]["timeout"].get<int>(), 0);
  // Nobody waits much past the deadline (400 ms), however slow the partner is.
  EXPECT_LT(protected_run["latency_ms"]["max"].get<double>(), 400.0 + 600.0);
  EXPECT_EQ(metric(server_port_, "demo_circuit_breaker_state"), 1.0);  // open

  auto removed = call(api_port_, "DELETE", "/proxies/partner/toxics/slow");
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(removed->status, 204);
  // After the open duration a probe succeeds and the breaker closes: bounded recovery.
  const auto until = std::chrono::steady_clock::now() + 20s;
  bool recovered = false;
  while (!recovered && std::chrono::steady_clock::now() < until) {
    auto response = call(server_port_, "GET", "/protected");
    recovered = response.ok() && response->status == 200 && response->header("X-Degraded").empty() &&
                metric(server_port_, "demo_circuit_breaker_state") == 0.0;
    if (!recovered) std::this_thread::sleep_for(200ms);
  }
  EXPECT_TRUE(recovered) << "the breaker did not close within 20 s of the partner recovering";
}

}  // namespace
}  // namespace faultline::testing
