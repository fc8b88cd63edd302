#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace faultline {

// `faultline toxic add ... --after 5s --for 30s [--every 2m --times 3]`. Empty strings are
// flags not given. `--for` alone is a dead-man switch: the server removes the toxic when its
// window ends, so a crashed test run cannot leave the fault behind.
struct ScheduleFlags {
  std::string after;
  std::string for_duration;
  std::string every;
  std::optional<int64_t> times;

  bool any() const { return !after.empty() || !for_duration.empty() || !every.empty() || times.has_value(); }
};

// The REST `schedule` object for the flags; a bad duration names its flag. The rules between
// the fields (every needs --for, ...) are the server's, so the CLI and the API say the same.
Result<nlohmann::json> scheduleJsonFromFlags(const ScheduleFlags& flags);

// A toxic's schedule as `faultline inspect` shows it: "after 5s for 30s, active, changes in
// 12s"; "" for a toxic without one.
std::string formatScheduleCell(const nlohmann::json& toxic);

}  // namespace faultline
