// The string attributes of issue 14 through buildToxicSpec and the registry: cut's mode,
// latency's distribution and p99, bandwidth's scope and any toxic's client.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>

#include "support/fake_toxic_context.h"
#include "toxics/bandwidth_toxic.h"
#include "toxics/cut_toxic.h"
#include "toxics/platform_support.h"
#include "toxics/toxic_registry.h"
#include "toxics/toxic_spec.h"

namespace faultline {
namespace {

using std::chrono::milliseconds;

Result<ToxicSpec> build(const std::string& type, std::map<std::string, int64_t> ints,
                        std::map<std::string, std::string> texts = {}) {
  ToxicInput input;
  input.type = type;
  input.attributes = std::move(ints);
  input.text_attributes = std::move(texts);
  return buildToxicSpec(input, "toxics[0]");
}

TEST(TcpToxicSpecs, ConnectTimeoutIsRefusedWhereThePlatformCannotHoldConnects) {
  const PlatformSupport linux_like{""};
  const PlatformSupport elsewhere{"connect_timeout needs Linux (why)"};
  EXPECT_EQ(toxicTypeUnsupported("connect_timeout", linux_like), "");
  EXPECT_EQ(toxicTypeUnsupported("latency", elsewhere), "");
  EXPECT_EQ(toxicTypeUnsupported("connect_timeout", elsewhere),
            "connect_timeout needs Linux (why); on this platform use the timeout toxic (connections open, then nothing "
            "moves) instead");
#if defined(__linux__)
  EXPECT_EQ(platformSupport().connect_timeout_unsupported, "");
#else
  EXPECT_NE(platformSupport().connect_timeout_unsupported, "");
#endif
  overridePlatformSupportForTesting(&elsewhere);
  auto refused = build("connect_timeout", {});
  overridePlatformSupportForTesting(nullptr);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(refused.error().message.rfind("toxics[0].type: connect_timeout needs Linux (why);", 0), 0u)
      << refused.error().message;
}

TEST(TcpToxicSpecs, ConnectTimeoutTakesNoAttributesAndSaysSo) {
  auto bad = build("connect_timeout", {{"after", 1}});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "toxics[0].attributes.after: toxic type connect_timeout takes no attributes; remove it");
}

TEST(TcpToxicSpecs, CutModeIsAWordDefaultingToReset) {
  auto spec = build("cut", {{"after_ms", 500}});
  ASSERT_TRUE(spec.ok()) << spec.error().message;
  EXPECT_EQ(spec->text("mode"), "reset");
  auto bad = build("cut", {}, {{"mode", "explode"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "toxics[0].attributes.mode: expected one of reset, close, hang, got \"explode\"");
}

TEST(TcpToxicSpecs, CutBuiltFromASpecUsesItsMode) {
  auto spec = build("cut", {{"after_bytes", 2}}, {{"mode", "close"}});
  ASSERT_TRUE(spec.ok());
  auto toxic = CutToxic::create(*spec);
  FakeToxicContext ctx;
  toxic->onAttach(ctx);
  ctx.push(*toxic, "abc");
  ctx.advance(Duration::zero());
  EXPECT_EQ(ctx.forwardedBytes(), "ab");
  EXPECT_EQ(ctx.closeMode(), CloseMode::kGraceful);
}

TEST(TcpToxicSpecs, LatencyTailsNeedAMedianAndAP99AboveIt) {
  EXPECT_TRUE(build("latency", {{"latency", 100}, {"p99", 400}}, {{"distribution", "pareto"}}).ok());
  auto no_p99 = build("latency", {{"latency", 100}}, {{"distribution", "lognormal"}});
  ASSERT_FALSE(no_p99.ok());
  EXPECT_EQ(no_p99.error().message,
            "toxics[0].attributes.p99: distribution lognormal needs p99 (the 99th percentile, ms) above latency 100, got 0");
  auto no_median = build("latency", {{"p99", 100}}, {{"distribution", "pareto"}});
  ASSERT_FALSE(no_median.ok());
  EXPECT_NE(no_median.error().message.find("attributes.latency"), std::string::npos);
  auto unknown = build("latency", {{"latency", 1}}, {{"distribution", "gaussian"}});
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("expected one of uniform, normal, lognormal, pareto"), std::string::npos);
}

TEST(TcpToxicSpecs, ClassicToxicsKeepToxiproxysIntegersAndDefaultsForTheExtensions) {
  auto spec = build("latency", {{"latency", 100}});
  ASSERT_TRUE(spec.ok());
  EXPECT_EQ(spec->text("distribution"), "uniform");
  EXPECT_EQ(spec->attr("p99"), 0);
  EXPECT_FALSE(spec->client);
  const ToxicType* latency = findToxicType("latency");
  ASSERT_NE(latency, nullptr);
  for (const auto& a : latency->attributes) {
    if (a.name != "latency" && a.name != "jitter") {
      EXPECT_TRUE(a.hidden_at_default) << a.name;
    }
  }
  auto bad = build("latency", {}, {{"jitter", "10"}});
  ASSERT_FALSE(bad.ok()) << "a classic toxic's integer attribute stays an integer";
}

TEST(TcpToxicSpecs, BandwidthScopeProxyGivesTheSpecOneSharedLine) {
  auto shared = build("bandwidth", {{"rate", 100}}, {{"scope", "proxy"}});
  ASSERT_TRUE(shared.ok()) << shared.error().message;
  ASSERT_NE(shared->shared_rate, nullptr);
  auto own = build("bandwidth", {{"rate", 100}});
  ASSERT_TRUE(own.ok());
  EXPECT_EQ(own->shared_rate, nullptr);
  // Two stages from the shared spec pace on the same line: together they take twice as long.
  auto first = BandwidthToxic::create(*shared);
  auto second = BandwidthToxic::create(*shared);
  FakeToxicContext ctx;
  ctx.push(*first, std::string(10'000, 'a'));
  ctx.push(*second, std::string(10'000, 'b'));
  ctx.advance(milliseconds(199));
  EXPECT_LT(ctx.forwardedSize(), 20'000u);
  ctx.advance(milliseconds(1));
  EXPECT_EQ(ctx.forwardedSize(), 20'000u);
}

TEST(TcpToxicSpecs, ClientIsACidrOnAnyLinkToxic) {
  for (const char* type : {"latency", "bandwidth", "slicer", "cut", "tcp_loss", "corrupt", "reset_peer", "timeout"}) {
    auto spec = build(type, {}, {{"client", "127.0.0.2/32"}});
    ASSERT_TRUE(spec.ok()) << type << ": " << spec.error().message;
    ASSERT_TRUE(spec->client) << type;
    EXPECT_EQ(spec->client->toString(), "127.0.0.2/32");
  }
  auto v6 = build("latency", {}, {{"client", "::1/128"}});
  ASSERT_TRUE(v6.ok());
  auto bad = build("latency", {}, {{"client", "127.0.0.300/32"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("toxics[0].attributes.client: expected a client address block"), std::string::npos)
      << bad.error().message;
}

}  // namespace
}  // namespace faultline
