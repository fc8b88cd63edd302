#include "control/control_router.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "core/clock.h"
#include "proxy/proxy_registry.h"
#include "rules/rules_service.h"
#include "support/sockets.h"
#include "toxics/platform_support.h"

namespace faultline {
namespace {

using nlohmann::json;

class FakeRules : public RulesService {
 public:
  Status reload() override {
    if (!next_error.empty()) {
      ++errors;
      return Error::invalid(next_error);
    }
    ++oks;
    return {};
  }
  json status() const override {
    return {{"file", "rules.yaml"},
            {"content_hash", "abc"},
            {"loaded_at", "2024-01-01T00:00:00Z"},
            {"last_error", next_error.empty() ? json(nullptr) : json(next_error)},
            {"reloads", {{"ok", oks}, {"error", errors}}},
            {"proxies", json::array({"db"})}};
  }
  std::string next_error;
  int oks = 0;
  int errors = 0;
};

// A router over a real registry on a loop that the test runs itself: proxies really bind on
// 127.0.0.1, but no request goes through a socket.
class ControlRouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(uv_loop_init(&loop_), 0);
    registry_ = std::make_unique<ProxyRegistry>(&loop_, RegistryOptions{});
    router_ = std::make_unique<ControlRouter>(*registry_, nullptr);
  }

  void TearDown() override {
    router_.reset();
    registry_->closeAll();
    registry_.reset();
    // Every handle must be closed by now; a leftover would keep uv_run going.
    uv_run(&loop_, UV_RUN_DEFAULT);
    EXPECT_EQ(uv_loop_close(&loop_), 0);
  }

  HttpResponse call(const std::string& method, const std::string& path, const std::string& body = "",
                    std::vector<std::pair<std::string, std::string>> headers = {{"Host", "127.0.0.1:8474"}}) {
    HttpRequest request;
    request.method = method;
    request.target = path;
    request.path = path;
    request.body = body;
    request.headers = std::move(headers);
    HttpResponse response = router_->handle(request);
    // Let proxies finish whatever they started (closing listeners) between calls.
    uv_run(&loop_, UV_RUN_NOWAIT);
    return response;
  }

  static json body(const HttpResponse& response) { return json::parse(response.body); }

  static void expectError(const HttpResponse& response, int status, const std::string& message) {
    EXPECT_EQ(response.status, status) << response.body;
    auto parsed = json::parse(response.body, nullptr, false);
    ASSERT_TRUE(parsed.is_object()) << response.body;
    EXPECT_EQ(parsed["error"], message);
    EXPECT_EQ(parsed["status"], status);
  }

  static void expectErrorContaining(const HttpResponse& response, int status, const std::string& part) {
    EXPECT_EQ(response.status, status) << response.body;
    auto parsed = json::parse(response.body, nullptr, false);
    ASSERT_TRUE(parsed.is_object()) << response.body;
    EXPECT_NE(parsed["error"].get<std::string>().find(part), std::string::npos) << parsed["error"];
    EXPECT_EQ(parsed["status"], status);
  }

  json createProxy(const std::string& name) {
    auto response = call("POST", "/proxies",
                         json{{"name", name}, {"listen", "127.0.0.1:0"}, {"upstream", "127.0.0.1:9"}}.dump());
    EXPECT_EQ(response.status, 201) << response.body;
    return body(response);
  }

  uv_loop_t loop_{};
  std::unique_ptr<ProxyRegistry> registry_;
  std::unique_ptr<ControlRouter> router_;
};

// --- version, ids, listing ---

TEST_F(ControlRouterTest, VersionIsJsonWithAToxiproxyVersionOfAtLeast2_6) {
  auto response = call("GET", "/version");
  EXPECT_EQ(response.status, 200);
  // Toxiproxy's exact Content-Type (issue 11): its clients parse the body as JSON.
  EXPECT_EQ(response.header("Content-Type"), "application/json;charset=utf-8");
  EXPECT_EQ(body(response)["version"], "2.12.0");
}

TEST_F(ControlRouterTest, EveryResponseCarriesADistinctRequestId) {
  auto first = call("GET", "/version");
  auto second = call("GET", "/nope");
  EXPECT_FALSE(first.header("X-Toxiproxy-Request-Id").empty());
  EXPECT_FALSE(second.header("X-Toxiproxy-Request-Id").empty());
  EXPECT_NE(first.header("X-Toxiproxy-Request-Id"), second.header("X-Toxiproxy-Request-Id"));
}

TEST_F(ControlRouterTest, ListingNoProxiesIsAnEmptyObject) {
  auto response = call("GET", "/proxies");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "{}");
}

TEST_F(ControlRouterTest, ListingIsAnObjectKeyedByProxyName) {
  createProxy("alpha");
  createProxy("beta");
  auto listed = body(call("GET", "/proxies"));
  ASSERT_TRUE(listed.is_object());
  EXPECT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed["alpha"]["name"], "alpha");
  EXPECT_EQ(listed["beta"]["upstream"], "127.0.0.1:9");
  EXPECT_TRUE(listed["beta"]["toxics"].is_array());
}

// --- proxies ---

TEST_F(ControlRouterTest, CreateAnswers201WithTheBoundListenAddress) {
  json created = createProxy("db");
  EXPECT_EQ(created["name"], "db");
  EXPECT_EQ(created["enabled"], true);
  EXPECT_EQ(created["toxics"], json::array());
  std::string listen = created["listen"];
  EXPECT_EQ(listen.rfind("127.0.0.1:", 0), 0u);
  EXPECT_NE(listen, "127.0.0.1:0");
}

TEST_F(ControlRouterTest, CreateWithoutNameIs400MissingRequiredFieldName) {
  expectError(call("POST", "/proxies", R"({"listen":"127.0.0.1:0","upstream":"127.0.0.1:9"})"), 400,
              "missing required field: name");
}

TEST_F(ControlRouterTest, CreateWithoutUpstreamIs400MissingRequiredFieldUpstream) {
  expectError(call("POST", "/proxies", R"({"name":"db","listen":"127.0.0.1:0"})"), 400,
              "missing required field: upstream");
}

TEST_F(ControlRouterTest, CreatingAnExistingNameIs409) {
  createProxy("db");
  expectError(call("POST", "/proxies", R"({"name":"db","listen":"127.0.0.1:0","upstream":"127.0.0.1:9"})"), 409,
              "proxy already exists");
}

// Toxiproxy once bound the listener before checking the name: the 409 left the port taken.
TEST_F(ControlRouterTest, A409OnANameLeavesTheRequestedPortFree) {
  createProxy("db");
  const uint16_t port = testing::unusedPort();
  const std::string listen = "127.0.0.1:" + std::to_string(port);
  expectError(call("POST", "/proxies", json{{"name", "db"}, {"listen", listen}, {"upstream", "127.0.0.1:9"}}.dump()),
              409, "proxy already exists");
  // A plain bind (no SO_REUSEADDR) succeeds only if nothing holds the port.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const int bound = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  const int bind_errno = errno;
  ::close(fd);
  EXPECT_EQ(bound, 0) << "port " << port << " still taken after the 409: " << std::strerror(bind_errno);
}

TEST_F(ControlRouterTest, CreateOnAPortInUseIs500WithBindsText) {
  json first = createProxy("first");
  std::string taken = first["listen"];
  auto response = call("POST", "/proxies", json{{"name", "second"}, {"listen", taken}, {"upstream", "127.0.0.1:9"}}.dump());
  expectErrorContaining(response, 500, "address already in use");
}

TEST_F(ControlRouterTest, CreateAcceptsJsonWithoutOrWithAnyContentType) {
  auto response = call("POST", "/proxies", R"({"name":"db","listen":"127.0.0.1:0","upstream":"127.0.0.1:9"})",
                       {{"Host", "localhost"}, {"Content-Type", "text/plain"}});
  EXPECT_EQ(response.status, 201) << response.body;
}

TEST_F(ControlRouterTest, GetUnknownProxyIs404ProxyNotFound) {
  expectError(call("GET", "/proxies/missing"), 404, "proxy not found");
}

TEST_F(ControlRouterTest, GetProxyReturnsIt) {
  createProxy("db");
  auto response = call("GET", "/proxies/db");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(body(response)["name"], "db");
}

TEST_F(ControlRouterTest, PostUpdateWithOnlyEnabledKeepsTheOtherFields) {
  json created = createProxy("db");
  auto response = call("POST", "/proxies/db", R"({"enabled":false})");
  ASSERT_EQ(response.status, 200) << response.body;
  json updated = body(response);
  EXPECT_EQ(updated["enabled"], false);
  EXPECT_EQ(updated["upstream"], "127.0.0.1:9");
  EXPECT_EQ(updated["name"], "db");
}

TEST_F(ControlRouterTest, PatchUpdatesTheUpstream) {
  createProxy("db");
  auto response = call("PATCH", "/proxies/db", R"({"upstream":"127.0.0.1:10"})");
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(body(response)["upstream"], "127.0.0.1:10");
}

TEST_F(ControlRouterTest, UpdateOfUnknownProxyIs404) {
  expectError(call("POST", "/proxies/missing", R"({"enabled":false})"), 404, "proxy not found");
}

TEST_F(ControlRouterTest, UpdateAcceptsTheWholeProxyAsGoClientsSendIt) {
  json created = createProxy("db");
  created["enabled"] = false;
  auto response = call("POST", "/proxies/db", created.dump());
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(body(response)["enabled"], false);
}

TEST_F(ControlRouterTest, DeleteAnswers204ThenTheProxyIsGone) {
  createProxy("db");
  auto response = call("DELETE", "/proxies/db");
  EXPECT_EQ(response.status, 204);
  EXPECT_TRUE(response.body.empty());
  expectError(call("GET", "/proxies/db"), 404, "proxy not found");
}

TEST_F(ControlRouterTest, DeleteUnknownProxyIs404) {
  expectError(call("DELETE", "/proxies/missing"), 404, "proxy not found");
}

// --- toxics ---

TEST_F(ControlRouterTest, ToxicCreateAnswers200WithToxiproxyDefaults) {
  createProxy("db");
  auto response = call("POST", "/proxies/db/toxics", R"({"type":"latency","attributes":{"latency":100}})");
  ASSERT_EQ(response.status, 200) << response.body;
  json toxic = body(response);
  EXPECT_EQ(toxic["name"], "latency_downstream");
  EXPECT_EQ(toxic["type"], "latency");
  EXPECT_EQ(toxic["stream"], "downstream");
  EXPECT_EQ(toxic["toxicity"], 1.0);
  EXPECT_EQ(toxic["attributes"], (json{{"latency", 100}, {"jitter", 0}}));
}

TEST_F(ControlRouterTest, ToxicStreamIsCaseInsensitiveAndNamesTheDefault) {
  createProxy("db");
  auto response = call("POST", "/proxies/db/toxics", R"({"type":"bandwidth","stream":"UpStream"})");
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(body(response)["name"], "bandwidth_upstream");
  EXPECT_EQ(body(response)["stream"], "upstream");
}

TEST_F(ControlRouterTest, ToxicOfUnknownTypeIs400InvalidToxicType) {
  createProxy("db");
  expectErrorContaining(call("POST", "/proxies/db/toxics", R"({"type":"lattency"})"), 400, "invalid toxic type");
}

TEST_F(ControlRouterTest, ToxicWithInvalidStreamIs400) {
  createProxy("db");
  expectErrorContaining(call("POST", "/proxies/db/toxics", R"({"type":"latency","stream":"sideways"})"), 400,
                        "stream was invalid, can be either upstream or downstream");
}

// Off Linux, connect_timeout cannot hold an address unanswered: it is refused at creation (the
// platform's answer is injected here, so the refusal path runs on Linux too).
TEST_F(ControlRouterTest, ConnectTimeoutWherePlatformCannotIs400NamingLinux) {
  createProxy("db");
  const PlatformSupport elsewhere{"connect_timeout needs Linux (test)"};
  overridePlatformSupportForTesting(&elsewhere);
  HttpResponse refused = call("POST", "/proxies/db/toxics", R"({"type":"connect_timeout"})");
  overridePlatformSupportForTesting(nullptr);
  expectErrorContaining(refused, 400, "type: connect_timeout needs Linux (test); on this platform use the timeout toxic");
  EXPECT_EQ(body(call("GET", "/proxies/db/toxics")).size(), 0u);
  EXPECT_EQ(call("POST", "/proxies/db/toxics", R"({"type":"connect_timeout"})").status, 200);  // Linux
}

TEST_F(ControlRouterTest, ToxicNamesAreUniqueAcrossStreams) {
  createProxy("db");
  ASSERT_EQ(call("POST", "/proxies/db/toxics", R"({"name":"t","type":"latency","stream":"upstream"})").status, 200);
  expectError(call("POST", "/proxies/db/toxics", R"({"name":"t","type":"latency","stream":"downstream"})"), 409,
              "toxic already exists");
}

TEST_F(ControlRouterTest, ToxicOnUnknownProxyIs404EvenWithABadBody) {
  expectError(call("POST", "/proxies/missing/toxics", "not json"), 404, "proxy not found");
}

TEST_F(ControlRouterTest, ToxicAttributeOutOfRangeIs400NamingTheAttribute) {
  createProxy("db");
  expectErrorContaining(call("POST", "/proxies/db/toxics", R"({"type":"latency","attributes":{"latency":-5}})"), 400,
                        "attributes.latency");
}

TEST_F(ControlRouterTest, ToxicListHasUpstreamToxicsFirst) {
  createProxy("db");
  call("POST", "/proxies/db/toxics", R"({"type":"latency","stream":"downstream"})");
  call("POST", "/proxies/db/toxics", R"({"type":"latency","stream":"upstream"})");
  auto response = call("GET", "/proxies/db/toxics");
  ASSERT_EQ(response.status, 200);
  json toxics = body(response);
  ASSERT_EQ(toxics.size(), 2u);
  EXPECT_EQ(toxics[0]["stream"], "upstream");
  EXPECT_EQ(toxics[1]["stream"], "downstream");
}

TEST_F(ControlRouterTest, ToxicListOfUnknownProxyIs404) {
  expectError(call("GET", "/proxies/missing/toxics"), 404, "proxy not found");
}

TEST_F(ControlRouterTest, GetUnknownToxicIs404ToxicNotFound) {
  createProxy("db");
  expectError(call("GET", "/proxies/db/toxics/missing"), 404, "toxic not found");
}

TEST_F(ControlRouterTest, ToxicUpdateMergesAttributesAndKeepsToxicityWhenMinusOne) {
  createProxy("db");
  call("POST", "/proxies/db/toxics", R"({"name":"lag","type":"latency","toxicity":0.5,"attributes":{"latency":100,"jitter":7}})");
  auto response = call("POST", "/proxies/db/toxics/lag", R"({"toxicity":-1,"attributes":{"latency":250}})");
  ASSERT_EQ(response.status, 200) << response.body;
  json toxic = body(response);
  EXPECT_EQ(toxic["attributes"]["latency"], 250);
  EXPECT_EQ(toxic["attributes"]["jitter"], 7);
  EXPECT_EQ(toxic["toxicity"], 0.5);
}

TEST_F(ControlRouterTest, ToxicUpdateWithoutToxicityKeepsIt) {
  createProxy("db");
  call("POST", "/proxies/db/toxics", R"({"name":"lag","type":"latency","toxicity":0.25})");
  auto response = call("PATCH", "/proxies/db/toxics/lag", R"({"attributes":{"jitter":3}})");
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(body(response)["toxicity"], 0.25);
  EXPECT_EQ(body(response)["attributes"]["jitter"], 3);
}

TEST_F(ControlRouterTest, ToxicUpdateChangesToxicity) {
  createProxy("db");
  call("POST", "/proxies/db/toxics", R"({"name":"lag","type":"latency"})");
  auto response = call("POST", "/proxies/db/toxics/lag", R"({"toxicity":0})");
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(body(response)["toxicity"], 0.0);
}

TEST_F(ControlRouterTest, ToxicUpdateAcceptsTheWholeToxicAsTheNodeClientSendsIt) {
  createProxy("db");
  json toxic = body(call("POST", "/proxies/db/toxics", R"({"name":"lag","type":"latency"})"));
  toxic["attributes"]["latency"] = 42;
  auto response = call("POST", "/proxies/db/toxics/lag", toxic.dump());
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(body(response)["attributes"]["latency"], 42);
}

TEST_F(ControlRouterTest, ToxicUpdateOfUnknownToxicIs404) {
  createProxy("db");
  expectError(call("POST", "/proxies/db/toxics/missing", R"({"toxicity":1})"), 404, "toxic not found");
}

TEST_F(ControlRouterTest, ToxicDeleteAnswers204ThenItIsGone) {
  createProxy("db");
  call("POST", "/proxies/db/toxics", R"({"name":"lag","type":"latency"})");
  EXPECT_EQ(call("DELETE", "/proxies/db/toxics/lag").status, 204);
  expectError(call("DELETE", "/proxies/db/toxics/lag"), 404, "toxic not found");
}

// --- reset and populate ---

TEST_F(ControlRouterTest, ResetEnablesEveryProxyAndRemovesEveryToxic) {
  createProxy("db");
  call("POST", "/proxies/db/toxics", R"({"type":"latency"})");
  call("POST", "/proxies/db", R"({"enabled":false})");
  auto response = call("POST", "/reset");
  EXPECT_EQ(response.status, 204);
  json proxy = body(call("GET", "/proxies/db"));
  EXPECT_EQ(proxy["enabled"], true);
  EXPECT_EQ(proxy["toxics"], json::array());
}

TEST_F(ControlRouterTest, PopulateAnswers201WithTheProxies) {
  auto response = call("POST", "/populate",
                       R"([{"name":"a","listen":"127.0.0.1:0","upstream":"127.0.0.1:9"},
                           {"name":"b","listen":"127.0.0.1:0","upstream":"127.0.0.1:9",
                            "toxics":[{"type":"latency","attributes":{"latency":5}}]}])");
  ASSERT_EQ(response.status, 201) << response.body;
  json proxies = body(response)["proxies"];
  ASSERT_EQ(proxies.size(), 2u);
  EXPECT_EQ(proxies[0]["name"], "a");
  EXPECT_EQ(proxies[1]["toxics"][0]["attributes"]["latency"], 5);
}

TEST_F(ControlRouterTest, PopulateKeepsAnUnchangedProxyRunning) {
  const std::string listen = "127.0.0.1:" + std::to_string(testing::unusedPort());
  const std::string config = R"([{"name":"a","listen":")" + listen + R"(","upstream":"127.0.0.1:9"}])";
  ASSERT_EQ(call("POST", "/populate", config).status, 201);
  auto before = registry_->get("a");
  ASSERT_TRUE(before.ok());
  auto response = call("POST", "/populate", config);
  ASSERT_EQ(response.status, 201) << response.body;
  EXPECT_EQ(body(response)["proxies"][0]["listen"], listen);
  auto after = registry_->get("a");
  ASSERT_TRUE(after.ok());
  // A restarted proxy is a new Proxy with fresh counters; a kept one shares its stats object.
  EXPECT_EQ(before->stats.get(), after->stats.get());
}

TEST_F(ControlRouterTest, PopulateReplacesAProxyWhoseUpstreamChanged) {
  const std::string listen = "127.0.0.1:" + std::to_string(testing::unusedPort());
  ASSERT_EQ(call("POST", "/populate", R"([{"name":"a","listen":")" + listen + R"(","upstream":"127.0.0.1:9"}])").status, 201);
  auto before = registry_->get("a");
  ASSERT_TRUE(before.ok());
  auto response = call("POST", "/populate", R"([{"name":"a","listen":")" + listen + R"(","upstream":"127.0.0.1:10"}])");
  ASSERT_EQ(response.status, 201) << response.body;
  EXPECT_EQ(body(response)["proxies"][0]["upstream"], "127.0.0.1:10");
  EXPECT_NE(before->stats.get(), registry_->get("a")->stats.get());
}

TEST_F(ControlRouterTest, PopulateLeavesUnlistedProxiesAlone) {
  createProxy("other");
  ASSERT_EQ(call("POST", "/populate", R"([{"name":"a","listen":"127.0.0.1:0","upstream":"127.0.0.1:9"}])").status, 201);
  EXPECT_EQ(call("GET", "/proxies/other").status, 200);
}

TEST_F(ControlRouterTest, PopulateValidatesEveryItemBeforeCreatingAny) {
  auto response = call("POST", "/populate",
                       R"([{"name":"a","listen":"127.0.0.1:0","upstream":"127.0.0.1:9"},
                           {"listen":"127.0.0.1:0","upstream":"127.0.0.1:9"}])");
  expectError(response, 400, "missing required field: name at proxy 2");
  EXPECT_EQ(body(response)["proxies"], json::array());
  expectError(call("GET", "/proxies/a"), 404, "proxy not found");
}

TEST_F(ControlRouterTest, PopulateWrongTypeNamesTheFieldAndTheProxy) {
  auto response = call("POST", "/populate", R"([{"name":"a","listen":5,"upstream":"127.0.0.1:9"}])");
  expectError(response, 400, "bad request body: listen: expected a string, got a number at proxy 1");
}

TEST_F(ControlRouterTest, PopulateOfANonArrayIs400) {
  expectErrorContaining(call("POST", "/populate", R"({"name":"a"})"), 400, "expected a JSON array");
}

// --- hardening ---

TEST_F(ControlRouterTest, InvalidJsonIs400BadRequestBody) {
  expectErrorContaining(call("POST", "/proxies", "{\"name\":"), 400, "bad request body: invalid JSON");
}

TEST_F(ControlRouterTest, TrailingGarbageAfterJsonIs400) {
  expectErrorContaining(call("POST", "/proxies", R"({"name":"a","upstream":"127.0.0.1:9"} x)"), 400,
                        "bad request body: invalid JSON");
}

TEST_F(ControlRouterTest, WrongTypeIs400NamingTheField) {
  expectError(call("POST", "/proxies", R"({"name":"a","listen":"127.0.0.1:0","upstream":"127.0.0.1:9","enabled":"yes"})"),
              400, "bad request body: enabled: expected a boolean (true or false), got a string");
}

TEST_F(ControlRouterTest, UnknownFieldIs400NamingTheField) {
  expectErrorContaining(call("POST", "/proxies", R"({"name":"a","lisen":"127.0.0.1:0","upstream":"127.0.0.1:9"})"), 400,
                        "lisen: unknown field");
}

TEST_F(ControlRouterTest, NestingOf65LevelsIs400) {
  std::string deep = "{\"name\":" + std::string(64, '[') + std::string(64, ']') + "}";
  expectErrorContaining(call("POST", "/proxies", deep), 400, "65 levels deep");
}

TEST_F(ControlRouterTest, NestingOf64LevelsIsParsedAndThenRejectedByType) {
  std::string deep = "{\"name\":" + std::string(63, '[') + std::string(63, ']') + "}";
  expectError(call("POST", "/proxies", deep), 400, "bad request body: name: expected a string, got an array");
}

TEST_F(ControlRouterTest, OverflowingNumberIs400) {
  createProxy("db");
  expectErrorContaining(call("POST", "/proxies/db/toxics", R"({"type":"latency","attributes":{"latency":1e999}})"), 400,
                        "bad request body: invalid JSON");
}

TEST_F(ControlRouterTest, IntegerBeyond64BitsIs400NamingTheAttribute) {
  createProxy("db");
  expectErrorContaining(
      call("POST", "/proxies/db/toxics", R"({"type":"latency","attributes":{"latency":123456789012345678901234567890}})"),
      400, "attributes.latency: expected an integer");
}

TEST_F(ControlRouterTest, ForeignHostHeaderIs403) {
  auto response = call("GET", "/proxies", "", {{"Host", "evil.example:8474"}});
  expectErrorContaining(response, 403, "evil.example");
}

TEST_F(ControlRouterTest, LoopbackHostHeadersAreAllowed) {
  for (const char* host : {"localhost", "LOCALHOST:8474", "127.0.0.1", "127.1.2.3:80", "[::1]:8474", "[::1]"}) {
    EXPECT_EQ(call("GET", "/version", "", {{"Host", host}}).status, 200) << host;
  }
}

TEST_F(ControlRouterTest, LookalikeLoopbackHostsAreRefused) {
  for (const char* host : {"127.0.0.1.evil.example", "localhost.evil.example", "128.0.0.1", "[::2]:8474"}) {
    EXPECT_EQ(call("GET", "/version", "", {{"Host", host}}).status, 403) << host;
  }
}

TEST_F(ControlRouterTest, TheConfiguredBindAddressIsAnAllowedHost) {
  router_ = std::make_unique<ControlRouter>(*registry_, nullptr, ControlRouterOptions{"192.0.2.7", "", ""});
  EXPECT_EQ(call("GET", "/version", "", {{"Host", "192.0.2.7:8474"}}).status, 200);
  EXPECT_EQ(call("GET", "/version", "", {{"Host", "192.0.2.8:8474"}}).status, 403);
}

TEST_F(ControlRouterTest, AWildcardBindAcceptsAnyHost) {
  router_ = std::make_unique<ControlRouter>(*registry_, nullptr, ControlRouterOptions{"0.0.0.0", "", ""});
  EXPECT_EQ(call("GET", "/version", "", {{"Host", "toxiproxy:8474"}}).status, 200);
}

TEST_F(ControlRouterTest, BrowserUserAgentIs403) {
  auto response = call("GET", "/proxies", "", {{"Host", "localhost"}, {"User-Agent", "Mozilla/5.0 (X11)"}});
  expectError(response, 403, "User agent not allowed");
}

TEST_F(ControlRouterTest, NoCorsHeadersEvenWhenAskedFromAnOrigin) {
  auto response = call("GET", "/proxies", "", {{"Host", "localhost"}, {"Origin", "http://localhost:3000"}});
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.header("Access-Control-Allow-Origin"), "");
}

TEST_F(ControlRouterTest, WithATokenARequestWithoutItIs401) {
  router_ = std::make_unique<ControlRouter>(*registry_, nullptr, ControlRouterOptions{"127.0.0.1", "s3cret", ""});
  auto response = call("GET", "/proxies", "", {{"Host", "localhost"}});
  expectErrorContaining(response, 401, "token");
  EXPECT_EQ(response.header("WWW-Authenticate"), "Bearer");
}

TEST_F(ControlRouterTest, WithATokenAWrongTokenIs401) {
  router_ = std::make_unique<ControlRouter>(*registry_, nullptr, ControlRouterOptions{"127.0.0.1", "s3cret", ""});
  EXPECT_EQ(call("GET", "/proxies", "", {{"Host", "localhost"}, {"Authorization", "Bearer s3cre"}}).status, 401);
  EXPECT_EQ(call("GET", "/proxies", "", {{"Host", "localhost"}, {"Authorization", "Bearer s3cretx"}}).status, 401);
  EXPECT_EQ(call("GET", "/proxies", "", {{"Host", "localhost"}, {"Authorization", "Basic s3cret"}}).status, 401);
}

TEST_F(ControlRouterTest, WithATokenTheRightBearerTokenPasses) {
  router_ = std::make_unique<ControlRouter>(*registry_, nullptr, ControlRouterOptions{"127.0.0.1", "s3cret", ""});
  EXPECT_EQ(call("GET", "/proxies", "", {{"Host", "localhost"}, {"Authorization", "Bearer s3cret"}}).status, 200);
}

TEST_F(ControlRouterTest, WrongMethodOnAKnownPathIs405WithAllow) {
  auto response = call("DELETE", "/proxies");
  EXPECT_EQ(response.status, 405);
  EXPECT_EQ(response.header("Allow"), "GET, POST");
  EXPECT_EQ(call("GET", "/reset").status, 405);
  EXPECT_EQ(call("PUT", "/proxies/db/toxics/x").status, 405);
}

TEST_F(ControlRouterTest, UnknownPathIs404) {
  EXPECT_EQ(call("GET", "/nope").status, 404);
  EXPECT_EQ(call("GET", "/proxies/db/other").status, 404);
  EXPECT_EQ(call("GET", "/proxies//toxics").status, 404);
  EXPECT_EQ(call("GET", "/proxies/db/toxics/t/x").status, 404);
}

// --- metrics and rules ---

TEST_F(ControlRouterTest, MetricsUseToxiproxyNamesWithTheProxyLabels) {
  json created = createProxy("db");
  auto response = call("GET", "/metrics");
  ASSERT_EQ(response.status, 200);
  EXPECT_NE(response.header("Content-Type").find("text/plain"), std::string::npos);
  std::string expected = "toxiproxy_proxy_received_bytes_total{direction=\"upstream\",proxy=\"db\",listener=\"" +
                         created["listen"].get<std::string>() + "\",upstream=\"127.0.0.1:9\"} 0";
  EXPECT_NE(response.body.find(expected), std::string::npos) << response.body;
  EXPECT_NE(response.body.find("# TYPE toxiproxy_proxy_sent_bytes_total counter"), std::string::npos);
}

TEST_F(ControlRouterTest, MetricsCountApiRequestsByRouteTemplateAndStatus) {
  call("GET", "/proxies/a");
  call("GET", "/proxies/b");
  auto text = call("GET", "/metrics").body;
  EXPECT_NE(text.find("faultline_api_requests_total{method=\"GET\",route=\"/proxies/{proxy}\",status=\"404\"} 2"),
            std::string::npos)
      << text;
}

TEST_F(ControlRouterTest, RulesAndReloadWithoutARulesFileAre404) {
  expectError(call("GET", "/rules"), 404, "no rules file loaded; start with --config FILE");
  expectError(call("POST", "/reload"), 404, "no rules file loaded; start with --config FILE");
}

TEST_F(ControlRouterTest, RulesShowsTheRulesServiceStatus) {
  FakeRules rules;
  router_ = std::make_unique<ControlRouter>(*registry_, &rules);
  auto response = call("GET", "/rules");
  ASSERT_EQ(response.status, 200);
  EXPECT_EQ(body(response)["file"], "rules.yaml");
}

TEST_F(ControlRouterTest, ReloadAppliesTheRulesAndAnswersTheStatus) {
  FakeRules rules;
  router_ = std::make_unique<ControlRouter>(*registry_, &rules);
  auto response = call("POST", "/reload");
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(rules.oks, 1);
  EXPECT_EQ(body(response)["reloads"]["ok"], 1);
}

TEST_F(ControlRouterTest, ReloadOfAnInvalidFileIs400WithItsError) {
  FakeRules rules;
  rules.next_error = "rules.yaml:3:5: proxies[0].listen: missing port";
  router_ = std::make_unique<ControlRouter>(*registry_, &rules);
  expectError(call("POST", "/reload"), 400, "rules.yaml:3:5: proxies[0].listen: missing port");
  auto text = call("GET", "/metrics").body;
  EXPECT_NE(text.find("faultline_rules_reloads_total{result=\"error\"} 1"), std::string::npos) << text;
}

}  // namespace
}  // namespace faultline
