#pragma once
// The `proxies:` section of a scenario file goes through the rules parser unchanged: the file's
// other top-level sections are blanked out (their lines kept empty), so the rules parser's
// line:col errors still point into the scenario file.

#include <yaml-cpp/yaml.h>

#include <string>
#include <string_view>

#include "core/result.h"
#include "scenario/scenario_parser.h"

namespace faultline::scenario {

// `content` with every top-level section but `proxies` blanked. An error when the top level is
// not a block mapping (the sections could not be told apart by line).
Result<std::string> proxiesSection(std::string_view content, const std::string& file, const YAML::Node& root);

// After a clean parse: collects {port.NAME}s, checks every placeholder resolves (with stand-in
// ports and addresses) and parses the proxies section; problems go into result.errors.
void checkPlaceholders(ScenarioParseResult& result, const PlaceholderValues& fixed);

}  // namespace faultline::scenario
