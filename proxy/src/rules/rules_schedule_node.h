#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>

#include "rules/yaml_reader.h"
#include "toxics/schedule.h"

namespace faultline {

// A toxic's `schedule:` map in a rules file. Each duration may be written with a unit
// (`start: 2s`, `duration: 500ms`, `every: 2m`) or as integer milliseconds (`start_ms: 2000`,
// the REST spelling); `times` is an integer. Problems go to `reader` with the field's line;
// nullopt when there was any. The result keeps the toxic declared after its last window: the
// file still says it exists.
std::optional<ScheduleInput> readScheduleNode(YamlReader& reader, const YAML::Node& node, const std::string& where);

// The node of a schedule field named as buildToxicSchedule names it ("duration_ms"), whichever
// spelling the file used; the schedule node itself when absent. For error locations.
YAML::Node scheduleFieldNode(const YAML::Node& schedule, const std::string& field);

}  // namespace faultline
