#pragma once
// The scenarios faultline-sim knows: which fault, when it is on, and how the demo stack is set
// up for it. The fault itself (toxics, or the proxy disabled) comes from the scenario's rules
// file in configs/scenarios/, so what the simulation injects is exactly what a user can load
// with `faultline serve --config configs/scenarios/NAME.yaml`.

#include <faultline/testing.hpp>

#include <string>
#include <vector>

#include "core/result.h"

namespace faultline::sim {

struct Scenario {
  std::string name;
  std::string summary;          // one line, for --help
  double window_start = 0.25;   // fault on from this fraction of the duration...
  double window_end = 0.6;      // ...until this one
  double rate = 20;             // requests per second, unless --rate
  double duration_s = 25;       // per path, unless --duration
  std::string partner_min_delay = "20ms";
  std::string partner_max_delay = "100ms";
  uint32_t memory_limit_mib = 0;  // server watchdog; 0 = the server's default
  bool measure_recovery = false;
};

const std::vector<Scenario>& scenarios();
const Scenario* findScenario(const std::string& name);
inline constexpr const char* kDefaultScenario = "performance";

// What to do to the partner proxy while the fault window is open.
struct FaultPlan {
  bool disable_proxy = false;
  std::vector<testing::Toxic> toxics;
  std::string label;  // "latency+latency", "partner down"
};

// Reads configs/scenarios/NAME.yaml with the proxy's own rules parser and takes the proxy named
// "partner" from it.
Result<FaultPlan> loadFaultPlan(const std::string& path);

}  // namespace faultline::sim
