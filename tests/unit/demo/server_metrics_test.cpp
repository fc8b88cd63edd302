#include "server_metrics.h"

#include <gtest/gtest.h>

namespace faultline {
namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST(ServerMetrics, CountsRequestsByPathAndOutcome) {
  ServerMetrics m;
  m.recordRequest("/protected", "ok", Millis{10});
  m.recordRequest("/protected", "ok", Millis{10});
  m.recordRequest("/protected", "degraded", Millis{10});
  EXPECT_EQ(m.requests("/protected", "ok"), 2u);
  EXPECT_EQ(m.requests("/protected", "degraded"), 1u);
  EXPECT_EQ(m.requests("/unprotected", "ok"), 0u);
  EXPECT_TRUE(contains(m.render({}), "demo_requests_total{path=\"/protected\",outcome=\"ok\"} 2\n"));
}

TEST(ServerMetrics, HistogramBucketsAreCumulative) {
  ServerMetrics m;
  m.recordRequest("/p", "ok", Millis{3});     // <= 0.005
  m.recordRequest("/p", "ok", Millis{200});   // <= 0.25
  m.recordRequest("/p", "ok", std::chrono::seconds(60));  // only +Inf
  const std::string text = m.render({});
  EXPECT_TRUE(contains(text, "demo_request_duration_seconds_bucket{path=\"/p\",le=\"0.005\"} 1\n"));
  EXPECT_TRUE(contains(text, "demo_request_duration_seconds_bucket{path=\"/p\",le=\"0.1\"} 1\n"));
  EXPECT_TRUE(contains(text, "demo_request_duration_seconds_bucket{path=\"/p\",le=\"0.25\"} 2\n"));
  EXPECT_TRUE(contains(text, "demo_request_duration_seconds_bucket{path=\"/p\",le=\"30\"} 2\n"));
  EXPECT_TRUE(contains(text, "demo_request_duration_seconds_bucket{path=\"/p\",le=\"+Inf\"} 3\n"));
  EXPECT_TRUE(contains(text, "demo_request_duration_seconds_count{path=\"/p\"} 3\n"));
}

TEST(ServerMetrics, RendersTheGauges) {
  ServerMetrics m;
  ServerMetrics::Gauges g;
  g.breaker_state = 1;
  g.partner_in_flight = 7;
  g.rss_bytes = 1234;
  const std::string text = m.render(g);
  EXPECT_TRUE(contains(text, "demo_circuit_breaker_state 1\n"));
  EXPECT_TRUE(contains(text, "demo_partner_in_flight 7\n"));
  EXPECT_TRUE(contains(text, "process_resident_memory_bytes 1234\n"));
}

TEST(ServerMetrics, RetriesAndAttemptsCarryPathAndReason) {
  ServerMetrics m;
  m.recordRetry("/protected", "retry_after");
  m.recordRetry("/naive-retry", "timeout");
  m.recordRetry("/naive-retry", "timeout");
  m.recordPartnerAttempt("/naive-retry", "timeout");
  ServerMetrics::Gauges g;
  g.name = "edge";
  g.in_flight["/unprotected"] = 5;
  const std::string text = m.render(g);
  EXPECT_EQ(m.retries("/naive-retry", "timeout"), 2u);
  EXPECT_TRUE(contains(text, "demo_retries_total{path=\"/protected\",reason=\"retry_after\"} 1\n"));
  EXPECT_TRUE(contains(text, "demo_partner_attempts_total{path=\"/naive-retry\",result=\"timeout\"} 1\n"));
  EXPECT_TRUE(contains(text, "demo_requests_in_flight{path=\"/unprotected\"} 5\n"));
  EXPECT_TRUE(contains(text, "demo_server_info{name=\"edge\"} 1\n"));
}

}  // namespace
}  // namespace faultline
