#pragma once

#include <string>

#include "scenario/run_types.h"

namespace faultline::scenario {

// The side-by-side table printed at the end of a run (one column per variant), then one
// verdict line per expectation and a sentence per variant saying what happened.
std::string summaryTable(const ScenarioResult& run);

// "protected: 80% real answers (9% only after a retry), 16% fallbacks (12% breaker open, 4% retry
// budget spent); p99 1012 ms, max 1040 ms; every started process ran through; recovered 0.4 s
// after the fault ended.": the sentence the table and the report end with.
std::string summarySentence(const VariantResult& variant);

}  // namespace faultline::scenario
