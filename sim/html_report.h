#pragma once
// A self-contained HTML page for one simulation run: the summary table and inline SVG charts
// over time (outcomes per second, latency percentiles, server RSS, breaker state), with the
// fault windows shaded. No scripts, no network: it opens from a file, a CI artifact or a mail.

#include <string>

#include "sim_types.h"

namespace faultline::sim {

std::string renderHtmlReport(const SimRun& run);

}  // namespace faultline::sim
