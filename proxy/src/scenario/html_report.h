#pragma once
// A self-contained HTML page for one scenario run: what happened in a sentence per variant, the
// summary table and verdicts, and inline SVG charts over time (outcomes per second, latency
// percentiles, every observed number), each with a caption, the fault windows shaded. No
// scripts, no network: it opens from a file, a CI artifact or a mail.

#include <string>

#include "scenario/run_types.h"

namespace faultline::scenario {

std::string renderHtmlReport(const ScenarioResult& run);

}  // namespace faultline::scenario
