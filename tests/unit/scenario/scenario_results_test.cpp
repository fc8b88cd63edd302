#include <gtest/gtest.h>

#include <regex>

#include "scenario/expectations.h"
#include "scenario/prometheus_text.h"
#include "scenario/run_stats.h"
#include "scenario/summary_table.h"

namespace faultline::scenario {
namespace {

TEST(PrometheusText, SumsTheMatchingSeriesOnly) {
  const std::string text =
      "# HELP demo_partner_attempts_total Calls\n"
      "# TYPE demo_partner_attempts_total counter\n"
      "demo_partner_attempts_total{result=\"ok\"} 10\n"
      "demo_partner_attempts_total{result=\"error\",path=\"/x\"} 2.5\n"
      "demo_partner_attempts_total_extra 99\n"
      "demo_partner_in_flight 4\n";
  EXPECT_EQ(prometheusSum(text, "demo_partner_attempts_total", {}), 12.5);
  EXPECT_EQ(prometheusSum(text, "demo_partner_attempts_total", {{"result", "error"}}), 2.5);
  EXPECT_EQ(prometheusSum(text, "demo_partner_in_flight", {}), 4);
  EXPECT_FALSE(prometheusSum(text, "demo_partner_attempts_total", {{"result", "shed"}}).has_value());
  EXPECT_FALSE(prometheusSum(text, "missing", {}).has_value());
}

// Ten requests a second for 10 s; failing from 3 s to 6 s, ok again from 6.5 s.
VariantResult sample() {
  VariantResult v;
  v.name = "protected";
  v.duration_s = 10;
  v.windows.push_back({3, 6, "partner: reset_peer"});
  for (int i = 0; i < 100; ++i) {
    const double t = i / 10.0;
    const bool bad = t >= 3 && t < 6.5;
    v.requests.push_back({t, bad ? 900.0 : 20.0 + i % 5, bad ? Outcome::kServerError : Outcome::kOk, bad ? 502 : 200, 1, ""});
  }
  return v;
}

TEST(RunStats, RecoveryCountsFromTheEndOfTheLastWindow) {
  const auto s = computeStats(sample());
  EXPECT_EQ(s.requests, 100u);
  EXPECT_EQ(s.failed, 35u);
  EXPECT_NEAR(s.error_rate, 0.35, 1e-9);
  ASSERT_TRUE(s.recovery_s.has_value());
  EXPECT_NEAR(*s.recovery_s, 0.5, 1e-9);
}

TEST(RunStats, NoRecoveryWhenAStartedProcessExitedOrAFaultNeverEnds) {
  auto v = sample();
  v.exits.push_back({"server", 3, 5});
  EXPECT_FALSE(computeStats(v).recovery_s.has_value());
  v = sample();
  v.windows = {{0, 10, "partner: latency"}};
  EXPECT_FALSE(computeStats(v).last_fault_end_s.has_value());
}

// 100 requests: 60 ok at once, 20 ok after a retry, 12 fallbacks with the breaker open, 3 after
// every attempt failed, 5 a dependency's 503 passed on; the partner got 130 calls.
VariantResult explained() {
  VariantResult v;
  v.name = "protected";
  v.duration_s = 10;
  for (int i = 0; i < 100; ++i) {
    RequestRecord r{i / 10.0, 50, Outcome::kOk, 200, 1, ""};
    if (i >= 60 && i < 80) r.attempts = 2;
    if (i >= 80 && i < 92) r = {i / 10.0, 1, Outcome::kDegraded, 200, 0, "breaker_open"};
    if (i >= 92 && i < 95) r = {i / 10.0, 400, Outcome::kDegraded, 200, 3, "attempts_exhausted"};
    if (i >= 95) r = {i / 10.0, 2, Outcome::kServerError, 503, 1, ""};
    v.requests.push_back(r);
  }
  Series load;
  load.name = "partner calls per second";
  load.partner_load = true;
  load.points = {{1, 10}, {2, 25}, {3, 12}};
  load.counter_last = 130;
  v.series.push_back(load);
  return v;
}

TEST(SummarySentence, SaysWhyEveryShareEndedAsItDid) {
  const std::string s = summarySentence(explained());
  EXPECT_NE(s.find("protected: 80% real answers (20% only after a retry)"), std::string::npos) << s;
  EXPECT_NE(s.find("15% fallbacks (12% breaker open, 3% every attempt failed)"), std::string::npos) << s;
  EXPECT_NE(s.find("5% errors (5% 503 passed on)"), std::string::npos) << s;
  EXPECT_NE(s.find("the partner got 130 calls, 1.3 per request (peak 25/s)"), std::string::npos) << s;
  EXPECT_EQ(s.find("shed"), std::string::npos) << "no refusals happened: " << s;
}

TEST(SummarySentence, AShareThatRoundsToNothingStillShows) {
  auto v = explained();
  v.requests.resize(95);
  for (int i = 0; i < 905; ++i) v.requests.push_back({10 + i / 100.0, 50, Outcome::kOk, 200, 1, ""});
  v.requests.push_back({20, 400, Outcome::kDegraded, 200, 3, "deadline"});
  const std::string s = summarySentence(v);
  EXPECT_NE(s.find("<1% deadline reached"), std::string::npos) << s;
}

TEST(SummaryTable, ShowsOnlyOutcomesThatHappenedAndThePartnersLoad) {
  ScenarioResult run;
  run.scenario = "errors";
  run.variants.push_back(explained());
  const std::string table = summaryTable(run);
  EXPECT_NE(table.find("  server_error"), std::string::npos) << table;
  EXPECT_EQ(table.find("  timeout"), std::string::npos) << table;
  EXPECT_EQ(table.find("  connection_error"), std::string::npos) << table;
  EXPECT_NE(table.find("partner calls per request"), std::string::npos) << table;
  EXPECT_NE(table.find("1.30"), std::string::npos) << table;
}

TEST(Expectations, VerdictsSayMeasuredAndBound) {
  ExpectSpec e;
  e.error_rate_max = 0.5;
  e.p99_ms_max = 100;
  e.recovered_within = Millis(1'000);
  const auto verdicts = evaluateExpectations(e, sample());
  ASSERT_EQ(verdicts.size(), 3u);
  EXPECT_TRUE(verdicts[0].holds) << verdicts[0].measured;
  EXPECT_FALSE(verdicts[1].holds);
  EXPECT_NE(verdicts[1].measured.find("900 ms"), std::string::npos) << verdicts[1].measured;
  EXPECT_TRUE(verdicts[2].holds) << verdicts[2].measured;
  e.recovered_within = Millis(100);
  EXPECT_FALSE(evaluateExpectations(e, sample())[2].holds);
}

TEST(Junit, OneCasePerExpectationAndAFailureWithMeasuredVsBound) {
  ExpectSpec e;
  e.error_rate_max = 0.5;
  e.p99_ms_max = 100;
  ScenarioResult run;
  run.scenario = "outage <&>";
  run.variants.push_back(sample());
  run.variants[0].verdicts = evaluateExpectations(e, run.variants[0]);
  const std::string xml = junitXml(run);
  const std::regex testcase("<testcase ");
  EXPECT_EQ(std::distance(std::sregex_iterator(xml.begin(), xml.end(), testcase), std::sregex_iterator()), 2);
  EXPECT_NE(xml.find("tests=\"2\" failures=\"1\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("outage &lt;&amp;&gt;"), std::string::npos);
  EXPECT_NE(xml.find("<failure message=\"protected: expected p99_ms &lt;= 100, measured 900 ms"), std::string::npos) << xml;
}

}  // namespace
}  // namespace faultline::scenario
