#pragma once

#include <string>

#include "sim_types.h"

namespace faultline::sim {

// The side-by-side table printed at the end of a run: one column per path.
std::string summaryTable(const SimRun& run);

}  // namespace faultline::sim
