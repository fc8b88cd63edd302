#include "rules/rules_toxic_node.h"

#include <map>
#include <string>
#include <vector>

#include "rules/rules_schedule_node.h"
#include "toxics/toxic_registry.h"
#include "toxics/toxic_streams.h"

namespace faultline {

std::optional<std::vector<ToxicSpec>> readToxicNode(YamlReader& reader, const YAML::Node& node, const std::string& where) {
  if (!node.IsMap()) {
    reader.fail(node, where, "expected a toxic (a map with type and attributes), got " + describe(node));
    return std::nullopt;
  }
  std::size_t before = reader.errorCount();
  auto keys = reader.mapEntries(node, where, {"name", "type", "stream", "toxicity", "attributes", "schedule"});
  ToxicInput input;
  if (auto it = keys.find("name"); it != keys.end()) input.name = reader.string(it->second.value, where + ".name", "a toxic name");
  if (auto it = keys.find("type"); it != keys.end()) input.type = reader.string(it->second.value, where + ".type", "a toxic type");
  if (auto it = keys.find("stream"); it != keys.end()) {
    input.stream = reader.string(it->second.value, where + ".stream", "upstream, downstream or both");
  }
  if (auto it = keys.find("toxicity"); it != keys.end()) {
    input.toxicity = reader.number(it->second.value, where + ".toxicity", "a probability between 0 and 1");
  }
  const ToxicType* type = input.type ? findToxicType(*input.type) : nullptr;
  std::map<std::string, KeyedValue> attributes;
  if (auto it = keys.find("attributes"); it != keys.end() && !it->second.value.IsNull()) {
    const YAML::Node& map = it->second.value;
    if (!map.IsMap()) {
      reader.fail(map, where + ".attributes", "expected a map of attribute: value, got " + describe(map));
    } else {
      // Checked here rather than left to buildToxicSpec so a typo points at its own line and
      // gets a suggestion; the allowed set is still the toxic registry's.
      std::vector<std::string> allowed;
      if (type != nullptr) {
        for (const auto& a : type->attributes) allowed.push_back(a.name);
      }
      attributes = reader.mapEntries(map, where + ".attributes", allowed, type != nullptr);
      for (const auto& [key, entry] : attributes) {
        const AttributeInfo* info = nullptr;
        if (type != nullptr) {
          for (const auto& a : type->attributes) {
            if (a.name == key) info = &a;
          }
        }
        if (info != nullptr && !info->integer()) {
          // http_* matchers, bodies and words: a YAML scalar read as text (path: /data*).
          std::string expected_text = info->kind == AttributeKind::kWord ? "one of the words for " + key : "a string";
          if (auto v = reader.string(entry.value, where + ".attributes." + key, expected_text)) {
            input.text_attributes[key] = *v;
          }
          continue;
        }
        std::string expected = info ? "an integer from " + std::to_string(info->min) + " to " +
                                          std::to_string(info->max) + " (" + info->unit + ")"
                                    : "an integer";
        if (auto v = reader.integer(entry.value, where + ".attributes." + key, expected)) input.attributes[key] = *v;
      }
    }
  }
  if (auto it = keys.find("schedule"); it != keys.end() && !it->second.value.IsNull()) {
    input.schedule = readScheduleNode(reader, it->second.value, where + ".schedule");
  }
  if (reader.errorCount() != before) return std::nullopt;
  auto spec = buildToxicSpecs(input, where);
  if (!spec) {
    // buildToxicSpec's message is "<where>.<field>: <what>"; point at that field's node.
    const std::string& message = spec.error().message;
    std::string path = where;
    std::string text = message;
    auto colon = message.find(": ");
    if (colon != std::string::npos && message.compare(0, where.size(), where) == 0) {
      path = message.substr(0, colon);
      text = message.substr(colon + 2);
    }
    YAML::Node at = node;
    std::string field = path.size() > where.size() + 1 ? path.substr(where.size() + 1) : "";
    if (field.rfind("attributes.", 0) == 0) {
      auto attr = attributes.find(field.substr(std::string("attributes.").size()));
      if (attr != attributes.end()) at = attr->second.value;
    } else if (field.rfind("schedule.", 0) == 0 && keys.count("schedule") != 0) {
      at = scheduleFieldNode(keys["schedule"].value, field.substr(std::string("schedule.").size()));
    } else if (auto it = keys.find(field); it != keys.end()) {
      at = it->second.value;
    }
    reader.fail(at, path, text);
    return std::nullopt;
  }
  return std::move(spec).value();
}

}  // namespace faultline
