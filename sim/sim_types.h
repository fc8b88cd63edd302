#pragma once
// What one simulation run records: every request the load generator sent, samples of the
// server over time, and when the faults were on. Times are seconds since the phase started.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace faultline::sim {

enum class Outcome { kOk, kDegraded, kShed, kError, kTimeout };
inline constexpr int kOutcomeCount = 5;
const char* outcomeName(Outcome outcome);

struct RequestRecord {
  double start_s = 0;
  double latency_ms = 0;
  Outcome outcome = Outcome::kOk;
};

// One look at the server: its resident memory and its circuit breaker.
struct ServerSample {
  double t_s = 0;
  double rss_mib = 0;
  int breaker_state = -1;  // 0 closed, 1 open, 2 half-open, -1 unknown (server busy or gone)
  double breaker_transitions = 0;
};

struct FaultWindow {
  double start_s = 0;
  double end_s = 0;
  std::string label;  // "reset_peer", "partner down", ...
};

struct PhaseResult {
  std::string path;  // "unprotected" or "protected"
  double duration_s = 0;  // of sending; stragglers may finish later
  std::vector<RequestRecord> requests;
  std::vector<ServerSample> samples;
  std::vector<FaultWindow> windows;
  std::optional<int> server_exit_code;  // set when the server died during the phase
  double server_exit_s = 0;
};

struct SimRun {
  std::string scenario;
  std::string description;
  std::string settings;  // "rate 20/s, 25 s per path, deadline 1000 ms, ..."
  std::vector<PhaseResult> phases;
};

}  // namespace faultline::sim
