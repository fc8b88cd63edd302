#include "load_report.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace faultline {
namespace {

std::vector<Micros> oneToHundredMs() {
  std::vector<Micros> v;
  for (int i = 1; i <= 100; ++i) v.push_back(Millis{i});
  return v;
}

TEST(Percentile, NearestRankOnOneToHundred) {
  const auto v = oneToHundredMs();
  EXPECT_EQ(percentile(v, 50), Millis{50});
  EXPECT_EQ(percentile(v, 90), Millis{90});
  EXPECT_EQ(percentile(v, 99), Millis{99});
  EXPECT_EQ(percentile(v, 100), Millis{100});
  EXPECT_EQ(percentile(v, 0), Millis{1});
}

TEST(Percentile, RoundsTheRankUp) {
  const std::vector<Micros> v = {Millis{10}, Millis{20}, Millis{30}};
  EXPECT_EQ(percentile(v, 50), Millis{20});  // ceil(1.5) = 2nd
  EXPECT_EQ(percentile(v, 34), Millis{20});  // ceil(1.02) = 2nd
  EXPECT_EQ(percentile(v, 33), Millis{10});  // ceil(0.99) = 1st
}

TEST(Percentile, SingleValueAndEmpty) {
  EXPECT_EQ(percentile({Millis{7}}, 99), Millis{7});
  EXPECT_EQ(percentile({}, 50), Micros{0});
}

TEST(LoadReport, CountsEachOutcome) {
  LoadReport r(10);
  r.record(DemoOutcome::kOk, Millis{1});
  r.record(DemoOutcome::kOk, Millis{1});
  r.record(DemoOutcome::kDegraded, Millis{1});
  r.record(DemoOutcome::kTimeout, Millis{1});
  const LoadSummary s = r.summarize(std::chrono::seconds(1));
  EXPECT_EQ(s.success, 2u);
  EXPECT_EQ(s.degraded, 1u);
  EXPECT_EQ(s.timeout, 1u);
  EXPECT_EQ(s.server_error, 0u);
}

TEST(LoadReport, SummaryHasPercentilesOfUnsortedInput) {
  LoadReport r(10);
  for (int i = 100; i >= 1; --i) r.record(DemoOutcome::kOk, Millis{i});
  const LoadSummary s = r.summarize(std::chrono::seconds(1));
  EXPECT_EQ(s.p50, Millis{50});
  EXPECT_EQ(s.p90, Millis{90});
  EXPECT_EQ(s.p99, Millis{99});
  EXPECT_EQ(s.max, Millis{100});
}

TEST(LoadReport, AchievedRateIsSentOverElapsed) {
  LoadReport r(10);
  for (int i = 0; i < 20; ++i) r.recordSent();
  EXPECT_DOUBLE_EQ(r.summarize(std::chrono::seconds(4)).achieved_rate, 5.0);
}

TEST(LoadReport, JsonSummaryCarriesCountsAndLatencies) {
  LoadReport r(10);
  r.recordSent();
  r.record(DemoOutcome::kServerError, Millis{250});
  const auto j = nlohmann::json::parse(r.summarize(std::chrono::seconds(1)).toJson());
  EXPECT_EQ(j["sent"], 1);
  EXPECT_EQ(j["outcomes"]["server_error"], 1);
  EXPECT_EQ(j["outcomes"]["ok"], 0);
  EXPECT_DOUBLE_EQ(j["latency_ms"]["p99"].get<double>(), 250.0);
  EXPECT_DOUBLE_EQ(j["achieved_rate"].get<double>(), 1.0);
}

}  // namespace
}  // namespace faultline

namespace faultline {
namespace {

TEST(LoadReport, AchievedRateIgnoresTheWaitForStragglers) {
  LoadReport r(10);
  for (int i = 0; i < 30; ++i) r.recordSent();
  const LoadSummary s = r.summarize(std::chrono::seconds(5), std::chrono::seconds(3));
  EXPECT_DOUBLE_EQ(s.achieved_rate, 10.0);
  EXPECT_DOUBLE_EQ(s.elapsed_seconds, 5.0);
}

}  // namespace
}  // namespace faultline

namespace faultline {
namespace {

TEST(LoadReport, MetricsNameEveryOutcomeAndCountTheHistogram) {
  LoadReport r(10);
  r.recordSent();
  r.recordSent();
  r.record(DemoOutcome::kShed, Millis{20});
  r.record(DemoOutcome::kOk, std::chrono::seconds(60));
  const std::string text = r.renderMetrics(3);
  auto has = [&](const std::string& part) { return text.find(part) != std::string::npos; };
  EXPECT_TRUE(has("demo_client_requests_sent_total 2\n"));
  EXPECT_TRUE(has("demo_client_requests_total{outcome=\"shed\"} 1\n"));
  EXPECT_TRUE(has("demo_client_requests_total{outcome=\"server_error\"} 0\n"));
  EXPECT_TRUE(has("demo_client_in_flight 3\n"));
  EXPECT_TRUE(has("demo_client_request_duration_seconds_bucket{le=\"0.025\"} 1\n"));
  EXPECT_TRUE(has("demo_client_request_duration_seconds_bucket{le=\"30\"} 1\n"));
  EXPECT_TRUE(has("demo_client_request_duration_seconds_bucket{le=\"+Inf\"} 2\n"));
}

}  // namespace
}  // namespace faultline
