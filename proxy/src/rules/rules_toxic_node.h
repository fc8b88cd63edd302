#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <vector>

#include "rules/yaml_reader.h"
#include "toxics/toxic_spec.h"

namespace faultline {

// One toxic of a rules file (a map with name, type, stream, toxicity, attributes) -> a validated
// ToxicSpec (two for "stream: both": <name>_upstream, <name>_downstream), through the same
// buildToxicSpecs the API uses. Problems go to `reader` with the line of the offending field;
// nullopt when there was any. New toxic fields are read here.
std::optional<std::vector<ToxicSpec>> readToxicNode(YamlReader& reader, const YAML::Node& node, const std::string& where);

}  // namespace faultline
