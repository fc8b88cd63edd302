#include <gtest/gtest.h>

#include <regex>

#include "scenario/expectations.h"
#include "scenario/prometheus_text.h"
#include "scenario/run_stats.h"

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
    v.requests.push_back({t, bad ? 900.0 : 20.0 + i % 5, bad ? Outcome::kError : Outcome::kOk, bad ? 502 : 200, 1, ""});
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
