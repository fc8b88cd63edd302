#include "scenario/html_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>

#include "scenario/exit_description.h"
#include "scenario/markup_escape.h"
#include "scenario/run_stats.h"
#include "scenario/summary_table.h"

namespace faultline::scenario {

namespace {

constexpr double kWidth = 640, kHeight = 250;
constexpr double kLeft = 60, kRight = 14, kTop = 18, kBottom = 36;
// ok, degraded, shed, client_error, server_error, timeout, connection_error.
constexpr std::array<const char*, kOutcomeCount> kOutcomeColors = {"#2e9d4f", "#e0a100", "#8e5cc4", "#e8590c",
                                                                   "#d2372f", "#555555", "#7b1e1a"};

std::string escape(const std::string& text) { return markupEscape(text); }

// The smallest 1, 2 or 5 times a power of ten at or above v.
double niceMax(double v) {
  if (v <= 0) return 1;
  const double p = std::pow(10.0, std::floor(std::log10(v)));
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (m * p >= v) return m * p;
  }
  return 10 * p;
}

std::string number(double v) { return v >= 100 || v == std::floor(v) ? fmt::format("{:.0f}", v) : fmt::format("{:.1f}", v); }

// Maps data to pixels and draws the frame every chart shares.
struct Frame {
  double x_max, y_max;
  double px(double x) const { return kLeft + (kWidth - kLeft - kRight) * std::clamp(x / x_max, 0.0, 1.0); }
  double py(double y) const { return kTop + (kHeight - kTop - kBottom) * (1 - std::clamp(y / y_max, 0.0, 1.0)); }

  std::string axes(const std::string& y_label, const std::function<std::string(double)>& y_tick = nullptr,
                   int y_ticks = 5) const {
    std::string s;
    for (int i = 0; i <= y_ticks; ++i) {
      const double v = y_max * i / y_ticks;
      s += fmt::format(R"(<line class="grid" x1="{:.1f}" y1="{:.1f}" x2="{:.1f}" y2="{:.1f}"/>)", kLeft, py(v),
                       kWidth - kRight, py(v));
      s += fmt::format(R"(<text class="tick" x="{:.1f}" y="{:.1f}" text-anchor="end">{}</text>)", kLeft - 6, py(v) + 4,
                       y_tick ? y_tick(v) : number(v));
    }
    const double step = niceMax(x_max / 8);
    for (double x = 0; x <= x_max + 1e-9; x += step) {
      s += fmt::format(R"(<text class="tick" x="{:.1f}" y="{:.1f}" text-anchor="middle">{}</text>)", px(x),
                       kHeight - kBottom + 16, number(x));
    }
    s += fmt::format(R"(<text class="axis" x="{:.1f}" y="{:.1f}" text-anchor="middle">seconds</text>)",
                     (kLeft + kWidth - kRight) / 2, kHeight - 4);
    if (!y_label.empty()) {
      s += fmt::format(R"svg(<text class="axis" x="12" y="{:.1f}" transform="rotate(-90 12 {:.1f})" text-anchor="middle">{}</text>)svg",
                       (kTop + kHeight - kBottom) / 2, (kTop + kHeight - kBottom) / 2, escape(y_label));
    }
    s += fmt::format(R"(<rect class="frame" x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{:.1f}"/>)", kLeft, kTop,
                     kWidth - kLeft - kRight, kHeight - kTop - kBottom);
    return s;
  }

  std::string faults(const VariantResult& phase) const {
    std::string s;
    for (const auto& w : phase.windows) {
      s += fmt::format(R"(<rect class="fault" x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{:.1f}"><title>fault: {}</title></rect>)",
                       px(w.start_s), kTop, std::max(1.0, px(w.end_s) - px(w.start_s)), kHeight - kTop - kBottom,
                       escape(w.label));
      s += fmt::format(R"(<text class="faultlabel" x="{:.1f}" y="{:.1f}">fault: {}</text>)", px(w.start_s) + 4,
                       kTop + 12, escape(w.label));
    }
    for (const auto& e : phase.exits) {
      const double x = px(e.at_s);
      s += fmt::format(R"(<line class="exit" x1="{:.1f}" y1="{:.1f}" x2="{:.1f}" y2="{:.1f}"/>)", x, kTop, x, kHeight - kBottom);
      s += fmt::format(R"(<text class="exitlabel" x="{:.1f}" y="{:.1f}" text-anchor="end">{}</text>)", x - 4,
                       kTop + 26, escape(exitDescription(e)));
    }
    return s;
  }
};

std::string svgOpen(const std::string& chart, const VariantResult& phase, std::size_t points) {
  return fmt::format(R"(<svg class="chart" data-chart="{}" data-phase="{}" data-points="{}" viewBox="0 0 {:.0f} {:.0f}" )"
                     R"(width="{:.0f}" height="{:.0f}" xmlns="http://www.w3.org/2000/svg">)",
                     chart, phase.name, points, kWidth, kHeight, kWidth, kHeight);
}

std::string polyline(const std::vector<std::pair<double, double>>& points, const Frame& f, const std::string& cls) {
  if (points.empty()) return "";
  std::string d;
  for (const auto& [x, y] : points) d += fmt::format("{}{:.1f},{:.1f}", d.empty() ? "M" : " L", f.px(x), f.py(y));
  return fmt::format(R"(<path class="{}" d="{}"/>)", cls, d);
}

// Requests grouped by the second they started in.
struct Buckets {
  double width_s = 1;
  std::vector<std::array<std::size_t, kOutcomeCount>> counts;
  std::vector<std::vector<double>> latencies;
};

Buckets bucketize(const VariantResult& phase, double x_max) {
  Buckets b;
  b.width_s = x_max > 120 ? std::ceil(x_max / 120) : 1;
  const auto n = static_cast<std::size_t>(std::ceil(x_max / b.width_s)) + 1;
  b.counts.resize(n);
  b.latencies.resize(n);
  for (const auto& r : phase.requests) {
    const auto i = std::min(n - 1, static_cast<std::size_t>(r.start_s / b.width_s));
    ++b.counts[i][static_cast<int>(r.outcome)];
    b.latencies[i].push_back(r.latency_ms);
  }
  return b;
}

double phaseEnd(const VariantResult& phase) {
  double end = phase.duration_s;
  for (const auto& series : phase.series) {
    for (const auto& [t, v] : series.points) end = std::max(end, t);
  }
  return end;
}

std::string outcomesChart(const VariantResult& phase, double x_max, double y_max) {
  const Frame f{x_max, y_max};
  const Buckets b = bucketize(phase, x_max);
  std::string body;
  std::size_t points = 0;
  const double bar = std::max(1.0, f.px(b.width_s) - f.px(0) - 1);
  for (std::size_t i = 0; i < b.counts.size(); ++i) {
    double stacked = 0;
    for (int o = 0; o < kOutcomeCount; ++o) {
      const double n = static_cast<double>(b.counts[i][o]) / b.width_s;
      if (n <= 0) continue;
      body += fmt::format(R"(<rect class="bar" fill="{}" x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{:.1f}"/>)",
                          kOutcomeColors[o], f.px(static_cast<double>(i) * b.width_s), f.py(stacked + n), bar,
                          f.py(stacked) - f.py(stacked + n));
      stacked += n;
      ++points;
    }
  }
  return svgOpen("outcomes", phase, points) + f.faults(phase) + f.axes("requests / s") + body + "</svg>";
}

std::vector<std::array<std::pair<double, double>, 3>> latencySeries(const VariantResult& phase, double x_max) {
  const Buckets b = bucketize(phase, x_max);
  std::vector<std::array<std::pair<double, double>, 3>> series;
  for (std::size_t i = 0; i < b.latencies.size(); ++i) {
    if (b.latencies[i].empty()) continue;
    const double x = (static_cast<double>(i) + 0.5) * b.width_s;
    series.push_back({{{x, percentile(b.latencies[i], 50)}, {x, percentile(b.latencies[i], 90)}, {x, percentile(b.latencies[i], 99)}}});
  }
  return series;
}

std::string latencyChart(const VariantResult& phase, double x_max, double y_max) {
  const Frame f{x_max, y_max};
  const auto series = latencySeries(phase, x_max);
  std::string body;
  const std::array<const char*, 3> classes = {"p50", "p90", "p99"};
  for (int k = 2; k >= 0; --k) {
    std::vector<std::pair<double, double>> line;
    for (const auto& s : series) line.push_back(s[k]);
    body += polyline(line, f, std::string("line ") + classes[k]);
  }
  return svgOpen("latency", phase, series.size()) + f.faults(phase) + f.axes("latency ms") + body + "</svg>";
}

std::string seriesChart(const VariantResult& phase, const Series& series, double x_max, double y_max) {
  const Frame f{x_max, y_max};
  return svgOpen("series", phase, series.points.size()) + f.faults(phase) + f.axes(series.name) +
         polyline(series.points, f, "line series") + "</svg>";
}

std::string summaryHtml(const ScenarioResult& run) {
  const auto anyHad = [](const std::vector<RunStats>& all, int o) {
    return std::any_of(all.begin(), all.end(), [o](const RunStats& st) { return st.by_outcome[o] > 0; });
  };
  std::vector<RunStats> stats;
  for (const auto& p : run.variants) stats.push_back(computeStats(p));
  std::string s = "<table class=\"summary\"><tr><th></th>";
  for (const auto& p : run.variants) s += "<th>" + escape(p.name) + "</th>";
  s += "</tr>";
  auto row = [&](const std::string& label, const std::function<std::string(std::size_t)>& cell) {
    s += "<tr><td>" + label + "</td>";
    for (std::size_t i = 0; i < run.variants.size(); ++i) s += "<td>" + escape(cell(i)) + "</td>";
    s += "</tr>";
  };
  row("requests", [&](std::size_t i) { return std::to_string(stats[i].requests); });
  for (int o = 0; o < kOutcomeCount; ++o) {
    if (o != static_cast<int>(Outcome::kOk) && !anyHad(stats, o)) continue;  // a row of zeros says nothing
    row(fmt::format(R"(<span class="swatch" style="background:{}"></span>{})", kOutcomeColors[o],
                    outcomeName(static_cast<Outcome>(o))),
        [&](std::size_t i) {
          const auto n = stats[i].by_outcome[o];
          return fmt::format("{} ({:.0f}%)", n, stats[i].requests ? 100.0 * n / stats[i].requests : 0.0);
        });
  }
  row("latency p50 / p90 / p99 / max (ms)", [&](std::size_t i) {
    return fmt::format("{:.0f} / {:.0f} / {:.0f} / {:.0f}", stats[i].p50_ms, stats[i].p90_ms, stats[i].p99_ms, stats[i].max_ms);
  });
  bool any_load = false;
  for (const auto& st : stats) any_load = any_load || st.partner_calls.has_value();
  if (any_load) {
    row("partner calls per request (peak calls/s)", [&](std::size_t i) {
      return stats[i].partner_calls ? fmt::format("{:.2f} ({:.0f}/s)", stats[i].amplification(), stats[i].partner_peak_per_s)
                                    : std::string("-");
    });
  }
  row("started processes", [&](std::size_t i) { return exitsDescription(run.variants[i]); });
  row("recovered after the fault", [&](std::size_t i) {
    if (!stats[i].last_fault_end_s) return std::string("-");
    return stats[i].recovery_s ? fmt::format("{:.1f} s", *stats[i].recovery_s) : std::string("never");
  });
  s += "</table>";
  std::string verdicts;
  for (const auto& v : run.variants) {
    for (const auto& verdict : v.verdicts) {
      verdicts += fmt::format(R"(<li class="{}"><b>{}</b> {}: {} (measured {})</li>)", verdict.holds ? "pass" : "fail",
                              verdict.holds ? "PASS" : "FAIL", escape(v.name), escape(verdict.name), escape(verdict.measured));
    }
  }
  if (!verdicts.empty()) s += "<ul class=\"verdicts\">" + verdicts + "</ul>";
  return s;
}

constexpr const char* kStyle = R"(
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px 32px;color:#1d232b;background:#fff}
h1{font-size:22px;margin:0 0 4px} h2{font-size:16px;margin:28px 0 6px} p.sub{margin:0;color:#555}
table.summary{border-collapse:collapse;margin:16px 0} table.summary td,table.summary th{padding:4px 14px;border-bottom:1px solid #e3e6ea;text-align:right}
table.summary td:first-child,table.summary th:first-child{text-align:left} table.summary th{background:#f4f6f8}
.swatch{display:inline-block;width:10px;height:10px;margin-right:6px;border-radius:2px}
.row{display:flex;gap:18px;flex-wrap:wrap} figure{margin:0} figcaption{font-weight:600;margin:0 0 2px 60px}
.grid{stroke:#e8eaed;stroke-width:1} .frame{fill:none;stroke:#9aa3ad;stroke-width:1}
.tick{font-size:11px;fill:#5a636e} .axis{font-size:11px;fill:#3b434c}
.fault{fill:#d2372f;fill-opacity:.10} .faultlabel{font-size:11px;fill:#a3231d}
.exit{stroke:#d2372f;stroke-width:2;stroke-dasharray:5 3} .exitlabel{font-size:11px;fill:#a3231d;font-weight:600}
.line{fill:none;stroke-width:2} .p50{stroke:#2b6cb0} .p90{stroke:#e08a00} .p99{stroke:#c53030}
.series{stroke:#6b46c1} p.caption{margin:0 0 8px;color:#3b434c;max-width:1300px}
ul.verdicts{padding-left:18px} li.pass b{color:#2e9d4f} li.fail b{color:#d2372f} p.story{font-size:15px;margin:4px 0}
.legend{font-size:12px;color:#3b434c;margin:2px 0 0 60px} .legend span.k{display:inline-block;width:14px;height:3px;margin:0 5px 3px 12px;vertical-align:middle}
)";

}  // namespace

std::string renderHtmlReport(const ScenarioResult& run) {
  double x_max = 1, rate_max = 1, latency_max = 1;
  for (const auto& phase : run.variants) x_max = std::max(x_max, phaseEnd(phase));
  for (const auto& phase : run.variants) {
    const Buckets b = bucketize(phase, x_max);
    for (const auto& c : b.counts) {
      std::size_t total = 0;
      for (auto n : c) total += n;
      rate_max = std::max(rate_max, static_cast<double>(total) / b.width_s);
    }
    for (const auto& s : latencySeries(phase, x_max)) latency_max = std::max(latency_max, s[2].second);
  }
  rate_max = niceMax(rate_max * 1.1);
  latency_max = niceMax(latency_max * 1.05);

  std::string outcome_legend;
  for (int o = 0; o < kOutcomeCount; ++o) {
    outcome_legend += fmt::format(R"(<span class="k" style="background:{};height:10px"></span>{})", kOutcomeColors[o],
                                  outcomeName(static_cast<Outcome>(o)));
  }
  struct Section {
    std::string title;
    std::string caption;
    std::string legend;
    std::function<std::string(const VariantResult&)> chart;  // "" = nothing to draw for this variant
  };
  std::vector<Section> sections = {
      {"Requests per second, by outcome",
       "Each bar is one second of requests, by when they were sent, stacked by how they ended: ok, degraded (a "
       "fallback answer), shed (429, or 503 marked X-Shed), client_error (other 4xx), server_error (other 5xx), timeout, "
       "connection_error (refused or cut off). Shaded: the fault windows; a dashed line: a started "
       "process that exited.",
       outcome_legend, [&](const VariantResult& p) { return outcomesChart(p, x_max, rate_max); }},
      {"Latency percentiles per second (ms, by request start)",
       "How long the requests sent in each second took, as the client saw it (a timeout counts at the client's "
       "timeout): p50, p90 and p99.",
       R"(<span class="k" style="background:#2b6cb0"></span>p50<span class="k" style="background:#e08a00"></span>p90)"
       R"(<span class="k" style="background:#c53030"></span>p99)",
       [&](const VariantResult& p) { return latencyChart(p, x_max, latency_max); }},
  };
  // One section per observed number, in the order the file lists them; a variant that has no
  // samples of it (not observed there, or never answered) gets no empty chart.
  std::vector<std::string> names;
  for (const auto& v : run.variants) {
    for (const auto& series : v.series) {
      if (std::find(names.begin(), names.end(), series.name) == names.end()) names.push_back(series.name);
    }
  }
  for (const auto& name : names) {
    double y_max = 1;
    std::string caption;
    for (const auto& v : run.variants) {
      for (const auto& series : v.series) {
        if (series.name != name) continue;
        caption = series.caption;
        for (const auto& [t, y] : series.points) y_max = std::max(y_max, y);
      }
    }
    y_max = niceMax(y_max * 1.1);
    sections.push_back({name, caption.empty() ? "Sampled during the run (observe: in the scenario file)." : caption,
                        R"(<span class="k" style="background:#6b46c1"></span>)" + escape(name),
                        [&run, name, y_max, x_max](const VariantResult& p) -> std::string {
                          (void)run;
                          for (const auto& series : p.series) {
                            if (series.name == name && !series.points.empty()) return seriesChart(p, series, x_max, y_max);
                          }
                          return "";
                        }});
  }

  std::string html = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">";
  html += "<title>Faultline scenario: " + escape(run.scenario) + "</title><style>" + kStyle + "</style></head><body>\n";
  html += "<h1>Faultline scenario: " + escape(run.scenario) + "</h1>\n";
  html += "<p class=\"sub\">" + escape(run.description) + "</p><p class=\"sub\">" + escape(run.settings) + "</p>\n";
  html += "<h2>What happened</h2>";
  for (const auto& v : run.variants) html += "<p class=\"story\">" + escape(summarySentence(v)) + "</p>";
  html += summaryHtml(run) + "\n";
  for (const auto& section : sections) {
    std::string figures;
    for (const auto& phase : run.variants) {
      const std::string chart = section.chart(phase);
      if (!chart.empty()) figures += "<figure><figcaption>" + escape(phase.name) + "</figcaption>" + chart + "</figure>";
    }
    if (figures.empty()) continue;
    html += "<h2>" + escape(section.title) + "</h2><p class=\"caption\">" + escape(section.caption) + "</p><div class=\"row\">" +
            figures + "</div><div class=\"legend\">" + section.legend + "</div>\n";
  }
  html += "</body></html>\n";
  return html;
}

}  // namespace faultline::scenario
