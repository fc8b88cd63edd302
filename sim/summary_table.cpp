#include "summary_table.h"

#include <fmt/format.h>

#include "phase_stats.h"
#include "exit_description.h"

namespace faultline::sim {

std::string summaryTable(const SimRun& run) {
  std::vector<PhaseStats> stats;
  for (const auto& phase : run.phases) stats.push_back(computeStats(phase));
  std::string out = fmt::format("scenario: {} -- {}\n{}\n\n", run.scenario, run.description, run.settings);
  auto row = [&](const std::string& label, auto cell) {
    out += fmt::format("{:<26}", label);
    for (std::size_t i = 0; i < run.phases.size(); ++i) out += fmt::format("{:>16}", cell(i));
    out += "\n";
  };
  row("", [&](std::size_t i) { return "/" + run.phases[i].path; });
  row("requests", [&](std::size_t i) { return std::to_string(stats[i].requests); });
  for (int o = 0; o < kOutcomeCount; ++o) {
    row(std::string("  ") + outcomeName(static_cast<Outcome>(o)), [&](std::size_t i) {
      const auto n = stats[i].by_outcome[o];
      const double share = stats[i].requests ? 100.0 * static_cast<double>(n) / static_cast<double>(stats[i].requests) : 0;
      return fmt::format("{} ({:.0f}%)", n, share);
    });
  }
  row("latency p50 ms", [&](std::size_t i) { return fmt::format("{:.0f}", stats[i].p50_ms); });
  row("latency p90 ms", [&](std::size_t i) { return fmt::format("{:.0f}", stats[i].p90_ms); });
  row("latency p99 ms", [&](std::size_t i) { return fmt::format("{:.0f}", stats[i].p99_ms); });
  row("latency max ms", [&](std::size_t i) { return fmt::format("{:.0f}", stats[i].max_ms); });
  row("peak server RSS MiB", [&](std::size_t i) { return fmt::format("{:.1f}", stats[i].peak_rss_mib); });
  row("breaker transitions", [&](std::size_t i) { return fmt::format("{:.0f}", stats[i].breaker_transitions); });
  row("server", [&](std::size_t i) { return exitDescription(run.phases[i]); });
  row("recovered after fault", [&](std::size_t i) {
    return stats[i].recovery_s ? fmt::format("{:.1f} s", *stats[i].recovery_s) : std::string("never");
  });
  return out;
}

}  // namespace faultline::sim
