#include <algorithm>
#include <map>
#include <string>

#include "control/json_fields.h"
#include "control/json_mapping.h"
#include "control/schedule_json.h"
#include "toxics/toxic_registry.h"

namespace faultline {

using nlohmann::json;

namespace {

// Attribute values are integers for every built-in toxic; null means "not given".
Result<std::map<std::string, int64_t>> attributesFromJson(const json& body, const std::string& where) {
  std::map<std::string, int64_t> out;
  auto it = body.find("attributes");
  if (it == body.end() || it->is_null()) return out;
  std::string field = fieldName(where, "attributes");
  if (!it->is_object()) return wrongType(field, "an object of integer attributes", *it);
  for (const auto& [key, value] : it->items()) {
    if (value.is_null()) continue;
    auto n = integerValue(value, field + "." + key);
    if (!n) return n.error();
    out[key] = *n;
  }
  return out;
}

}  // namespace

OrderedJson toxicToJson(const ToxicSpec& spec, const std::optional<ScheduleStatus>& schedule) {
  OrderedJson attributes = OrderedJson::object();
  const ToxicType* type = findToxicType(spec.type);
  for (const auto& [key, value] : spec.attributes) {
    if (type != nullptr) {
      const auto& declared = type->attributes;
      auto info = std::find_if(declared.begin(), declared.end(), [&](const AttributeInfo& a) { return a.name == key; });
      if (info != declared.end() && info->hidden_at_default && value == info->default_value) continue;
    }
    attributes[key] = value;
  }
  OrderedJson out;
  out["name"] = spec.name;
  out["type"] = spec.type;
  out["stream"] = streamName(spec.stream);
  out["toxicity"] = spec.toxicity;
  out["attributes"] = std::move(attributes);
  if (spec.schedule) addScheduleJson(out, *spec.schedule, schedule);
  return out;
}

Result<ToxicInput> toxicInputFromJson(const json& body, const std::string& where) {
  if (auto s = requireObject(body, where); !s) return s.error();
  if (auto s = checkKnownFields(body, where, {"name", "type", "stream", "toxicity", "attributes", "schedule"}); !s) {
    return s.error();
  }
  ToxicInput input;
  auto schedule = scheduleInputFromJson(body, where);
  if (!schedule) return schedule.error();
  input.schedule = *schedule;
  auto name = optionalString(body, "name", where);
  if (!name) return name.error();
  auto type = optionalString(body, "type", where);
  if (!type) return type.error();
  auto stream = optionalString(body, "stream", where);
  if (!stream) return stream.error();
  auto toxicity = optionalNumber(body, "toxicity", where);
  if (!toxicity) return toxicity.error();
  auto attributes = attributesFromJson(body, where);
  if (!attributes) return attributes.error();
  input.name = *name;
  // Toxiproxy treats an empty name like an absent one (the default "<type>_<stream>").
  if (input.name && input.name->empty()) input.name.reset();
  input.type = *type;
  input.stream = *stream;
  if (input.stream && input.stream->empty()) input.stream.reset();
  input.toxicity = *toxicity;
  input.attributes = std::move(*attributes);
  return input;
}

Result<ToxicPatch> toxicPatchFromJson(const json& body) {
  if (auto s = requireObject(body, ""); !s) return s.error();
  // The node client sends the whole toxic back: a scheduled one's schedule/active/next_change_ms
  // are accepted and ignored (an update keeps the schedule and its clock).
  if (auto s = checkKnownFields(body, "", {"name", "type", "stream", "toxicity", "attributes", "schedule", "active",
                                           "next_change_ms"});
      !s) {
    return s.error();
  }
  // name/type/stream cannot change, but they must still be well-typed if sent.
  for (const char* key : {"name", "type", "stream"}) {
    auto value = optionalString(body, key, "");
    if (!value) return value.error();
  }
  ToxicPatch patch;
  auto toxicity = optionalNumber(body, "toxicity", "");
  if (!toxicity) return toxicity.error();
  // The CLI sends -1 for "not given" (Toxiproxy's convention).
  if (*toxicity && **toxicity != -1.0) patch.toxicity = **toxicity;
  auto attributes = attributesFromJson(body, "");
  if (!attributes) return attributes.error();
  patch.attributes = std::move(*attributes);
  return patch;
}

}  // namespace faultline
