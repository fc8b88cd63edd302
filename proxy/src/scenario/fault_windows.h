#pragma once
// When the faults of a run are on, for the report's shading and for recovered_within, from the
// toxics' schedules (the same window arithmetic the proxies apply, toxics/schedule.h). A toxic
// without a schedule is on for the whole run; a proxy declared `enabled: false` is down for it.
// Times are seconds since the load started (when the runner adds the toxics); windows are
// clipped to the load's duration.

#include <vector>

#include "rules/rules_config.h"
#include "scenario/run_types.h"

namespace faultline::scenario {

std::vector<FaultWindow> faultWindows(const RulesConfig& proxies, double duration_s);

}  // namespace faultline::scenario
