#include "control/control_server.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "http/http_client.h"
#include "support/live_control_server.h"

namespace faultline {
namespace {

using testing::LiveControlServer;

Result<HttpResponse> call(uint16_t port, const std::string& method, const std::string& path, const std::string& body = "",
                          std::vector<std::pair<std::string, std::string>> headers = {}) {
  HttpClientRequest request;
  request.method = method;
  request.host = "127.0.0.1";
  request.port = port;
  request.path = path;
  request.body = body;
  request.headers = std::move(headers);
  request.timeout = std::chrono::seconds(5);
  return httpRequestSync(request);
}

TEST(ControlServer, StartReturnsTheBoundAddressForPortZero) {
  LiveControlServer server;
  EXPECT_EQ(server.address().rfind("127.0.0.1:", 0), 0u);
  EXPECT_NE(server.port(), 0);
}

TEST(ControlServer, AnswersVersionOverHttpWithARequestId) {
  LiveControlServer server;
  auto response = call(server.port(), "GET", "/version");
  ASSERT_TRUE(response.ok()) << response.error().message;
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(nlohmann::json::parse(response->body)["version"], "2.12.0");
  EXPECT_FALSE(response->header("X-Toxiproxy-Request-Id").empty());
}

TEST(ControlServer, CreatesAProxyOverHttp) {
  LiveControlServer server;
  auto response = call(server.port(), "POST", "/proxies",
                       R"({"name":"db","listen":"127.0.0.1:0","upstream":"127.0.0.1:9"})");
  ASSERT_TRUE(response.ok()) << response.error().message;
  EXPECT_EQ(response->status, 201) << response->body;
  auto listed = call(server.port(), "GET", "/proxies");
  ASSERT_TRUE(listed.ok());
  EXPECT_TRUE(nlohmann::json::parse(listed->body).contains("db"));
}

TEST(ControlServer, RequiresTheBearerTokenWhenConfigured) {
  ControlServerOptions options;
  options.api_token = "t0ken";
  LiveControlServer server(options);
  auto denied = call(server.port(), "GET", "/proxies");
  ASSERT_TRUE(denied.ok());
  EXPECT_EQ(denied->status, 401);
  auto allowed = call(server.port(), "GET", "/proxies", "", {{"Authorization", "Bearer t0ken"}});
  ASSERT_TRUE(allowed.ok());
  EXPECT_EQ(allowed->status, 200);
}

TEST(ControlServer, MetricsIncludeTheApiConnectionCounters) {
  LiveControlServer server;
  auto response = call(server.port(), "GET", "/metrics");
  ASSERT_TRUE(response.ok());
  EXPECT_NE(response->body.find("faultline_api_connections_accepted_total"), std::string::npos) << response->body;
}

TEST(ControlServer, StartOnAPortInUseFailsWithBindsText) {
  LiveControlServer first;
  testing::LoopThread loop;
  std::string error;
  loop.call([&] {
    ProxyRegistry registry(loop.loop(), RegistryOptions{});
    ControlServerOptions options;
    options.port = first.port();
    ControlServer second(loop.loop(), registry, nullptr, options);
    auto bound = second.start();
    if (!bound) error = bound.error().message;
  });
  EXPECT_NE(error.find("control API"), std::string::npos) << error;
  EXPECT_NE(error.find("address already in use"), std::string::npos) << error;
}

}  // namespace
}  // namespace faultline
