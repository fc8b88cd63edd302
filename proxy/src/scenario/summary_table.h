#pragma once

#include <string>

#include "scenario/run_types.h"

namespace faultline::scenario {

// The side-by-side table printed at the end of a run (one column per variant), then one
// verdict line per expectation and a sentence per variant saying what happened.
std::string summaryTable(const ScenarioResult& run);

// "protected: 96% answered (80% ok, 16% degraded), p99 1012 ms; every process ran through;
// recovered 0.4 s after the fault": the sentence the table and the report end with.
std::string summarySentence(const VariantResult& variant);

}  // namespace faultline::scenario
