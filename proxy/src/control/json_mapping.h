#pragma once

#include <string>
#include <optional>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "proxy/proxy_config.h"
#include "toxics/toxic_spec.h"

namespace faultline {

// Toxiproxy's JSON objects <-> Faultline's config types. Output keeps Toxiproxy's field order.
// Bodies: json_body.cpp; toxics: toxic_json.cpp (new toxic fields go there); proxies: proxy_json.cpp.
using OrderedJson = nlohmann::ordered_json;

// Deeper nesting than this is rejected before nlohmann sees the text.
inline constexpr int kMaxJsonDepth = 64;

// Strict parse of a request body: invalid JSON, trailing garbage, nesting over kMaxJsonDepth and
// numbers that overflow a double are errors (kInvalidArgument, message without a prefix).
// An empty body parses as an empty object, as Toxiproxy's decoder treats it for updates.
Result<nlohmann::json> parseJsonBody(std::string_view body);

// The deepest nesting of arrays/objects in `text` (strings skipped). Used before parsing so a
// hostile body cannot make any parser work hard.
int jsonNestingDepth(std::string_view text);

// A scheduled toxic also shows "schedule", "active" and "next_change_ms" (schedule_json.h).
OrderedJson toxicToJson(const ToxicSpec& spec, const std::optional<ScheduleStatus>& schedule = std::nullopt);
OrderedJson proxyToJson(const ProxyInfo& info);

// Body of POST /proxies or one item of /populate. Missing fields stay empty: the registry
// reports "missing required field: ..." in Toxiproxy's words. `where` prefixes field names.
Result<ProxyConfig> proxyConfigFromJson(const nlohmann::json& body, const std::string& where = "");
// Body of POST/PATCH /proxies/{name}: fields present become the patch. `name` and `toxics`
// are accepted and ignored because clients (Go's Proxy.Save) send the whole proxy back.
Result<ProxyPatch> proxyPatchFromJson(const nlohmann::json& body);
// Body of POST /proxies/{p}/toxics, before validation by buildToxicSpec.
Result<ToxicInput> toxicInputFromJson(const nlohmann::json& body, const std::string& where = "");
// Body of POST/PATCH /proxies/{p}/toxics/{t}: toxicity (-1 or absent = unchanged) and
// attributes. name/type/stream are accepted and ignored (the node client sends the whole toxic).
Result<ToxicPatch> toxicPatchFromJson(const nlohmann::json& body);

}  // namespace faultline
