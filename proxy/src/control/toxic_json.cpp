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

struct JsonAttributes {
  std::map<std::string, int64_t> integers;
  std::map<std::string, std::string> texts;
};

// Integers for the classic toxics; the http_* toxics also take strings (matchers, bodies, and
// numbers written as strings, which buildToxicSpec reads per attribute). null means "not given".
Result<JsonAttributes> attributesFromJson(const json& body, const std::string& where) {
  JsonAttributes out;
  auto it = body.find("attributes");
  if (it == body.end() || it->is_null()) return out;
  std::string field = fieldName(where, "attributes");
  if (!it->is_object()) return wrongType(field, "an object of integer attributes", *it);
  for (const auto& [key, value] : it->items()) {
    if (value.is_null()) continue;
    if (value.is_string()) {
      out.texts[key] = value.get<std::string>();
      continue;
    }
    auto n = integerValue(value, field + "." + key);
    if (!n) return n.error();
    out.integers[key] = *n;
  }
  return out;
}

}  // namespace

OrderedJson toxicToJson(const ToxicSpec& spec, const std::optional<ScheduleStatus>& schedule) {
  OrderedJson attributes = OrderedJson::object();
  // Faultline's extensions of a classic toxic (latency's p99 and distribution, any toxic's
  // client) are left out while at their default: Toxiproxy's clients see Toxiproxy's shape.
  const ToxicType* type = findToxicType(spec.type);
  auto hidden = [type](const std::string& key, auto is_default) {
    if (type == nullptr) return false;
    for (const auto& a : type->attributes) {
      if (a.name == key) return a.hidden_at_default && is_default(a);
    }
    return false;
  };
  for (const auto& [key, value] : spec.attributes) {
    if (hidden(key, [&v = value](const AttributeInfo& a) { return v == a.default_value; })) continue;
    attributes[key] = value;
  }
  for (const auto& [key, value] : spec.text_attributes) {
    if (hidden(key, [&v = value](const AttributeInfo& a) { return v == a.default_text; })) continue;
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
  input.attributes = std::move(attributes->integers);
  input.text_attributes = std::move(attributes->texts);
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
  patch.attributes = std::move(attributes->integers);
  patch.text_attributes = std::move(attributes->texts);
  return patch;
}

}  // namespace faultline
