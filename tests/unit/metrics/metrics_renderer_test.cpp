#include "metrics/metrics_renderer.h"

#include <gtest/gtest.h>

#include "http/http_server.h"
#include "metrics/api_request_counters.h"
#include "rules/rules_service.h"

namespace faultline {
namespace {

class StaticRules : public RulesService {
 public:
  Status reload() override { return {}; }
  nlohmann::json status() const override {
    return {{"last_error", "bad file"}, {"reloads", {{"ok", 4}, {"error", 2}}}};
  }
};

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST(MetricsRenderer, ReportsTheApiServersConnectionCounters) {
  HttpServerStats stats;
  stats.connections_accepted = 7;
  stats.connections_active = 2;
  MetricsSources sources;
  sources.http = &stats;
  std::string text = MetricsRenderer(sources).render();
  EXPECT_TRUE(contains(text, "faultline_api_connections_accepted_total 7\n")) << text;
  EXPECT_TRUE(contains(text, "# TYPE faultline_api_connections_active gauge\nfaultline_api_connections_active 2\n"));
}

TEST(MetricsRenderer, ReportsRequestsByMethodRouteAndStatus) {
  ApiRequestCounters counters;
  counters.count("POST", "/proxies", 201);
  counters.count("POST", "/proxies", 201);
  MetricsSources sources;
  sources.requests = &counters;
  std::string text = MetricsRenderer(sources).render();
  EXPECT_TRUE(contains(text, "faultline_api_requests_total{method=\"POST\",route=\"/proxies\",status=\"201\"} 2\n"))
      << text;
}

TEST(MetricsRenderer, ReportsRulesReloadsByResult) {
  StaticRules rules;
  MetricsSources sources;
  sources.rules = &rules;
  std::string text = MetricsRenderer(sources).render();
  EXPECT_TRUE(contains(text, "faultline_rules_reloads_total{result=\"ok\"} 4\n")) << text;
  EXPECT_TRUE(contains(text, "faultline_rules_reloads_total{result=\"error\"} 2\n"));
  EXPECT_TRUE(contains(text, "faultline_rules_last_load_ok 0\n"));
}

TEST(MetricsRenderer, LeavesOutRulesFamiliesWithoutARulesService) {
  std::string text = MetricsRenderer(MetricsSources{}).render();
  EXPECT_FALSE(contains(text, "faultline_rules_reloads_total"));
  EXPECT_TRUE(contains(text, "faultline_build_info{version=\""));
}

}  // namespace
}  // namespace faultline
