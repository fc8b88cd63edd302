#include <gtest/gtest.h>

#include <filesystem>

#include "scenario/fault_windows.h"
#include "scenario/placeholders.h"
#include "scenario/scenario_parser.h"

namespace faultline::scenario {
namespace {

const PlaceholderValues kFixed = {{"bin", "/opt/bin"}, {"dir", "/d"}, {"seed", "1"}, {"log_dir", "/tmp"}};

constexpr const char* kGood = R"(scenario: partner-outage
target: http://127.0.0.1:{port.server}/checkout
load: {rate: 20, duration: 30s, timeout: 2s}
start:
  - "{bin}/demo-server --port {port.server} --partner-url {proxy.partner.url}"
proxies:
  - name: partner
    listen: 127.0.0.1:0
    upstream: 127.0.0.1:{port.partner}
    toxics:
      - {name: slow, type: latency, attributes: {latency: 500}}
expect:
  error_rate: {max: 0.01}
  p99_ms: {max: 800}
  recovered_within: 3s
)";

std::string errorsOf(const ScenarioParseResult& r) {
  std::string out;
  for (const auto& e : r.errors) out += e.toString() + "\n";
  return out;
}

std::string withoutRecovery();

TEST(ScenarioParser, ReadsTheIssueExample) {
  auto r = parseScenarioText(withoutRecovery(), "s.yaml", kFixed);
  ASSERT_TRUE(r.ok()) << errorsOf(r);
  const auto& s = r.spec;
  EXPECT_EQ(s.name, "partner-outage");
  EXPECT_DOUBLE_EQ(s.load.rate, 20);
  EXPECT_EQ(s.load.duration, Millis(30'000));
  EXPECT_EQ(s.load.timeout, Millis(2'000));
  ASSERT_EQ(s.start.size(), 1u);
  EXPECT_EQ(s.start[0].name, "demo-server");
  ASSERT_EQ(s.proxies.proxies.size(), 1u);
  EXPECT_EQ(s.proxies.proxies[0].name, "partner");
  EXPECT_EQ(s.proxies.proxies[0].toxics.size(), 1u);
  ASSERT_EQ(s.variants.size(), 1u);
  EXPECT_EQ(s.variants[0].name, "partner-outage");
  EXPECT_EQ(*s.variants[0].expect.error_rate_max, 0.01);
  EXPECT_EQ(*s.variants[0].expect.p99_ms_max, 800);
  EXPECT_EQ(s.expectationCount(), 2u);
  EXPECT_EQ(s.port_names, (std::vector<std::string>{"partner", "server"}));
}

TEST(ScenarioParser, RecoveredWithinNeedsAFaultThatEndsWhileTheLoadRuns) {
  auto r = parseScenarioText(kGood, "s.yaml", kFixed);  // the latency toxic has no schedule
  ASSERT_EQ(r.errors.size(), 1u) << errorsOf(r);
  EXPECT_EQ(r.errors[0].where.line, 15);
  EXPECT_NE(r.errors[0].message.find("still on when the load ends"), std::string::npos) << errorsOf(r);
}

std::string withoutRecovery() {
  std::string text = kGood;
  text.erase(text.find("  recovered_within: 3s\n"));
  return text;
}

TEST(ScenarioParser, ProxiesSectionResolvesWithRealPortsAndKeepsLines) {
  auto r = parseScenarioText(withoutRecovery(), "s.yaml", kFixed);
  ASSERT_TRUE(r.ok()) << errorsOf(r);
  PlaceholderValues values = kFixed;
  values["port.partner"] = "40001";
  values["port.server"] = "40002";
  auto proxies = resolveProxies(r.spec, values);
  ASSERT_TRUE(proxies.ok()) << proxies.error().message;
  EXPECT_EQ(proxies->proxies[0].upstream, "127.0.0.1:40001");
  ASSERT_EQ(proxies->sources.size(), 1u);
  EXPECT_EQ(proxies->sources[0].listen.line, 8);  // the scenario file's own line
}

// The README's example says "# 0: any free port; {proxy.partner.url} says which" inside proxies:
// a comment is prose, while a '#' inside a quoted value is not a comment.
TEST(ScenarioParser, PlaceholdersInCommentsOfTheProxiesSectionAreProse) {
  auto r = parseScenarioText(R"(scenario: c
target: http://127.0.0.1:{port.server}/
load: {rate: 10, duration: 1s}
proxies:
  - name: partner   # {proxy.partner.url} says which
    listen: 127.0.0.1:0
    upstream: "127.0.0.1:{port.partner}"   # {port.nowhere}
    toxics:
      - {name: fail, type: http_abort, attributes: {status: 503, body: "busy #1 {port.server}"}}
)", "c.yaml", kFixed);
  ASSERT_TRUE(r.ok()) << errorsOf(r);
  EXPECT_EQ(r.spec.port_names, (std::vector<std::string>{"partner", "server"}));
  PlaceholderValues values = kFixed;
  values["port.partner"] = "40001";
  values["port.server"] = "40002";
  auto proxies = resolveProxies(r.spec, values);
  ASSERT_TRUE(proxies.ok()) << proxies.error().message;
  EXPECT_EQ(proxies->proxies.at(0).upstream, "127.0.0.1:40001");
  EXPECT_EQ(proxies->proxies.at(0).toxics.at(0).text("body"), "busy #1 40002");
}

TEST(ScenarioParser, ErrorsInsideProxiesPointAtTheScenarioFile) {
  std::string text = withoutRecovery();
  text.replace(text.find("latency: 500"), 12, "latency: -5");
  auto r = parseScenarioText(text, "s.yaml", kFixed);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(errorsOf(r).find("s.yaml:11:"), std::string::npos) << errorsOf(r);
}

TEST(ScenarioParser, EveryProblemHasLineAndColumn) {
  auto r = parseScenarioText(R"(scenario: x
target: http://127.0.0.1:1/
load: {rate: -1, duration: soon}
expect:
  error_rat: {max: 0.1}
)", "bad.yaml", kFixed);
  const std::string errors = errorsOf(r);
  EXPECT_NE(errors.find("bad.yaml:3:14: load.rate:"), std::string::npos) << errors;
  EXPECT_NE(errors.find("bad.yaml:3:28: load.duration:"), std::string::npos) << errors;
  EXPECT_NE(errors.find("bad.yaml:5:3: expect.error_rat: unknown key"), std::string::npos) << errors;
}

TEST(ScenarioParser, UnknownPlaceholderIsReportedWhereItIsWritten) {
  auto r = parseScenarioText(R"(scenario: x
target: http://127.0.0.1:{port.server}/
load: {rate: 1, duration: 1s}
start:
  - "{bin}/server --port {port.server} --partner {proxy.nope.url}"
)", "p.yaml", kFixed);
  const std::string errors = errorsOf(r);
  EXPECT_NE(errors.find("p.yaml:5:5: start[0]: unknown placeholder {proxy.nope.url}"), std::string::npos) << errors;
}

TEST(ScenarioParser, LoadThatSendsNothingIsAnError) {
  auto r = parseScenarioText("scenario: x\ntarget: http://127.0.0.1:1/\nload: {rate: 1, duration: 500ms}\n", "n.yaml", kFixed);
  EXPECT_NE(errorsOf(r).find("sends nothing"), std::string::npos) << errorsOf(r);
}

TEST(ScenarioParser, PartnerLoadIsABooleanOnARate) {
  const std::string head = "scenario: x\ntarget: http://127.0.0.1:1/\nload: {rate: 10, duration: 1s}\nobserve:\n";
  auto ok = parseScenarioText(head + "  - {name: p, url: 'http://127.0.0.1:1/metrics', metric: m, kind: rate, partner_load: true}\n",
                              "p.yaml", kFixed);
  ASSERT_TRUE(ok.ok()) << errorsOf(ok);
  EXPECT_TRUE(ok.spec.observe.at(0).partner_load);
  auto gauge = parseScenarioText(head + "  - {name: p, url: 'http://127.0.0.1:1/metrics', metric: m, partner_load: true}\n",
                                 "p.yaml", kFixed);
  EXPECT_NE(errorsOf(gauge).find("p.yaml:5:"), std::string::npos) << errorsOf(gauge);
  EXPECT_NE(errorsOf(gauge).find("needs kind: rate"), std::string::npos) << errorsOf(gauge);
  auto word = parseScenarioText(head + "  - {name: p, url: 'http://127.0.0.1:1/metrics', metric: m, kind: rate, partner_load: yes}\n",
                                "p.yaml", kFixed);
  EXPECT_NE(errorsOf(word).find("'yes' is not true or false"), std::string::npos) << errorsOf(word);
}

TEST(ScenarioParser, UnquotedBraceGivesASyntaxErrorWithAHint) {
  auto r = parseScenarioText("scenario: x\nstart:\n  - {bin}/server\n", "q.yaml", kFixed);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].where.line, 3);
  EXPECT_NE(r.errors[0].message.find("must be quoted"), std::string::npos);
}

TEST(ScenarioParser, VariantsTakeTheTopLevelTargetAndExpectUnlessTheyHaveTheirOwn) {
  auto r = parseScenarioText(R"(scenario: x
target: http://127.0.0.1:{port.s}/a
load: {rate: 5, duration: 2}
expect: {error_rate: 0.5}
variants:
  - name: one
  - name: two
    target: http://127.0.0.1:{port.s}/{var.path}
    vars: {path: b}
    expect: {p99_ms: {max: 10}}
)", "v.yaml", kFixed);
  ASSERT_TRUE(r.ok()) << errorsOf(r);
  ASSERT_EQ(r.spec.variants.size(), 2u);
  EXPECT_EQ(r.spec.load.duration, Millis(2'000));  // a bare number is seconds
  EXPECT_EQ(r.spec.variants[0].target.text, "http://127.0.0.1:{port.s}/a");
  EXPECT_TRUE(r.spec.variants[0].expect.error_rate_max.has_value());
  EXPECT_FALSE(r.spec.variants[1].expect.error_rate_max.has_value());
  EXPECT_EQ(r.spec.variants[1].vars.at("path"), "b");
}

TEST(ScenarioDuration, AcceptsUnitsAndBareSeconds) {
  EXPECT_EQ(parseScenarioDuration("500ms"), Millis(500));
  EXPECT_EQ(parseScenarioDuration("1.5s"), Millis(1'500));
  EXPECT_EQ(parseScenarioDuration("2m"), Millis(120'000));
  EXPECT_EQ(parseScenarioDuration("30"), Millis(30'000));
  EXPECT_FALSE(parseScenarioDuration("5 parsecs").has_value());
  EXPECT_FALSE(parseScenarioDuration("-1s").has_value());
  EXPECT_FALSE(parseScenarioDuration("").has_value());
}

TEST(Placeholders, SubstitutesKnownAndLeavesFlowMappingsAlone) {
  PlaceholderValues v = {{"port.a", "1"}, {"bin", "/b"}};
  EXPECT_EQ(*substitutePlaceholders("{bin}/x --port {port.a} {rate: 20}", v), "/b/x --port 1 {rate: 20}");
  auto unknown = substitutePlaceholders("{port.b}", v);
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("{port.b}"), std::string::npos);
  EXPECT_EQ(placeholderNames("{a.b} {C} {d}"), (std::vector<std::string>{"a.b", "d"}));
}

TEST(ShippedScenarios, EveryFileInConfigsScenariosValidates) {
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(FAULTLINE_SCENARIOS_DIR)) {
    if (entry.path().extension() != ".yaml") continue;
    ++count;
    EXPECT_TRUE(isScenarioFile(entry.path().string())) << entry.path();
    auto r = loadScenarioFile(entry.path().string(), kFixed);
    EXPECT_TRUE(r.ok()) << errorsOf(r);
  }
  EXPECT_GE(count, 6);
}

}  // namespace
}  // namespace faultline::scenario

namespace faultline::scenario {
namespace {

TEST(FaultWindows, FollowTheToxicsSchedulesClippedToTheLoad) {
  auto r = parseScenarioText(R"(scenario: w
target: http://127.0.0.1:1/
load: {rate: 1, duration: 20s}
proxies:
  - name: partner
    listen: 127.0.0.1:0
    upstream: 127.0.0.1:9
    toxics:
      - {name: slow, type: latency, attributes: {latency: 5}, schedule: {start: 2s, duration: 3s, every: 10s, times: 3}}
expect:
  recovered_within: 1s
)", "w.yaml", kFixed);
  ASSERT_TRUE(r.ok()) << errorsOf(r);  // the last window ends before the load does
  const auto windows = faultWindows(r.spec.proxies, 20);
  ASSERT_EQ(windows.size(), 2u);  // the third would start at 22 s
  EXPECT_DOUBLE_EQ(windows[0].start_s, 2);
  EXPECT_DOUBLE_EQ(windows[0].end_s, 5);
  EXPECT_DOUBLE_EQ(windows[1].start_s, 12);
  EXPECT_DOUBLE_EQ(windows[1].end_s, 15);
  EXPECT_EQ(windows[0].label, "partner: latency");
}

}  // namespace
}  // namespace faultline::scenario
