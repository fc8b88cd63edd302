#include "metrics/toxic_effects_metrics.h"

#include <chrono>
#include <map>
#include <string>

namespace faultline {

namespace {

double seconds(Duration d) { return std::chrono::duration<double>(d).count(); }

// "0.001", "2.5", "10": a bucket bound in seconds as Prometheus clients write it.
std::string le(int64_t ms) {
  std::string out = std::to_string(ms / 1000);
  if (int64_t frac = ms % 1000; frac != 0) {
    std::string digits = std::to_string(1000 + frac).substr(1);
    while (digits.back() == '0') digits.pop_back();
    out += "." + digits;
  }
  return out;
}

// Every toxic of the proxy has a row from the moment it exists (0 until it acts, so rate() works
// from the start), and a removed one keeps what it counted.
std::map<std::string, ToxicCounters> rowsOf(const ProxyInfo& p) {
  std::map<std::string, ToxicCounters> rows;
  if (p.stats) rows = p.stats->toxic_counters;
  for (const auto& t : p.toxics) {
    if (!t) continue;
    ToxicCounters& row = rows[t->name];
    if (row.type != t->type) {
      row = ToxicCounters{};
      row.type = t->type;
    }
    if (t->type == "cut" && row.cuts.empty()) row.cuts[t->text("mode")] = 0;
  }
  return rows;
}

}  // namespace

void renderToxicEffects(PrometheusWriter& w, const std::vector<ProxyInfo>& proxies) {
  std::vector<std::map<std::string, ToxicCounters>> rows;
  rows.reserve(proxies.size());
  for (const auto& p : proxies) rows.push_back(rowsOf(p));
  auto each = [&](auto&& fn) {
    for (std::size_t i = 0; i < proxies.size(); ++i) {
      for (const auto& [toxic, c] : rows[i]) fn(proxies[i], toxic, c);
    }
  };
  w.family("faultline_toxic_cuts_total", "counter", "Connections a cut toxic ended while data flowed, by toxic and mode");
  each([&](const ProxyInfo& p, const std::string& toxic, const ToxicCounters& c) {
    if (c.type != "cut") return;
    for (const auto& [mode, count] : c.cuts) {
      w.sample("faultline_toxic_cuts_total", {{"proxy", p.name}, {"toxic", toxic}, {"mode", mode}}, count);
    }
  });
  w.family("faultline_toxic_loss_stalls_total", "counter",
           "Chunks a tcp_loss toxic 'lost': each stalled the link for the retransmission timeout");
  each([&](const ProxyInfo& p, const std::string& toxic, const ToxicCounters& c) {
    if (c.type == "tcp_loss") w.sample("faultline_toxic_loss_stalls_total", {{"proxy", p.name}, {"toxic", toxic}}, c.stalls);
  });
  w.family("faultline_toxic_loss_stall_seconds_total", "counter", "Time tcp_loss stalls added up, in seconds");
  each([&](const ProxyInfo& p, const std::string& toxic, const ToxicCounters& c) {
    if (c.type == "tcp_loss") {
      w.sample("faultline_toxic_loss_stall_seconds_total", {{"proxy", p.name}, {"toxic", toxic}}, seconds(c.stalled));
    }
  });
  w.family("faultline_toxic_corrupted_bytes_total", "counter", "Bytes a corrupt toxic flipped a bit in");
  each([&](const ProxyInfo& p, const std::string& toxic, const ToxicCounters& c) {
    if (c.type == "corrupt") {
      w.sample("faultline_toxic_corrupted_bytes_total", {{"proxy", p.name}, {"toxic", toxic}}, c.bytes_corrupted);
    }
  });
  w.family("faultline_toxic_latency_delay_seconds", "histogram", "Delays a latency toxic gave chunks, in seconds");
  each([&](const ProxyInfo& p, const std::string& toxic, const ToxicCounters& c) {
    if (c.type != "latency") return;
    uint64_t cumulative = 0;
    for (std::size_t i = 0; i < ToxicCounters::kDelayBucketsMs.size(); ++i) {
      cumulative += c.delay_buckets[i];
      w.sample("faultline_toxic_latency_delay_seconds_bucket",
               {{"proxy", p.name}, {"toxic", toxic}, {"le", le(ToxicCounters::kDelayBucketsMs[i])}}, cumulative);
    }
    w.sample("faultline_toxic_latency_delay_seconds_bucket", {{"proxy", p.name}, {"toxic", toxic}, {"le", "+Inf"}},
             c.delays);
    w.sample("faultline_toxic_latency_delay_seconds_sum", {{"proxy", p.name}, {"toxic", toxic}}, seconds(c.delay_sum));
    w.sample("faultline_toxic_latency_delay_seconds_count", {{"proxy", p.name}, {"toxic", toxic}}, c.delays);
  });
  w.family("faultline_proxy_connect_timeout_active", "gauge",
           "1 while a connect_timeout toxic holds the proxy's listen address unanswered (new connects time out)");
  for (const auto& p : proxies) {
    w.sample("faultline_proxy_connect_timeout_active", {{"proxy", p.name}}, uint64_t{p.holding_connects ? 1u : 0u});
  }
}

}  // namespace faultline
