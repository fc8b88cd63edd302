#pragma once

#include <string>

namespace faultline {

class ProxyRegistry;
class RulesService;
class ApiRequestCounters;
struct HttpServerStats;

// Everything /metrics reports. Only the registry is required; the rest may be null.
struct MetricsSources {
  const ProxyRegistry* registry = nullptr;
  const HttpServerStats* http = nullptr;         // the control API's own server
  const ApiRequestCounters* requests = nullptr;  // by route and status
  const RulesService* rules = nullptr;           // null when no rules file was given
};

// Prometheus text for GET /metrics: Toxiproxy's family names (so existing dashboards keep
// working) and Faultline's own beside them.
class MetricsRenderer {
 public:
  explicit MetricsRenderer(MetricsSources sources) : sources_(sources) {}
  std::string render() const;

  static constexpr const char* kContentType = "text/plain; version=0.0.4; charset=utf-8";

 private:
  MetricsSources sources_;
};

}  // namespace faultline
