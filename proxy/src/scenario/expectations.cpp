#include "scenario/expectations.h"

#include <fmt/format.h>

#include "scenario/markup_escape.h"
#include "scenario/run_stats.h"

namespace faultline::scenario {

std::vector<Verdict> evaluateExpectations(const ExpectSpec& expect, const VariantResult& variant) {
  const RunStats s = computeStats(variant);
  std::vector<Verdict> verdicts;
  if (expect.error_rate_max) {
    verdicts.push_back({fmt::format("error_rate <= {}", *expect.error_rate_max), s.requests > 0 && s.error_rate <= *expect.error_rate_max,
                        fmt::format("{:.4f} ({} of {} requests shed, failed or timed out)", s.error_rate, s.failed, s.requests)});
  }
  if (expect.p99_ms_max) {
    verdicts.push_back({fmt::format("p99_ms <= {}", *expect.p99_ms_max), s.requests > 0 && s.p99_ms <= *expect.p99_ms_max,
                        fmt::format("{:.0f} ms over {} requests", s.p99_ms, s.requests)});
  }
  if (expect.recovered_within) {
    const double bound = static_cast<double>(expect.recovered_within->count()) / 1000.0;
    Verdict v{fmt::format("recovered_within {} s", bound), false, ""};
    if (!s.last_fault_end_s) {
      v.measured = "no fault window ended while the load ran (give the toxics a schedule that ends before load.duration)";
    } else if (!s.recovery_s) {
      v.measured = fmt::format("never: requests still failed after the fault ended at {:.1f} s{}", *s.last_fault_end_s,
                               variant.exits.empty() ? "" : " (a started process exited)");
    } else {
      v.holds = *s.recovery_s <= bound;
      v.measured = fmt::format("{:.2f} s after the fault ended at {:.1f} s", *s.recovery_s, *s.last_fault_end_s);
    }
    verdicts.push_back(std::move(v));
  }
  return verdicts;
}

std::string junitXml(const ScenarioResult& run) {
  std::size_t tests = 0, failures = 0;
  for (const auto& v : run.variants) {
    for (const auto& verdict : v.verdicts) {
      ++tests;
      failures += verdict.holds ? 0 : 1;
    }
  }
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += fmt::format("<testsuites name=\"faultline scenario\" tests=\"{}\" failures=\"{}\">\n", tests, failures);
  out += fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\">\n", markupEscape(run.scenario), tests, failures);
  for (const auto& v : run.variants) {
    for (const auto& verdict : v.verdicts) {
      out += fmt::format("    <testcase classname=\"{}.{}\" name=\"{}\" time=\"{:.3f}\"", markupEscape(run.scenario), markupEscape(v.name),
                         markupEscape(verdict.name), v.duration_s);
      if (verdict.holds) {
        out += fmt::format("><system-out>measured {}</system-out></testcase>\n", markupEscape(verdict.measured));
      } else {
        const std::string message = fmt::format("{}: expected {}, measured {}", v.name, verdict.name, verdict.measured);
        out += fmt::format("><failure message=\"{}\" type=\"expectation\">{}</failure></testcase>\n", markupEscape(message),
                           markupEscape(message));
      }
    }
  }
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

std::string junitSetupErrorXml(const std::string& scenario, const std::string& message) {
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<testsuites name=\"faultline scenario\" tests=\"1\" failures=\"0\" errors=\"1\">\n";
  out += fmt::format("  <testsuite name=\"{}\" tests=\"1\" failures=\"0\" errors=\"1\">\n", markupEscape(scenario));
  out += fmt::format("    <testcase classname=\"{}\" name=\"set-up\" time=\"0\"><error message=\"{}\" type=\"setup\">{}</error></testcase>\n",
                     markupEscape(scenario), markupEscape(message), markupEscape(message));
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

}  // namespace faultline::scenario
