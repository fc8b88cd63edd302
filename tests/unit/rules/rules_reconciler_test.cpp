#include "rules/rules_reconciler.h"

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "support/loop_fixture.h"
#include "rules/rules_parser.h"
#include "support/sockets.h"

namespace faultline {
namespace {

using ::testing::HasSubstr;

RulesConfig rules(const std::string& text) {
  auto parsed = parseRules(text, "rules.yaml");
  EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.error().message);
  return parsed.ok() ? std::move(parsed).value() : RulesConfig{};
}

std::string proxyYaml(const std::string& name, const std::string& listen, const std::string& upstream,
                      const std::string& extra = "") {
  return "  - name: " + name + "\n    listen: \"" + listen + "\"\n    upstream: \"" + upstream + "\"\n" + extra;
}

std::string latency(int ms, const std::string& name = "lag") {
  return "    toxics:\n      - {name: " + name + ", type: latency, attributes: {latency: " + std::to_string(ms) +
         "}}\n";
}

std::string freeAddress() { return "127.0.0.1:" + std::to_string(testing::unusedPort()); }

class RulesReconciler : public test::LoopFixture {
 protected:
  Result<ReconcileSummary> apply(const std::string& text) {
    RulesConfig next = rules(text);
    auto result = reconcileRules(*registry_, applied_, next);
    if (result) applied_ = std::move(next);
    return result;
  }
  ProxyInfo get(const std::string& name) {
    auto info = registry_->get(name);
    EXPECT_TRUE(info.ok()) << name;
    return info.ok() ? *info : ProxyInfo{};
  }

  RulesConfig applied_;
};

TEST_F(RulesReconciler, CreatesEveryProxyTheFileDeclaresWithItsToxics) {
  auto result = apply("proxies:\n" + proxyYaml("a", "127.0.0.1:0", "127.0.0.1:9", latency(100)) +
                      proxyYaml("b", "127.0.0.1:0", "127.0.0.1:9"));
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result->created, 2u);
  ProxyInfo a = get("a");
  ASSERT_EQ(a.toxics.size(), 1u);
  EXPECT_EQ(a.toxics[0]->name, "lag");
  EXPECT_EQ(a.toxics[0]->attr("latency"), 100);
  EXPECT_TRUE(get("b").toxics.empty());
}

TEST_F(RulesReconciler, ChangedToxicsAreSetInPlaceWithoutRebinding) {
  ASSERT_TRUE(apply("proxies:\n" + proxyYaml("a", "127.0.0.1:0", "127.0.0.1:9", latency(100))).ok());
  std::string bound = get("a").listen;

  auto result = apply("proxies:\n" + proxyYaml("a", "127.0.0.1:0", "127.0.0.1:9", latency(250)));
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result->updated, 1u);
  ProxyInfo a = get("a");
  EXPECT_EQ(a.listen, bound) << "a toxic change must not restart the listener";
  ASSERT_EQ(a.toxics.size(), 1u);
  EXPECT_EQ(a.toxics[0]->attr("latency"), 250);
}

TEST_F(RulesReconciler, ChangedUpstreamIsUpdatedInPlace) {
  ASSERT_TRUE(apply("proxies:\n" + proxyYaml("a", "127.0.0.1:0", "127.0.0.1:9")).ok());
  std::string bound = get("a").listen;
  ASSERT_TRUE(apply("proxies:\n" + proxyYaml("a", "127.0.0.1:0", "127.0.0.1:10")).ok());
  EXPECT_EQ(get("a").upstream, "127.0.0.1:10");
  EXPECT_EQ(get("a").listen, bound);
}

TEST_F(RulesReconciler, ChangedListenRebindsOnTheNewAddress) {
  std::string first = freeAddress();
  ASSERT_TRUE(apply("proxies:\n" + proxyYaml("a", first, "127.0.0.1:9")).ok());
  std::string second = freeAddress();
  ASSERT_TRUE(apply("proxies:\n" + proxyYaml("a", second, "127.0.0.1:9")).ok());
  EXPECT_EQ(get("a").listen, second);
}

TEST_F(RulesReconciler, EnabledFalseDisablesAndTrueEnablesAgain) {
  ASSERT_TRUE(apply("proxies:\n" + proxyYaml("a", "127.0.0.1:0", "127.0.0.1:9")).ok());
  ASSERT_TRUE(apply("proxies:\n" + proxyYaml("a", "127.0.0.1:0", "127.0.0.1:9", "    enabled: false\n")).ok());
  EXPECT_FALSE(get("a").enabled);
  ASSERT_TRUE(apply("proxies:\n" + proxyYaml("a", "127.0.0.1:0", "127.0.0.1:9", "    enabled: true\n")).ok());
  EXPECT_TRUE(get("a").enabled);
}

// The proxy options are reconciled in place, like enabled: a reload that only flips one changes
// the running proxy (and keeps its listener).
TEST_F(RulesReconciler, ProxyOptionsFlipInPlaceOnReload) {
  ASSERT_TRUE(apply("proxies:\n" + proxyYaml("a", "127.0.0.1:0", "127.0.0.1:9")).ok());
  const std::string listen = get("a").listen;
  auto flipped = apply("proxies:\n" + proxyYaml("a", listen, "127.0.0.1:9",
                                                "    http_request_faults: true\n    on_upstream_error: reset\n"));
  ASSERT_TRUE(flipped.ok()) << flipped.error().message;
  EXPECT_EQ(flipped->updated, 1u);
  EXPECT_TRUE(get("a").http_request_faults);
  EXPECT_TRUE(get("a").reset_on_upstream_error);
  EXPECT_EQ(get("a").listen, listen);
  auto same = apply("proxies:\n" + proxyYaml("a", listen, "127.0.0.1:9",
                                             "    http_request_faults: true\n    on_upstream_error: reset\n"));
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(same->unchanged, 1u);
  ASSERT_TRUE(apply("proxies:\n" + proxyYaml("a", listen, "127.0.0.1:9")).ok());
  EXPECT_FALSE(get("a").http_request_faults);
  EXPECT_FALSE(get("a").reset_on_upstream_error);
}

TEST_F(RulesReconciler, RemovesProxiesThePreviousFileDeclaredAndThisOneDoesNot) {
  ASSERT_TRUE(apply("proxies:\n" + proxyYaml("a", "127.0.0.1:0", "127.0.0.1:9") +
                    proxyYaml("b", "127.0.0.1:0", "127.0.0.1:9"))
                  .ok());
  auto result = apply("proxies:\n" + proxyYaml("b", "127.0.0.1:0", "127.0.0.1:9"));
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result->removed, 1u);
  EXPECT_EQ(result->unchanged, 1u);
  EXPECT_FALSE(registry_->get("a").ok());
  EXPECT_TRUE(registry_->get("b").ok());
}

TEST_F(RulesReconciler, LeavesProxiesMadeThroughTheApiAlone) {
  ProxyConfig api;
  api.name = "api-made";
  api.listen = "127.0.0.1:0";
  api.upstream = "127.0.0.1:9";
  ASSERT_TRUE(registry_->create(api).ok());
  ASSERT_TRUE(apply("proxies:\n" + proxyYaml("a", "127.0.0.1:0", "127.0.0.1:9")).ok());
  ASSERT_TRUE(apply("proxies: []\n").ok());
  EXPECT_FALSE(registry_->get("a").ok());
  EXPECT_TRUE(registry_->get("api-made").ok());
}

TEST_F(RulesReconciler, UnchangedProxiesAreNotTouched) {
  std::string text = "proxies:\n" + proxyYaml("a", "127.0.0.1:0", "127.0.0.1:9", latency(5));
  ASSERT_TRUE(apply(text).ok());
  auto toxic_before = get("a").toxics.at(0);
  auto result = apply(text);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->unchanged, 1u);
  EXPECT_EQ(result->updated, 0u);
  EXPECT_EQ(get("a").toxics.at(0), toxic_before) << "the same spec object: live stages kept";
}

TEST_F(RulesReconciler, ARemovedProxysAddressCanBeTakenByANewOne) {
  std::string address = freeAddress();
  ASSERT_TRUE(apply("proxies:\n" + proxyYaml("old", address, "127.0.0.1:9")).ok());
  auto result = apply("proxies:\n" + proxyYaml("new", address, "127.0.0.1:9"));
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(get("new").listen, address);
  EXPECT_FALSE(registry_->get("old").ok());
}

TEST_F(RulesReconciler, PortInUseIsReportedAtTheListenLineAndChangesNothing) {
  ASSERT_TRUE(apply("proxies:\n" + proxyYaml("a", "127.0.0.1:0", "127.0.0.1:9", latency(100))).ok());
  testing::HeldPort held;
  ASSERT_NE(held.port(), 0);

  auto result = apply("proxies:\n" + proxyYaml("a", "127.0.0.1:0", "127.0.0.1:9", latency(999)) +
                      proxyYaml("b", held.address(), "127.0.0.1:9"));
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(result.error().message, HasSubstr("rules.yaml:8:13: proxies[1].listen: cannot listen on " +
                                                held.address() + ": EADDRINUSE"));
  EXPECT_EQ(get("a").toxics.at(0)->attr("latency"), 100);
  EXPECT_FALSE(registry_->get("b").ok());
}

TEST_F(RulesReconciler, AddressHeldByAnApiProxyIsReportedByName) {
  ProxyConfig api;
  api.name = "api-made";
  api.listen = "127.0.0.1:0";
  api.upstream = "127.0.0.1:9";
  auto created = registry_->create(api);
  ASSERT_TRUE(created.ok());
  auto result = apply("proxies:\n" + proxyYaml("a", created->listen, "127.0.0.1:9"));
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(result.error().message, HasSubstr("proxies[0].listen: address " + created->listen +
                                                " is already used by proxy 'api-made'"));
  EXPECT_FALSE(registry_->get("a").ok());
}

// Swapping two proxies' ports cannot be done one proxy at a time: the registry refuses the
// first move, and everything this reload already changed must be put back.
TEST_F(RulesReconciler, FailureMidwayRollsBackEveryEarlierStep) {
  std::string x = freeAddress();
  std::string y = freeAddress();
  ASSERT_NE(x, y);
  ASSERT_TRUE(apply("proxies:\n" + proxyYaml("c", "127.0.0.1:0", "127.0.0.1:9", latency(100)) +
                    proxyYaml("a", x, "127.0.0.1:9") + proxyYaml("b", y, "127.0.0.1:9"))
                  .ok());
  auto result = apply("proxies:\n" + proxyYaml("c", "127.0.0.1:0", "127.0.0.1:9", latency(999)) +
                      proxyYaml("a", y, "127.0.0.1:9") + proxyYaml("b", x, "127.0.0.1:9") +
                      proxyYaml("d", "127.0.0.1:0", "127.0.0.1:9"));
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(result.error().message, HasSubstr("rules.yaml:"));
  EXPECT_THAT(result.error().message, HasSubstr("proxy 'a'"));
  EXPECT_THAT(result.error().message, HasSubstr("the previous rules were restored"));
  EXPECT_EQ(get("c").toxics.at(0)->attr("latency"), 100);
  EXPECT_EQ(get("a").listen, x);
  EXPECT_TRUE(get("a").enabled);
  EXPECT_EQ(get("b").listen, y);
  EXPECT_FALSE(registry_->get("d").ok());
}

TEST_F(RulesReconciler, ToxicsInterleavedAcrossStreamsCompareEqualToTheRegistrysOrder) {
  std::string text = "proxies:\n" + proxyYaml("a", "127.0.0.1:0", "127.0.0.1:9",
                                             "    toxics:\n"
                                             "      - {name: d1, type: latency, stream: downstream}\n"
                                             "      - {name: u1, type: latency, stream: upstream}\n"
                                             "      - {name: d2, type: timeout, stream: downstream}\n");
  ASSERT_TRUE(apply(text).ok());
  auto again = apply(text);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->unchanged, 1u);
}

}  // namespace
}  // namespace faultline
