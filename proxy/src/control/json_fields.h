#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>

#include "core/result.h"

namespace faultline {

// Typed reads of one field of a JSON request body, each error naming the field ("where.key")
// and what was expected: shared by the proxy and toxic mappings.

// "where.name", or "name" at the top level.
std::string fieldName(const std::string& where, const std::string& name);
// "a string", "an object", ...: what a value is, for "expected X, got Y".
const char* jsonTypeName(const nlohmann::json& value);
Error wrongType(const std::string& field, const char* expected, const nlohmann::json& got);
Status requireObject(const nlohmann::json& body, const std::string& where);
// Unknown fields are rejected so a typo ("lisen") is reported instead of silently ignored.
Status checkKnownFields(const nlohmann::json& body, const std::string& where,
                        std::initializer_list<const char*> known);
// Absent or null -> nullopt; a value of another type -> an error.
Result<std::optional<std::string>> optionalString(const nlohmann::json& body, const char* key,
                                                  const std::string& where);
Result<std::optional<double>> optionalNumber(const nlohmann::json& body, const char* key, const std::string& where);
Result<std::optional<bool>> optionalBool(const nlohmann::json& body, const char* key, const std::string& where);
// An integral JSON number that fits int64 (2.0 is accepted, 2.5 and 2^63 are not).
Result<int64_t> integerValue(const nlohmann::json& value, const std::string& field);

}  // namespace faultline
