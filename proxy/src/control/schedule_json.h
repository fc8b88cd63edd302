#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "toxics/schedule.h"

namespace faultline {

// The toxic `schedule` object of the REST API (a Faultline extension; Toxiproxy's clients ignore
// it): {"start_ms": 2000, "duration_ms": 3000, "every_ms": 10000, "times": 3}, every field
// optional. Absent or null: no schedule. `where` prefixes field names in errors.
Result<std::optional<ScheduleInput>> scheduleInputFromJson(const nlohmann::json& toxic, const std::string& where);

// What GET shows: the schedule in the same spelling, and beside it at the toxic's top level
// "active" and "next_change_ms" (milliseconds from now until the state changes; null: never).
void addScheduleJson(nlohmann::ordered_json& toxic, const ToxicSchedule& schedule,
                     const std::optional<ScheduleStatus>& status);

}  // namespace faultline
