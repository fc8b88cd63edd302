#pragma once
// One phase of a simulation: a fresh partner, Faultline and demo server on free loopback
// ports, load against one path, the scenario's fault switched on and off on schedule, and the
// server sampled twice a second. Everything started here is stopped before it returns, also
// when it throws or is interrupted.

#include <atomic>
#include <string>

#include "scenario.h"
#include "sim_types.h"

namespace faultline::sim {

struct SimOptions {
  std::string bin_dir;        // where faultline, demo-partner and demo-server are
  std::string log_dir;        // the children's stderr goes to LOG_DIR/PATH-NAME.log
  double duration_s = 25;
  double rate = 20;
  int deadline_ms = 1000;     // /protected's whole-request deadline
  bool retries = true;
  bool breaker = true;
  int client_timeout_ms = 5000;
  uint32_t memory_limit_mib = 0;  // 0 = the server's default
  std::string partner_min_delay = "20ms";
  std::string partner_max_delay = "100ms";
};

PhaseResult runPhase(const Scenario& scenario, const FaultPlan& plan, const SimOptions& options,
                     const std::string& path, const std::atomic<bool>& interrupted);

}  // namespace faultline::sim
