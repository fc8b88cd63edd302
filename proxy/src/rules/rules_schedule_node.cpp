#include "rules/rules_schedule_node.h"

#include <string_view>

namespace faultline {

namespace {

// One duration field in either spelling: `name: 2s` or `name_ms: 2000`.
std::optional<int64_t> readDuration(YamlReader& reader, std::map<std::string, KeyedValue>& keys, const std::string& where,
                                    const std::string& name, bool& ok) {
  auto text = keys.find(name);
  auto ms = keys.find(name + "_ms");
  if (text != keys.end() && ms != keys.end()) {
    reader.fail(ms->second.key, where + "." + name + "_ms",
                "both " + name + " and " + name + "_ms given; expected one of them");
    ok = false;
    return std::nullopt;
  }
  if (ms != keys.end()) {
    auto value = reader.integer(ms->second.value, where + "." + name + "_ms", "an integer (milliseconds)");
    if (!value) ok = false;
    return value;
  }
  if (text == keys.end()) return std::nullopt;
  auto raw = reader.string(text->second.value, where + "." + name, "a duration like 500ms, 2s or 1m");
  if (!raw) {
    ok = false;
    return std::nullopt;
  }
  auto parsed = parseDurationText(*raw);
  if (!parsed) {
    reader.fail(text->second.value, where + "." + name,
                parsed.error().message + " (or " + name + "_ms: an integer of milliseconds)");
    ok = false;
    return std::nullopt;
  }
  return parsed->count();
}

}  // namespace

std::optional<ScheduleInput> readScheduleNode(YamlReader& reader, const YAML::Node& node, const std::string& where) {
  if (!node.IsMap()) {
    reader.fail(node, where, "expected a map like {start: 2s, duration: 3s, every: 10s, times: 3}, got " + describe(node));
    return std::nullopt;
  }
  const std::size_t before = reader.errorCount();
  auto keys = reader.mapEntries(node, where,
                                {"start", "duration", "every", "times", "start_ms", "duration_ms", "every_ms"});
  bool ok = reader.errorCount() == before;
  ScheduleInput input;
  input.keep_after_last = true;
  input.start_ms = readDuration(reader, keys, where, "start", ok);
  input.duration_ms = readDuration(reader, keys, where, "duration", ok);
  input.every_ms = readDuration(reader, keys, where, "every", ok);
  if (auto it = keys.find("times"); it != keys.end()) {
    input.times = reader.integer(it->second.value, where + ".times", "an integer number of windows");
    if (!input.times) ok = false;
  }
  if (!ok) return std::nullopt;
  return input;
}

YAML::Node scheduleFieldNode(const YAML::Node& schedule, const std::string& field) {
  if (!schedule.IsMap()) return schedule;
  std::string unit_spelling = field;
  if (std::string_view(field).ends_with("_ms")) unit_spelling = field.substr(0, field.size() - 3);
  for (auto it = schedule.begin(); it != schedule.end(); ++it) {
    if (!it->first.IsScalar()) continue;
    const std::string& key = it->first.Scalar();
    if (key == field || key == unit_spelling) return it->second;
  }
  return schedule;
}

}  // namespace faultline
