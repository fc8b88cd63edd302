#include "metrics/metrics_renderer.h"

#include "events/event_bus.h"

#include <nlohmann/json.hpp>

#include "http/http_server.h"
#include "metrics/api_request_counters.h"
#include "metrics/prometheus_writer.h"
#include "core/clock.h"  // proxy_registry.h uses Millis without including it
#include "proxy/proxy_registry.h"
#include "rules/rules_service.h"

namespace faultline {

namespace {

uint64_t jsonCount(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return 0;
  auto it = object.find(key);
  if (it == object.end() || !it->is_number_unsigned()) {
    if (it != object.end() && it->is_number_integer() && it->get<int64_t>() >= 0) {
      return static_cast<uint64_t>(it->get<int64_t>());
    }
    return 0;
  }
  return it->get<uint64_t>();
}

void renderProxies(PrometheusWriter& w, const std::vector<ProxyInfo>& proxies) {
  static const ProxyStats kEmpty;
  auto statsOf = [](const ProxyInfo& p) -> const ProxyStats& { return p.stats ? *p.stats : kEmpty; };
  auto toxiproxyLabels = [](const ProxyInfo& p, const char* direction) {
    return MetricLabels{{"direction", direction}, {"proxy", p.name}, {"listener", p.listen}, {"upstream", p.upstream}};
  };

  // Toxiproxy's names and labels (its proxy-metrics collector), for existing dashboards.
  // "upstream" = client -> upstream, "downstream" = upstream -> client.
  w.family("toxiproxy_proxy_received_bytes_total", "counter", "The total bytes received by the proxy");
  for (const auto& p : proxies) {
    w.sample("toxiproxy_proxy_received_bytes_total", toxiproxyLabels(p, "upstream"), statsOf(p).bytes_received_upstream);
    w.sample("toxiproxy_proxy_received_bytes_total", toxiproxyLabels(p, "downstream"),
             statsOf(p).bytes_received_downstream);
  }
  w.family("toxiproxy_proxy_sent_bytes_total", "counter", "The total bytes sent by the proxy");
  for (const auto& p : proxies) {
    w.sample("toxiproxy_proxy_sent_bytes_total", toxiproxyLabels(p, "upstream"), statsOf(p).bytes_sent_upstream);
    w.sample("toxiproxy_proxy_sent_bytes_total", toxiproxyLabels(p, "downstream"), statsOf(p).bytes_sent_downstream);
  }

  auto byDirection = [&](const char* name, const char* help, uint64_t ProxyStats::*up, uint64_t ProxyStats::*down) {
    w.family(name, "counter", help);
    for (const auto& p : proxies) {
      w.sample(name, {{"proxy", p.name}, {"direction", "upstream"}}, statsOf(p).*up);
      w.sample(name, {{"proxy", p.name}, {"direction", "downstream"}}, statsOf(p).*down);
    }
  };
  byDirection("faultline_proxy_received_bytes_total",
              "Bytes read by the proxy; direction upstream = from clients, downstream = from the upstream",
              &ProxyStats::bytes_received_upstream, &ProxyStats::bytes_received_downstream);
  byDirection("faultline_proxy_sent_bytes_total",
              "Bytes written by the proxy; direction upstream = to the upstream, downstream = to clients",
              &ProxyStats::bytes_sent_upstream, &ProxyStats::bytes_sent_downstream);

  auto perProxy = [&](const char* name, const char* type, const char* help, uint64_t ProxyStats::*field) {
    w.family(name, type, help);
    for (const auto& p : proxies) w.sample(name, {{"proxy", p.name}}, statsOf(p).*field);
  };
  perProxy("faultline_proxy_connections_accepted_total", "counter", "Client connections accepted",
           &ProxyStats::connections_accepted);
  perProxy("faultline_proxy_connections_active", "gauge", "Client connections open now",
           &ProxyStats::connections_active);
  perProxy("faultline_proxy_connections_refused_total", "counter",
           "Client connections closed at once because the proxy was at max_connections",
           &ProxyStats::connections_refused);
  perProxy("faultline_proxy_upstream_connect_failures_total", "counter",
           "Upstream dials that failed (refused, unresolvable or timed out)", &ProxyStats::upstream_connect_failures);
  perProxy("faultline_proxy_backpressure_pauses_total", "counter",
           "Times a link reached its buffer cap and stopped reading", &ProxyStats::backpressure_pauses);

  w.family("faultline_proxy_enabled", "gauge", "1 when the proxy is enabled (listening), 0 when disabled");
  for (const auto& p : proxies) w.sample("faultline_proxy_enabled", {{"proxy", p.name}}, uint64_t{p.enabled ? 1u : 0u});

  w.family("faultline_proxy_toxics", "gauge", "Toxics configured on the proxy, by stream");
  for (const auto& p : proxies) {
    uint64_t up = 0;
    uint64_t down = 0;
    for (const auto& t : p.toxics) {
      if (t && t->stream == Stream::kUpstream) ++up;
      if (t && t->stream == Stream::kDownstream) ++down;
    }
    w.sample("faultline_proxy_toxics", {{"proxy", p.name}, {"stream", "upstream"}}, up);
    w.sample("faultline_proxy_toxics", {{"proxy", p.name}, {"stream", "downstream"}}, down);
  }

  w.family("faultline_toxics_applied_total", "counter",
           "Toxic stages that won their toxicity roll and were applied to a link, by toxic type");
  for (const auto& p : proxies) {
    for (const auto& [type, count] : statsOf(p).toxics_applied) {
      w.sample("faultline_toxics_applied_total", {{"proxy", p.name}, {"type", type}}, count);
    }
  }

  // Only proxies that ever framed HTTP (an http_* toxic or per-request faults) have rows here.
  w.family("faultline_http_requests_total", "counter", "HTTP requests framed by the proxy's HTTP layer");
  for (const auto& p : proxies) {
    const HttpLayerStats& h = statsOf(p).http;
    if (h.requests > 0 || h.non_http_streams > 0 || !h.faults.empty()) {
      w.sample("faultline_http_requests_total", {{"proxy", p.name}}, h.requests);
    }
  }
  w.family("faultline_http_faults_total", "counter", "HTTP faults injected, by proxy and toxic (or X-Faultline-* header)");
  for (const auto& p : proxies) {
    for (const auto& [toxic, count] : statsOf(p).http.faults) {
      w.sample("faultline_http_faults_total", {{"proxy", p.name}, {"toxic", toxic}}, count);
    }
  }
  w.family("faultline_http_non_http_streams_total", "counter",
           "Connections through a proxy with HTTP toxics that were not HTTP/1.x and passed through untouched");
  for (const auto& p : proxies) {
    const HttpLayerStats& h = statsOf(p).http;
    if (h.requests > 0 || h.non_http_streams > 0 || !h.faults.empty()) {
      w.sample("faultline_http_non_http_streams_total", {{"proxy", p.name}}, h.non_http_streams);
    }
  }
  w.family("faultline_toxic_schedule_changes_total", "counter",
           "Scheduled toxics switched on (a window opened) or off (it closed), by toxic");
  for (const auto& p : proxies) {
    for (const auto& [toxic, count] : statsOf(p).schedule_activations) {
      w.sample("faultline_toxic_schedule_changes_total", {{"proxy", p.name}, {"toxic", toxic}, {"change", "activated"}},
               count);
    }
    for (const auto& [toxic, count] : statsOf(p).schedule_deactivations) {
      w.sample("faultline_toxic_schedule_changes_total",
               {{"proxy", p.name}, {"toxic", toxic}, {"change", "deactivated"}}, count);
    }
  }
}

void renderHttp(PrometheusWriter& w, const HttpServerStats& s) {
  auto one = [&](const char* name, const char* type, const char* help, uint64_t value) {
    w.family(name, type, help);
    w.sample(name, {}, value);
  };
  one("faultline_api_connections_accepted_total", "counter", "Control API connections accepted",
      s.connections_accepted);
  one("faultline_api_connections_refused_total", "counter",
      "Control API connections closed at once because the server was at its connection limit",
      s.connections_refused);
  one("faultline_api_connections_active", "gauge", "Control API connections open now", s.connections_active);
  one("faultline_api_parse_errors_total", "counter", "Malformed or oversized API requests (400/413/414/431)",
      s.parse_errors);
  one("faultline_api_timeouts_total", "counter", "API requests that did not arrive in time (408)", s.timeouts);
}

void renderRequests(PrometheusWriter& w, const ApiRequestCounters& counters) {
  w.family("faultline_api_requests_total", "counter", "Control API requests by method, route template and status");
  for (const auto& [key, count] : counters.counts()) {
    w.sample("faultline_api_requests_total",
             {{"method", key.method}, {"route", key.route}, {"status", std::to_string(key.status)}}, count);
  }
}

void renderRules(PrometheusWriter& w, const nlohmann::json& status) {
  nlohmann::json reloads = status.is_object() && status.contains("reloads") ? status["reloads"] : nlohmann::json();
  w.family("faultline_rules_reloads_total", "counter", "Rules file loads by result");
  w.sample("faultline_rules_reloads_total", {{"result", "ok"}}, jsonCount(reloads, "ok"));
  w.sample("faultline_rules_reloads_total", {{"result", "error"}}, jsonCount(reloads, "error"));
  bool last_ok = !(status.is_object() && status.contains("last_error") && !status["last_error"].is_null());
  w.family("faultline_rules_last_load_ok", "gauge", "1 when the last rules load succeeded, 0 when it was rejected");
  w.sample("faultline_rules_last_load_ok", {}, uint64_t{last_ok ? 1u : 0u});
}

// One family with a row per limit, so "is any limit being hit?" is one query. The detailed
// per-proxy and per-source families above carry the same counts.
// `proxies` and `rules_status` are what the families above were rendered from, read once.
void renderLimitHits(PrometheusWriter& w, const MetricsSources& sources, const std::vector<ProxyInfo>& proxies,
                     const nlohmann::json& rules_status) {
  const char* name = "faultline_limit_hits_total";
  w.family(name, "counter", "Times a peer or a file ran into one of Faultline's limits, by limit");
  if (sources.registry != nullptr) {
    uint64_t link = 0;
    uint64_t sessions = 0;
    for (const auto& p : proxies) {
      if (!p.stats) continue;
      link += p.stats->backpressure_pauses;
      sessions += p.stats->connections_refused;
    }
    w.sample(name, {{"limit", "link_buffer_bytes"}}, link);
    w.sample(name, {{"limit", "global_buffer_bytes"}}, static_cast<uint64_t>(sources.registry->globalCapHits()));
    w.sample(name, {{"limit", "proxy_max_connections"}}, sessions);
    w.sample(name, {{"limit", "proxy_toxics"}}, static_cast<uint64_t>(sources.registry->toxicLimitHits()));
    w.sample(name, {{"limit", "fd_reserve"}}, static_cast<uint64_t>(sources.registry->fdReserveHits()));
  }
  if (sources.http != nullptr) {
    w.sample(name, {{"limit", "api_connections"}}, sources.http->connections_refused);
    w.sample(name, {{"limit", "api_url_bytes"}}, sources.http->url_limit_hits);
    w.sample(name, {{"limit", "api_header_bytes"}}, sources.http->header_limit_hits);
    w.sample(name, {{"limit", "api_body_bytes"}}, sources.http->body_limit_hits);
  }
  if (sources.rules != nullptr) {
    const nlohmann::json hits = rules_status.is_object() && rules_status.contains("limit_hits")
                                    ? rules_status["limit_hits"]
                                    : nlohmann::json();
    w.sample(name, {{"limit", "rules_file_bytes"}}, jsonCount(hits, "file_bytes"));
    w.sample(name, {{"limit", "rules_nodes"}}, jsonCount(hits, "nodes"));
    w.sample(name, {{"limit", "rules_depth"}}, jsonCount(hits, "depth"));
  }
}

}  // namespace

std::string MetricsRenderer::render() const {
  PrometheusWriter w;
  w.family("faultline_build_info", "gauge", "Always 1; the version label says which Faultline answers");
  w.sample("faultline_build_info", {{"version", FAULTLINE_VERSION}}, uint64_t{1});
  const std::vector<ProxyInfo> proxies = sources_.registry != nullptr ? sources_.registry->list() : std::vector<ProxyInfo>{};
  const nlohmann::json rules_status = sources_.rules != nullptr ? sources_.rules->status() : nlohmann::json();
  if (sources_.registry != nullptr) {
    renderProxies(w, proxies);
    w.family("faultline_buffered_bytes", "gauge", "Bytes held by all links together (in toxics and write queues)");
    w.sample("faultline_buffered_bytes", {}, static_cast<uint64_t>(sources_.registry->bufferedBytes()));
    w.family("faultline_global_cap_hits_total", "counter",
             "Times the global buffer cap was reached and every reader paused");
    w.sample("faultline_global_cap_hits_total", {}, static_cast<uint64_t>(sources_.registry->globalCapHits()));
    w.family("faultline_toxic_held_bytes", "gauge",
             "Bytes a toxic holds right now (delayed, paced or buffered), summed over the proxy's live connections; "
             "toxic http is the HTTP layer");
    for (const auto& held : sources_.registry->heldBytes()) {
      w.sample("faultline_toxic_held_bytes",
               {{"proxy", held.proxy}, {"toxic", held.toxic}, {"type", held.type},
                {"direction", held.stream == Stream::kUpstream ? "upstream" : "downstream"}},
               static_cast<uint64_t>(held.bytes));
    }
    // GET /events (issue 15): a subscriber that does not read is cut off, never waited for.
    const EventBus& events = sources_.registry->events();
    w.family("faultline_events_published_total", "counter", "Events published on the event bus");
    w.sample("faultline_events_published_total", {}, events.published());
    w.family("faultline_event_subscribers", "gauge", "Live GET /events subscribers");
    w.sample("faultline_event_subscribers", {}, static_cast<uint64_t>(events.subscribers()));
    w.family("faultline_event_subscribers_cut_total", "counter",
             "Event subscribers cut off because their bounded queue was full");
    w.sample("faultline_event_subscribers_cut_total", {}, events.subscribersCut());
    w.family("faultline_events_dropped_total", "counter", "Events not delivered to a subscriber that was cut off");
    w.sample("faultline_events_dropped_total", {}, events.eventsDropped());
  }
  if (sources_.http != nullptr) renderHttp(w, *sources_.http);
  if (sources_.requests != nullptr) renderRequests(w, *sources_.requests);
  if (sources_.rules != nullptr) renderRules(w, rules_status);
  renderLimitHits(w, sources_, proxies, rules_status);
  return w.take();
}

}  // namespace faultline
