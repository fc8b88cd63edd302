#include "cli/schedule_args.h"

#include "toxics/schedule.h"

namespace faultline {

namespace {

Status addDuration(nlohmann::json& out, const std::string& text, const char* flag, const char* key) {
  if (text.empty()) return {};
  auto ms = parseDurationText(text);
  if (!ms) return Error::invalid(std::string(flag) + ": " + ms.error().message);
  out[key] = ms->count();
  return {};
}

std::optional<Millis> msField(const nlohmann::json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_number_integer()) return std::nullopt;
  return Millis(it->get<int64_t>());
}

}  // namespace

Result<nlohmann::json> scheduleJsonFromFlags(const ScheduleFlags& flags) {
  nlohmann::json out = nlohmann::json::object();
  if (auto s = addDuration(out, flags.after, "--after", "start_ms"); !s) return s.error();
  if (auto s = addDuration(out, flags.for_duration, "--for", "duration_ms"); !s) return s.error();
  if (auto s = addDuration(out, flags.every, "--every", "every_ms"); !s) return s.error();
  if (flags.times) out["times"] = *flags.times;
  return out;
}

std::string formatScheduleCell(const nlohmann::json& toxic) {
  if (!toxic.is_object()) return "";
  auto it = toxic.find("schedule");
  if (it == toxic.end() || !it->is_object()) return "";
  ToxicSchedule schedule;
  schedule.start = msField(*it, "start_ms").value_or(Millis(0));
  schedule.duration = msField(*it, "duration_ms");
  schedule.every = msField(*it, "every_ms");
  if (auto times = it->find("times"); times != it->end() && times->is_number_unsigned()) {
    schedule.times = times->get<uint32_t>();
  }
  std::string out = describeSchedule(schedule);
  const bool active = toxic.value("active", false);
  out += active ? ", active" : ", inactive";
  if (auto next = msField(toxic, "next_change_ms")) {
    // Whole seconds read better than "28780ms" for a countdown.
    out += ", changes in " + (next->count() >= 1000 ? std::to_string((next->count() + 500) / 1000) + "s" : formatDuration(*next));
  } else {
    out += active ? "" : ", done";
  }
  return out;
}

}  // namespace faultline
