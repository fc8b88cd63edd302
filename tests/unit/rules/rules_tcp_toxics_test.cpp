// Rules files and the TCP faults of issue 14: stream both, the new toxic types.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "rules/rules_parser.h"

namespace faultline {
namespace {

using ::testing::HasSubstr;

RulesParseResult parse(const std::string& text) { return parseRulesText(text, "rules.yaml"); }

std::string proxyWithToxic(const std::string& toxic_lines) {
  return "proxies:\n  - name: p\n    listen: 127.0.0.1:22220\n    upstream: 127.0.0.1:22221\n    toxics:\n" +
         toxic_lines;
}

TEST(RulesTcpToxics, StreamBothDeclaresTheToxicOnEachDirection) {
  auto result = parse(proxyWithToxic("      - name: lossy\n        type: tcp_loss\n        stream: both\n"
                                     "        attributes: {percent: 5}\n"));
  ASSERT_TRUE(result.ok()) << joinRulesErrors(result.errors);
  const auto& toxics = result.config.proxies.at(0).toxics;
  ASSERT_EQ(toxics.size(), 2u);
  EXPECT_EQ(toxics[0].name, "lossy_upstream");
  EXPECT_EQ(toxics[0].stream, Stream::kUpstream);
  EXPECT_EQ(toxics[1].name, "lossy_downstream");
  EXPECT_EQ(toxics[1].stream, Stream::kDownstream);
  EXPECT_EQ(toxics[1].attr("rto_ms"), 200);
}

TEST(RulesTcpToxics, AHalfOfABothToxicCollidingWithAnotherNameIsADuplicate) {
  auto result = parse(proxyWithToxic("      - name: cut_downstream\n        type: cut\n"
                                     "      - name: cut\n        type: cut\n        stream: both\n"));
  ASSERT_EQ(result.errors.size(), 1u) << joinRulesErrors(result.errors);
  EXPECT_THAT(result.errors[0].toString(), HasSubstr("duplicate toxic name 'cut_downstream'"));
  EXPECT_EQ(result.errors[0].where.line, 8);
}

TEST(RulesTcpToxics, OutOfRangeTcpAttributesPointAtTheirLine) {
  auto result = parse(proxyWithToxic("      - type: corrupt\n        attributes:\n          ppm: 2000000\n"));
  ASSERT_EQ(result.errors.size(), 1u) << joinRulesErrors(result.errors);
  EXPECT_EQ(result.errors[0].where.line, 8);
  EXPECT_THAT(result.errors[0].toString(), HasSubstr("attributes.ppm"));
}

TEST(RulesTcpToxics, AnAttributeOnConnectTimeoutSaysItTakesNone) {
  auto result = parse(proxyWithToxic("      - type: connect_timeout\n        attributes:\n          after: 1\n"));
  ASSERT_EQ(result.errors.size(), 1u) << joinRulesErrors(result.errors);
  EXPECT_EQ(result.errors[0].where.line, 8);
  EXPECT_THAT(result.errors[0].toString(), HasSubstr("attributes.after: unknown key 'after'; nothing is expected here, remove it"));
}

TEST(RulesTcpToxics, OnUpstreamErrorIsAProxyOptionOfCloseOrReset) {
  auto result = parse("proxies:\n  - name: p\n    listen: 127.0.0.1:22220\n    upstream: 127.0.0.1:22221\n"
                      "    on_upstream_error: reset\n");
  ASSERT_TRUE(result.ok()) << joinRulesErrors(result.errors);
  EXPECT_EQ(result.config.proxies.at(0).on_upstream_error, "reset");
  auto bad = parse("proxies:\n  - name: p\n    listen: 127.0.0.1:22220\n    upstream: 127.0.0.1:22221\n"
                   "    on_upstream_error: refuse\n");
  ASSERT_EQ(bad.errors.size(), 1u) << joinRulesErrors(bad.errors);
  EXPECT_EQ(bad.errors[0].where.line, 5);
  EXPECT_THAT(bad.errors[0].toString(), HasSubstr("expected close or reset, got 'refuse'"));
}

}  // namespace
}  // namespace faultline
