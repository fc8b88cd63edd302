#include "control/schedule_json.h"

#include <cmath>
#include <limits>

namespace faultline {

namespace {

using nlohmann::json;

Result<std::optional<int64_t>> integerField(const json& object, const char* key, const std::string& where) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::optional<int64_t>{};
  const std::string field = where + "." + key;
  if (it->is_number_integer() && !it->is_number_unsigned()) return std::optional<int64_t>{it->get<int64_t>()};
  if (it->is_number_unsigned()) {
    const auto u = it->get<uint64_t>();
    if (u <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return std::optional<int64_t>{static_cast<int64_t>(u)};
    }
  } else if (it->is_number_float()) {
    const double d = it->get<double>();
    if (std::isfinite(d) && std::floor(d) == d && std::fabs(d) < 9.0e15) {
      return std::optional<int64_t>{static_cast<int64_t>(d)};
    }
  }
  return Error::invalid(field + ": expected an integer (" + (std::string(key) == "times" ? "windows" : "milliseconds") +
                        "), got " + it->dump());
}

}  // namespace

Result<std::optional<ScheduleInput>> scheduleInputFromJson(const json& toxic, const std::string& where) {
  auto it = toxic.find("schedule");
  if (it == toxic.end() || it->is_null()) return std::optional<ScheduleInput>{};
  const std::string path = where.empty() ? "schedule" : where + ".schedule";
  if (!it->is_object()) return Error::invalid(path + ": expected an object like {\"start_ms\": 2000, \"duration_ms\": 3000}");
  static const char* const kKnown[] = {"start_ms", "duration_ms", "every_ms", "times"};
  for (const auto& [key, value] : it->items()) {
    bool known = false;
    for (const char* name : kKnown) known = known || key == name;
    if (!known) {
      return Error::invalid(path + "." + key + ": unknown field; expected one of start_ms, duration_ms, every_ms, times");
    }
  }
  ScheduleInput input;
  auto start = integerField(*it, "start_ms", path);
  if (!start) return start.error();
  auto duration = integerField(*it, "duration_ms", path);
  if (!duration) return duration.error();
  auto every = integerField(*it, "every_ms", path);
  if (!every) return every.error();
  auto times = integerField(*it, "times", path);
  if (!times) return times.error();
  input.start_ms = *start;
  input.duration_ms = *duration;
  input.every_ms = *every;
  input.times = *times;
  return std::optional<ScheduleInput>{input};
}

void addScheduleJson(nlohmann::ordered_json& toxic, const ToxicSchedule& schedule,
                     const std::optional<ScheduleStatus>& status) {
  nlohmann::ordered_json out;
  out["start_ms"] = schedule.start.count();
  out["duration_ms"] = schedule.duration ? nlohmann::ordered_json(schedule.duration->count()) : nullptr;
  out["every_ms"] = schedule.every ? nlohmann::ordered_json(schedule.every->count()) : nullptr;
  out["times"] = schedule.times ? nlohmann::ordered_json(*schedule.times) : nullptr;
  toxic["schedule"] = std::move(out);
  toxic["active"] = status ? status->active : false;
  toxic["next_change_ms"] =
      status && status->next_change_in ? nlohmann::ordered_json(status->next_change_in->count()) : nullptr;
}

}  // namespace faultline
