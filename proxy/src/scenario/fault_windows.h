#pragma once
// When the faults of a run are on, for the report's shading and for recovered_within: a proxy
// declared `enabled: false` is down for the whole run; a toxic is on for the whole run.

#include <vector>

#include "rules/rules_config.h"
#include "scenario/run_types.h"

namespace faultline::scenario {

std::vector<FaultWindow> faultWindows(const RulesConfig& proxies, double duration_s);

}  // namespace faultline::scenario
