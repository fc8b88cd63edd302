#include "metrics/metrics_renderer.h"

#include <gtest/gtest.h>

#include "http/http_server.h"
#include "metrics/api_request_counters.h"
#include "metrics/prometheus_writer.h"
#include "metrics/toxic_effects_metrics.h"
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

TEST(MetricsRenderer, ToxicEffectsShowCutsStallsCorruptionDelaysAndHeldConnects) {
  auto stats = std::make_shared<ProxyStats>();
  ToxicCounters& cut = stats->toxic_counters["cable"];
  cut.type = "cut";
  cut.cuts["reset"] = 3;
  ToxicCounters& loss = stats->toxic_counters["lossy"];
  loss.type = "tcp_loss";
  loss.stalls = 4;
  loss.stalled = std::chrono::milliseconds(1500);
  ToxicCounters& flip = stats->toxic_counters["flip"];
  flip.type = "corrupt";
  flip.bytes_corrupted = 9;
  ToxicCounters& lat = stats->toxic_counters["slow"];
  lat.type = "latency";
  lat.countDelay(std::chrono::milliseconds(3));
  lat.countDelay(std::chrono::milliseconds(400));
  ProxyInfo proxy;
  proxy.name = "db";
  proxy.holding_connects = true;
  proxy.stats = stats;
  PrometheusWriter w;
  renderToxicEffects(w, {proxy});
  const std::string text = w.take();
  EXPECT_TRUE(contains(text, "faultline_toxic_cuts_total{proxy=\"db\",toxic=\"cable\",mode=\"reset\"} 3\n")) << text;
  EXPECT_TRUE(contains(text, "faultline_toxic_loss_stalls_total{proxy=\"db\",toxic=\"lossy\"} 4\n"));
  EXPECT_TRUE(contains(text, "faultline_toxic_loss_stall_seconds_total{proxy=\"db\",toxic=\"lossy\"} 1.5\n"));
  EXPECT_TRUE(contains(text, "faultline_toxic_corrupted_bytes_total{proxy=\"db\",toxic=\"flip\"} 9\n"));
  EXPECT_TRUE(contains(text, "# TYPE faultline_toxic_latency_delay_seconds histogram\n"));
  EXPECT_TRUE(contains(text, "faultline_toxic_latency_delay_seconds_bucket{proxy=\"db\",toxic=\"slow\",le=\"0.005\"} 1\n"));
  EXPECT_TRUE(contains(text, "faultline_toxic_latency_delay_seconds_bucket{proxy=\"db\",toxic=\"slow\",le=\"0.5\"} 2\n"));
  EXPECT_TRUE(contains(text, "faultline_toxic_latency_delay_seconds_bucket{proxy=\"db\",toxic=\"slow\",le=\"+Inf\"} 2\n"));
  EXPECT_TRUE(contains(text, "faultline_toxic_latency_delay_seconds_count{proxy=\"db\",toxic=\"slow\"} 2\n"));
  EXPECT_TRUE(contains(text, "faultline_proxy_connect_timeout_active{proxy=\"db\"} 1\n"));
  // A toxic that has not acted yet has its rows at 0.
  auto idle = std::make_shared<ToxicSpec>();
  idle->name = "later";
  idle->type = "cut";
  idle->text_attributes["mode"] = "hang";
  proxy.toxics.push_back(idle);
  PrometheusWriter again;
  renderToxicEffects(again, {proxy});
  EXPECT_TRUE(contains(again.text(), "faultline_toxic_cuts_total{proxy=\"db\",toxic=\"later\",mode=\"hang\"} 0\n"))
      << again.text();
  // A toxic counts only its own kind: no loss rows for the cut.
  EXPECT_FALSE(contains(text, "faultline_toxic_loss_stalls_total{proxy=\"db\",toxic=\"cable\"}"));
}

TEST(MetricsRenderer, LeavesOutRulesFamiliesWithoutARulesService) {
  std::string text = MetricsRenderer(MetricsSources{}).render();
  EXPECT_FALSE(contains(text, "faultline_rules_reloads_total"));
  EXPECT_TRUE(contains(text, "faultline_build_info{version=\""));
}

}  // namespace
}  // namespace faultline
