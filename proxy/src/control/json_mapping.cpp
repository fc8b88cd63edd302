#include "control/json_mapping.h"

#include "control/schedule_json.h"

#include <cmath>
#include <initializer_list>
#include <limits>

namespace faultline {

namespace {

using nlohmann::json;

std::string fieldName(const std::string& where, const std::string& name) {
  return where.empty() ? name : where + "." + name;
}

const char* typeName(const json& value) {
  switch (value.type()) {
    case json::value_t::null: return "null";
    case json::value_t::object: return "an object";
    case json::value_t::array: return "an array";
    case json::value_t::string: return "a string";
    case json::value_t::boolean: return "a boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float: return "a number";
    default: return "an unsupported value";
  }
}

Error wrongType(const std::string& field, const char* expected, const json& got) {
  return Error::invalid(field + ": expected " + expected + ", got " + typeName(got));
}

Status requireObject(const json& body, const std::string& where) {
  if (!body.is_object()) {
    return wrongType(where.empty() ? std::string("body") : where, "a JSON object", body);
  }
  return {};
}

// Unknown fields are rejected so a typo ("lisen") is reported instead of silently ignored.
Status checkKnownFields(const json& body, const std::string& where, std::initializer_list<const char*> known) {
  for (const auto& [key, value] : body.items()) {
    bool found = false;
    for (const char* name : known) found = found || key == name;
    if (!found) {
      std::string list;
      for (const char* name : known) list += (list.empty() ? "" : ", ") + std::string(name);
      return Error::invalid(fieldName(where, key) + ": unknown field; expected one of " + list);
    }
  }
  return {};
}

Result<std::optional<std::string>> optionalString(const json& body, const char* key, const std::string& where) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return std::optional<std::string>{};
  if (!it->is_string()) return wrongType(fieldName(where, key), "a string", *it);
  return std::optional<std::string>{it->get<std::string>()};
}

Result<std::optional<double>> optionalNumber(const json& body, const char* key, const std::string& where) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return std::optional<double>{};
  if (!it->is_number()) return wrongType(fieldName(where, key), "a number", *it);
  return std::optional<double>{it->get<double>()};
}

Result<std::optional<bool>> optionalBool(const json& body, const char* key, const std::string& where) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return std::optional<bool>{};
  if (!it->is_boolean()) return wrongType(fieldName(where, key), "a boolean (true or false)", *it);
  return std::optional<bool>{it->get<bool>()};
}

Result<int64_t> integerValue(const json& value, const std::string& field) {
  if (value.is_number_integer() && !value.is_number_unsigned()) return value.get<int64_t>();
  if (value.is_number_unsigned()) {
    auto u = value.get<uint64_t>();
    if (u <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return static_cast<int64_t>(u);
    return Error::invalid(field + ": expected an integer that fits in 64 bits, got " + value.dump());
  }
  if (value.is_number_float()) {
    double d = value.get<double>();
    // 2^63 is exactly representable; anything at or beyond it does not fit an int64.
    if (std::isfinite(d) && std::floor(d) == d && d > -9.2233720368547758e18 && d < 9.2233720368547758e18) {
      return static_cast<int64_t>(d);
    }
    return Error::invalid(field + ": expected an integer, got " + value.dump());
  }
  return wrongType(field, "an integer", value);
}

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

int jsonNestingDepth(std::string_view text) {
  int depth = 0;
  int deepest = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case '"': in_string = true; break;
      case '[':
      case '{':
        ++depth;
        if (depth > deepest) deepest = depth;
        break;
      case ']':
      case '}':
        if (depth > 0) --depth;
        break;
      default: break;
    }
  }
  return deepest;
}

Result<json> parseJsonBody(std::string_view body) {
  bool blank = body.find_first_not_of(" \t\r\n") == std::string_view::npos;
  if (blank) return json::object();
  if (int depth = jsonNestingDepth(body); depth > kMaxJsonDepth) {
    return Error::invalid("JSON nested " + std::to_string(depth) + " levels deep; at most " +
                          std::to_string(kMaxJsonDepth) + " are allowed");
  }
  try {
    // Strict: trailing characters after the value are an error; floats that overflow are
    // rejected by nlohmann as "number overflow".
    return json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/true,
                       /*ignore_comments=*/false);
  } catch (const json::exception& e) {
    std::string what = e.what();
    // "[json.exception.parse_error.101] parse error at line 1, column 5: ..." -> drop the tag.
    if (auto pos = what.find("] "); pos != std::string::npos) what = what.substr(pos + 2);
    return Error::invalid("invalid JSON: " + what);
  }
}

OrderedJson toxicToJson(const ToxicSpec& spec, const std::optional<ScheduleStatus>& schedule) {
  OrderedJson attributes = OrderedJson::object();
  for (const auto& [key, value] : spec.attributes) attributes[key] = value;
  OrderedJson out;
  out["name"] = spec.name;
  out["type"] = spec.type;
  out["stream"] = streamName(spec.stream);
  out["toxicity"] = spec.toxicity;
  out["attributes"] = std::move(attributes);
  if (spec.schedule) addScheduleJson(out, *spec.schedule, schedule);
  return out;
}

OrderedJson proxyToJson(const ProxyInfo& info) {
  OrderedJson toxics = OrderedJson::array();
  for (const auto& toxic : info.toxics) {
    if (!toxic) continue;
    auto schedule = info.schedules.find(toxic->name);
    toxics.push_back(toxicToJson(*toxic, schedule == info.schedules.end() ? std::nullopt
                                                                         : std::optional<ScheduleStatus>(schedule->second)));
  }
  OrderedJson out;
  out["name"] = info.name;
  out["listen"] = info.listen;
  out["upstream"] = info.upstream;
  out["enabled"] = info.enabled;
  out["toxics"] = std::move(toxics);
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

Result<ProxyConfig> proxyConfigFromJson(const json& body, const std::string& where) {
  if (auto s = requireObject(body, where); !s) return s.error();
  if (auto s = checkKnownFields(body, where, {"name", "listen", "upstream", "enabled", "toxics"}); !s) {
    return s.error();
  }
  ProxyConfig config;
  auto name = optionalString(body, "name", where);
  if (!name) return name.error();
  auto listen = optionalString(body, "listen", where);
  if (!listen) return listen.error();
  auto upstream = optionalString(body, "upstream", where);
  if (!upstream) return upstream.error();
  auto enabled = optionalBool(body, "enabled", where);
  if (!enabled) return enabled.error();
  config.name = name->value_or("");
  config.listen = listen->value_or("");
  config.upstream = upstream->value_or("");
  config.enabled = enabled->value_or(true);
  auto toxics = body.find("toxics");
  if (toxics != body.end() && !toxics->is_null()) {
    std::string field = fieldName(where, "toxics");
    if (!toxics->is_array()) return wrongType(field, "an array of toxics", *toxics);
    config.toxics_given = true;
    for (std::size_t i = 0; i < toxics->size(); ++i) {
      std::string item = field + "[" + std::to_string(i) + "]";
      auto input = toxicInputFromJson((*toxics)[i], item);
      if (!input) return input.error();
      auto spec = buildToxicSpec(*input, item);
      if (!spec) return spec.error();
      config.toxics.push_back(std::move(*spec));
    }
  }
  return config;
}

Result<ProxyPatch> proxyPatchFromJson(const json& body) {
  if (auto s = requireObject(body, ""); !s) return s.error();
  if (auto s = checkKnownFields(body, "", {"name", "listen", "upstream", "enabled", "toxics"}); !s) {
    return s.error();
  }
  ProxyPatch patch;
  auto name = optionalString(body, "name", "");
  if (!name) return name.error();
  auto listen = optionalString(body, "listen", "");
  if (!listen) return listen.error();
  auto upstream = optionalString(body, "upstream", "");
  if (!upstream) return upstream.error();
  auto enabled = optionalBool(body, "enabled", "");
  if (!enabled) return enabled.error();
  // An empty string is what Go's zero value looks like on the wire: keep the current value.
  if (*listen && !(*listen)->empty()) patch.listen = **listen;
  if (*upstream && !(*upstream)->empty()) patch.upstream = **upstream;
  patch.enabled = *enabled;
  auto toxics = body.find("toxics");
  if (toxics != body.end() && !toxics->is_null() && !toxics->is_array()) {
    return wrongType("toxics", "an array of toxics", *toxics);
  }
  return patch;
}

}  // namespace faultline
