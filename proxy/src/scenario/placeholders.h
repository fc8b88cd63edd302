#pragma once
// {port.NAME}, {proxy.NAME.url}, {proxy.NAME.port}, {var.NAME}, {bin}, {dir}, {seed},
// {log_dir}: the words a scenario file may leave for the runner to fill in. A brace that does
// not look like one ("{rate: 20}", a flow mapping) is left alone.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace faultline::scenario {

using PlaceholderValues = std::map<std::string, std::string>;

// Every placeholder name in `text` ("port.server", "bin"), in order of appearance.
std::vector<std::string> placeholderNames(std::string_view text);

// `text` with every placeholder replaced. An unknown one is an error naming it and listing
// what is known (the caller adds where it was written).
Result<std::string> substitutePlaceholders(std::string_view text, const PlaceholderValues& values);

}  // namespace faultline::scenario
