#include "control/json_fields.h"

#include <cmath>
#include <limits>

namespace faultline {

using nlohmann::json;

std::string fieldName(const std::string& where, const std::string& name) {
  return where.empty() ? name : where + "." + name;
}

const char* jsonTypeName(const json& value) {
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
  return Error::invalid(field + ": expected " + expected + ", got " + jsonTypeName(got));
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

}  // namespace faultline
