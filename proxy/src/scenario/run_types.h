#pragma once
// What one scenario run records: every request the load sent, the numbers observed over time,
// when the faults were on, which started processes exited, and the verdicts. Times are
// seconds since the load started.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace faultline::scenario {

// The names demo-client and the demo server's logs use too (demo-services/server/demo_outcome.h):
// ok (2xx), degraded (2xx with X-Degraded: a fallback answer), shed (429, or a 503 marked X-Shed:
// refused on purpose, not a 5xx), client_error (other 4xx), server_error (other 5xx, a
// dependency's 503 passed on included), timeout (no answer within the load's timeout),
// connection_error (refused, reset, malformed answer).
enum class Outcome { kOk, kDegraded, kShed, kClientError, kServerError, kTimeout, kConnectionError };
inline constexpr int kOutcomeCount = 7;
const char* outcomeName(Outcome outcome);

struct RequestRecord {
  double start_s = 0;
  double latency_ms = 0;
  Outcome outcome = Outcome::kOk;
  int status = 0;          // the HTTP status; 0 when no answer came (refused, reset, timeout)
  uint32_t attempts = 0;   // the target's X-Attempts (partner calls it made), 0 when not given
  std::string reason;      // a fallback's X-Degraded-Reason (breaker_open, deadline, ...)
};

// One observed number over time (an `observe:` entry).
struct Series {
  std::string name;
  std::string caption;
  std::vector<std::pair<double, double>> points;  // (t_s, value)
  bool partner_load = false;             // observe: partner_load: true (a rate of the partner's calls)
  std::optional<double> counter_last;    // for a rate: the counter's last reading
};

struct FaultWindow {
  double start_s = 0;
  double end_s = 0;
  std::string label;  // "partner: latency", "partner down"
};

// A started process that ended while the load ran (a watchdog exit, a crash).
struct ProcessExit {
  std::string name;
  int code = 0;  // exit status, or 128 + signal
  double at_s = 0;
};

struct Verdict {
  std::string name;      // "error_rate <= 0.01"
  bool holds = false;
  std::string measured;  // "0.034 (17 of 500 requests)"
};

struct VariantResult {
  std::string name;
  std::string description;
  std::string target;
  double duration_s = 0;  // of sending; stragglers may finish later
  std::vector<RequestRecord> requests;
  std::vector<Series> series;
  std::vector<FaultWindow> windows;
  std::vector<ProcessExit> exits;
  std::vector<Verdict> verdicts;
};

struct ScenarioResult {
  std::string scenario;
  std::string description;
  std::string settings;  // "rate 20/s for 25 s, timeout 5 s"
  std::vector<VariantResult> variants;
};

}  // namespace faultline::scenario
