#include "scenario/summary_table.h"

#include <fmt/format.h>

#include "scenario/exit_description.h"
#include "scenario/run_stats.h"

namespace faultline::scenario {

std::string summarySentence(const VariantResult& variant) {
  const RunStats s = computeStats(variant);
  auto pct = [&](std::size_t n) { return s.requests ? 100.0 * static_cast<double>(n) / static_cast<double>(s.requests) : 0.0; };
  const std::size_t ok = s.by_outcome[static_cast<int>(Outcome::kOk)];
  const std::size_t degraded = s.by_outcome[static_cast<int>(Outcome::kDegraded)];
  std::string out = fmt::format("{}: {:.0f}% answered ({:.0f}% ok", variant.name, pct(ok + degraded), pct(ok));
  if (degraded) out += fmt::format(", {:.0f}% degraded", pct(degraded));
  out += ")";
  const std::size_t timeouts = s.by_outcome[static_cast<int>(Outcome::kTimeout)];
  if (timeouts) out += fmt::format(", {:.0f}% timed out", pct(timeouts));
  out += fmt::format(", p99 {:.0f} ms; ", s.p99_ms);
  out += variant.exits.empty() ? "every started process ran through" : exitsDescription(variant);
  if (s.last_fault_end_s) {
    out += s.recovery_s ? fmt::format("; recovered {:.1f} s after the fault ended", *s.recovery_s)
                        : std::string("; did not recover after the fault ended");
  }
  return out + ".";
}

std::string summaryTable(const ScenarioResult& run) {
  std::vector<RunStats> stats;
  for (const auto& v : run.variants) stats.push_back(computeStats(v));
  std::string out = fmt::format("scenario: {}{}\n{}\n\n", run.scenario, run.description.empty() ? "" : " -- " + run.description,
                                run.settings);
  auto row = [&](const std::string& label, auto cell) {
    out += fmt::format("{:<26}", label);
    for (std::size_t i = 0; i < run.variants.size(); ++i) out += fmt::format("{:>18}", cell(i));
    out += "\n";
  };
  row("", [&](std::size_t i) { return run.variants[i].name; });
  row("requests", [&](std::size_t i) { return std::to_string(stats[i].requests); });
  for (int o = 0; o < kOutcomeCount; ++o) {
    row(std::string("  ") + outcomeName(static_cast<Outcome>(o)), [&](std::size_t i) {
      const auto n = stats[i].by_outcome[o];
      const double share = stats[i].requests ? 100.0 * static_cast<double>(n) / static_cast<double>(stats[i].requests) : 0;
      return fmt::format("{} ({:.0f}%)", n, share);
    });
  }
  row("error rate", [&](std::size_t i) { return fmt::format("{:.3f}", stats[i].error_rate); });
  row("latency p50 ms", [&](std::size_t i) { return fmt::format("{:.0f}", stats[i].p50_ms); });
  row("latency p90 ms", [&](std::size_t i) { return fmt::format("{:.0f}", stats[i].p90_ms); });
  row("latency p99 ms", [&](std::size_t i) { return fmt::format("{:.0f}", stats[i].p99_ms); });
  row("latency max ms", [&](std::size_t i) { return fmt::format("{:.0f}", stats[i].max_ms); });
  row("processes", [&](std::size_t i) {
    return run.variants[i].exits.empty() ? std::string("ran through") : fmt::format("{} exited", run.variants[i].exits.size());
  });
  row("recovered after fault", [&](std::size_t i) {
    if (!stats[i].last_fault_end_s) return std::string("-");
    return stats[i].recovery_s ? fmt::format("{:.1f} s", *stats[i].recovery_s) : std::string("never");
  });
  bool any_verdict = false;
  for (const auto& v : run.variants) any_verdict = any_verdict || !v.verdicts.empty();
  if (any_verdict) out += "\nexpectations:\n";
  for (const auto& v : run.variants) {
    for (const auto& verdict : v.verdicts) {
      out += fmt::format("  {:<4} {}: {} (measured {})\n", verdict.holds ? "PASS" : "FAIL", v.name, verdict.name, verdict.measured);
    }
  }
  out += "\n";
  for (const auto& v : run.variants) out += summarySentence(v) + "\n";
  return out;
}

}  // namespace faultline::scenario
