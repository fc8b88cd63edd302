#pragma once
// Reading one number out of a Prometheus text exposition (what /metrics endpoints answer).

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace faultline::scenario {

// The sum of every sample of `metric` whose labels include all of `labels` (more labels on the
// sample are fine); nullopt when no sample matches. Comments and other metrics are skipped.
std::optional<double> prometheusSum(std::string_view text, std::string_view metric,
                                    const std::map<std::string, std::string>& labels);

}  // namespace faultline::scenario
