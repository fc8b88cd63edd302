#include "scenario/summary_table.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <map>
#include <vector>

#include "scenario/exit_description.h"
#include "scenario/run_stats.h"

namespace faultline::scenario {

namespace {

// The demo server's X-Degraded-Reason values (protected_call.cpp, retry_policy.cpp), in words.
std::string reasonWords(const std::string& reason) {
  if (reason == "breaker_open") return "breaker open";
  if (reason == "deadline") return "deadline reached";
  if (reason == "attempts_exhausted") return "every attempt failed";
  if (reason == "retry_budget_exhausted") return "retry budget spent";
  if (reason == "no_time_left") return "no time left to retry";
  if (reason == "retry_after_beyond_deadline") return "Retry-After past the deadline";
  if (reason == "not_retryable") return "not retryable";
  return reason;
}

std::string statusWords(int status) {
  switch (status) {
    case 429: return "429 come back later";
    case 502: return "502 partner call failed";
    case 503: return "503 passed on";
    case 504: return "504 partner timed out";
    default: return std::to_string(status);
  }
}

// "62% breaker open, 9% retry budget spent", largest first.
template <typename Key>
std::string breakdown(const std::map<Key, std::size_t>& counts, std::size_t requests,
                      const std::function<std::string(const Key&)>& words) {
  std::vector<std::pair<std::size_t, std::string>> parts;
  for (const auto& [key, n] : counts) parts.emplace_back(n, words(key));
  std::sort(parts.begin(), parts.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  std::string out;
  for (const auto& [n, text] : parts) {
    const double share = 100.0 * static_cast<double>(n) / static_cast<double>(std::max<std::size_t>(requests, 1));
    // A share that rounds to 0 % still happened: "<1%", never "0%".
    out += fmt::format("{}{} {}", out.empty() ? "" : ", ", share < 0.5 ? std::string("<1%") : fmt::format("{:.0f}%", share), text);
  }
  return out;
}

}  // namespace

// One sentence per variant that says what happened and why: real answers (and how many needed
// a retry), fallbacks by the reason the server gave, errors by status, the client's timeouts,
// the latency it took, who exited, and the recovery.
std::string summarySentence(const VariantResult& variant) {
  const RunStats s = computeStats(variant);
  auto pct = [&](std::size_t n) { return s.requests ? 100.0 * static_cast<double>(n) / static_cast<double>(s.requests) : 0.0; };
  const std::size_t ok = s.by_outcome[static_cast<int>(Outcome::kOk)];
  const std::size_t degraded = s.by_outcome[static_cast<int>(Outcome::kDegraded)];
  const std::size_t shed = s.by_outcome[static_cast<int>(Outcome::kShed)];
  const std::size_t errors = s.by_outcome[static_cast<int>(Outcome::kServerError)] +
                             s.by_outcome[static_cast<int>(Outcome::kClientError)];
  const std::size_t timeouts = s.by_outcome[static_cast<int>(Outcome::kTimeout)];
  const std::size_t unanswered = s.by_outcome[static_cast<int>(Outcome::kConnectionError)];
  std::string out = fmt::format("{}: {:.0f}% real answers", variant.name, pct(ok));
  if (s.ok_after_retry) out += fmt::format(" ({:.0f}% only after a retry)", pct(s.ok_after_retry));
  if (degraded) {
    out += fmt::format(", {:.0f}% fallbacks ({})", pct(degraded),
                       breakdown<std::string>(s.fallback_reasons, s.requests, reasonWords));
  }
  if (shed) {
    // A shed 503 is marked X-Shed: the target's own bulkhead, not a dependency's answer.
    const auto shedWords = [](const int& status) { return status == 503 ? std::string("503 overloaded") : statusWords(status); };
    out += fmt::format(", {:.0f}% refused at once ({})", pct(shed), breakdown<int>(s.shed_statuses, s.requests, shedWords));
  }
  if (errors) out += fmt::format(", {:.0f}% errors ({})", pct(errors), breakdown<int>(s.error_statuses, s.requests, statusWords));
  if (unanswered) out += fmt::format(", {:.0f}% connection errors (refused or cut off)", pct(unanswered));
  if (timeouts) out += fmt::format(", {:.0f}% timed out at the client", pct(timeouts));
  out += fmt::format("; p99 {:.0f} ms, max {:.0f} ms; ", s.p99_ms, s.max_ms);
  if (s.partner_calls) {
    out += fmt::format("the partner got {:.0f} calls, {:.1f} per request (peak {:.0f}/s); ", *s.partner_calls,
                       s.amplification(), s.partner_peak_per_s);
  }
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
    // A row of zeros says nothing: only ok and the outcomes some variant had.
    const bool any = std::any_of(stats.begin(), stats.end(), [o](const RunStats& st) { return st.by_outcome[o] > 0; });
    if (o != static_cast<int>(Outcome::kOk) && !any) continue;
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
  bool any_load = false;
  for (const auto& st : stats) any_load = any_load || st.partner_calls.has_value();
  if (any_load) {
    row("partner calls per request", [&](std::size_t i) {
      return stats[i].partner_calls ? fmt::format("{:.2f}", stats[i].amplification()) : std::string("-");
    });
    row("partner peak calls/s", [&](std::size_t i) {
      return stats[i].partner_calls ? fmt::format("{:.0f}", stats[i].partner_peak_per_s) : std::string("-");
    });
  }
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
